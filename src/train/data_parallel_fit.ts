/**
 * `fit`'s epochs on every core: each step is split over worker threads by the data-parallel
 * trainer (src/parallel/trainer.ts), while this thread keeps what one-thread training keeps: the
 * callbacks, the validation, the history. At each epoch's start the workers get the model's
 * trainable weights, the optimizer's state and its learning rate (so a resumed checkpoint,
 * ReduceLROnPlateau or restored weights reach them); at its end the state comes back into `model`
 * and `model.optimizer` before validation and `onEpochEnd`, so ModelCheckpoint saves what the
 * workers trained and EarlyStopping sees the same epochs. The batches are the ones one thread
 * takes (the same seeded order); the steps equal one-thread steps up to float rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { countMacs, isCountedLayer } from '../bench/flops';
import { createRng, shuffleInPlace } from '../data/random';
import { DataParallelTrainer } from '../parallel/trainer';
import { defaultWorkerCount } from '../parallel/workers';
import { leafLayers } from '../transfer/layer_lookup';

/**
 * Forward multiply-accumulates per batch below which `fit` keeps one thread when `workers` is
 * not given: a step that small (a Dense head on pooled features is ~0.4 M) costs less than the
 * two messages per step and the ~1-2 s worker start-up. A MobileNetV2 top block on cached 14x14
 * activations is ~2 G per batch of 32.
 */
export const DATA_PARALLEL_MIN_MACS = 2e8;

/** What `fit` hands over for the data-parallel path. */
export interface DataParallelRun {
  x: tf.Tensor;
  y: tf.Tensor;
  validation: { x: tf.Tensor; y: tf.Tensor } | undefined;
  epochs: number;
  start: number;
  batchSize: number;
  shuffle: boolean;
  seed: number | undefined;
  callbacks: Array<tf.Callback | tf.CustomCallback>;
  workers: number;
}

/**
 * How many workers `fit` trains with, or null for one thread: tensor data (one input, one
 * output), softmax cross-entropy with at most an accuracy metric, a tfjs optimizer the workers
 * can rebuild, no trainable BatchNormalization (its moving statistics would stay in the workers),
 * no validationSplit; and `workers` > 1. With `workers` unset (`defaultWorkerCount()`), also a
 * step of at least DATA_PARALLEL_MIN_MACS.
 */
export function dataParallelWorkers(
  model: tf.LayersModel,
  data: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] } | null,
  validation: { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] } | null | undefined,
  opts: { workers?: number; batchSize?: number; validationSplit?: number },
): number | null {
  const workers = opts.workers ?? defaultWorkerCount();
  if (workers <= 1 || data === null || Array.isArray(data.x) || Array.isArray(data.y)) return null;
  if (validation === null || (validation !== undefined && (Array.isArray(validation.x) || Array.isArray(validation.y)))) return null;
  if (opts.validationSplit != null && opts.validationSplit > 0) return null;
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.loss !== 'categoricalCrossentropy') return null;
  if (!model.metricsNames.every((m) => m === 'loss' || m === 'acc')) return null;
  const registered = tf.serialization.SerializationMap.getMap().classNameMap;
  if (!(model.optimizer.getClassName() in registered)) return null;
  if (leafLayers(model).some((l) => l.getClassName() === 'BatchNormalization' && l.trainable)) return null;
  if (opts.workers === undefined && forwardMacs(model, data.x) * (opts.batchSize ?? 32) < DATA_PARALLEL_MIN_MACS) return null;
  return workers;
}

/**
 * Forward MACs per row. A model cut from a base built without a fixed input size (the lab's
 * bases take any image size) has unknown spatial sizes: then its counted layers' output shapes
 * are measured on one row of `x` (each layer's `call` briefly records its output's shape).
 * 0 (one thread) when neither works.
 */
function forwardMacs(model: tf.LayersModel, x: tf.Tensor): number {
  try {
    return countMacs(model).macs;
  } catch {
    // measured below
  }
  const counted = leafLayers(model).filter(isCountedLayer);
  if (counted.length === 0 || x.shape[0] === 0) return 0;
  const shapes = new Map<string, number[]>();
  const calls = counted.map((layer) => layer.call);
  counted.forEach((layer, i) => {
    layer.call = (inputs, kwargs) => {
      const out = calls[i].call(layer, inputs, kwargs);
      shapes.set(layer.name, (Array.isArray(out) ? out[0] : out).shape);
      return out;
    };
  });
  try {
    tf.tidy(() => {
      model.predict(tf.slice(x, 0, 1));
    });
    return countMacs(model, shapes).macs;
  } catch {
    return 0;
  } finally {
    counted.forEach((layer, i) => {
      layer.call = calls[i];
    });
  }
}

/** Logs of one epoch as one-thread `fit` writes them: loss (and acc) averaged over rows, then val_*. */
type EpochLogs = Record<string, number>;

/** Trains `run.epochs - run.start` epochs on `run.workers` worker threads (see the module comment). */
export async function fitDataParallel(model: tf.LayersModel, run: DataParallelRun): Promise<void> {
  const rows = run.x.shape[0];
  const steps = Math.ceil(rows / run.batchSize);
  const withAccuracy = model.metricsNames.includes('acc');
  const callbacks = new tf.CallbackList(run.callbacks);
  callbacks.setModel(model);
  callbacks.setParams({
    epochs: run.epochs, initialEpoch: run.start, samples: rows, steps, batchSize: run.batchSize, verbose: 0,
    doValidation: run.validation !== undefined, metrics: model.metricsNames.flatMap((m) => [m, `val_${m}`]),
  });
  const trainer = await DataParallelTrainer.create(model, { workers: run.workers, optimizer: model.optimizer });
  try {
    model.stopTraining = false;
    await callbacks.onTrainBegin();
    for (let epoch = run.start; epoch < run.epochs; epoch++) {
      await callbacks.onEpochBegin(epoch);
      await trainer.load(model, model.optimizer);
      const order = Array.from({ length: rows }, (_, i) => i);
      if (run.seed !== undefined) shuffleInPlace(order, createRng(run.seed + epoch)); // as batchesOf in fit.ts
      else if (run.shuffle) tf.util.shuffle(order); // as tfjs' model.fit
      let loss = 0;
      let correct = 0;
      for (let b = 0; b < steps; b++) {
        const ids = order.slice(b * run.batchSize, (b + 1) * run.batchSize);
        await callbacks.onBatchBegin(b, { batch: b, size: ids.length });
        const idx = tf.tensor1d(ids, 'int32');
        const [xb, yb] = [tf.gather(run.x, idx), tf.gather(run.y, idx)];
        try {
          const step = await trainer.trainOnBatch(xb, yb, epoch * steps + b);
          loss += step.loss * ids.length;
          correct += step.accuracy * ids.length;
          await callbacks.onBatchEnd(b, { batch: b, size: ids.length, loss: step.loss, ...(withAccuracy ? { acc: step.accuracy } : {}) });
        } finally {
          tf.dispose([idx, xb, yb]);
        }
      }
      await trainer.copyStateTo(model, model.optimizer);
      const logs: EpochLogs = { loss: loss / rows, ...(withAccuracy ? { acc: correct / rows } : {}) };
      if (run.validation !== undefined) Object.assign(logs, await validate(model, run.validation, run.batchSize));
      await callbacks.onEpochEnd(epoch, logs);
      if (model.stopTraining) break;
    }
    await callbacks.onTrainEnd();
  } finally {
    await trainer.close();
  }
}

/** val_loss (and val_acc) in this thread, as one-thread `fit` computes them. */
async function validate(model: tf.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }, batchSize: number): Promise<EpochLogs> {
  const out = model.evaluate(data.x, data.y, { batchSize });
  const scalars = Array.isArray(out) ? out : [out];
  const logs: EpochLogs = {};
  for (const [i, name] of model.metricsNames.entries()) logs[`val_${name}`] = (await scalars[i].data())[0];
  tf.dispose(scalars);
  return logs;
}
