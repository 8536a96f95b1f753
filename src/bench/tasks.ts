/**
 * The tfjs side of the benchmark, task by task: feature extraction (plain `predict`, folded, and
 * folded on N worker threads) and one fine-tuning step of MobileNetV2 (top blocks + head
 * trainable), each timed as warm-up + repetitions with the median kept.
 * @see scripts/bench.mjs
 */
import * as tf from '@tensorflow/tfjs';
import { FeatureWorkerPool } from '../parallel/pool';
import { DataParallelTrainer } from '../parallel/trainer';
import { foldForInference } from '../parallel/fold';
import { dataParallelWorkers } from '../train/data_parallel_fit';
import { fit } from '../train/fit';
import { freeze, unfreeze } from '../transfer/freeze';
import { splitAt } from '../transfer/split';
import { median, timeRepeated, TimingOptions } from './stats';

/** One timed variant of a task. */
export interface VariantResult {
  /** True for the variants that train from cached bottom activations (compared with PyTorch's cached step). */
  cached?: boolean;
  /** Seconds to start worker threads, not in `seconds` (parallel variants only). */
  startupSeconds?: number;
  /** What ran, e.g. '1 worker, folded'. */
  variant: string;
  /** Median throughput: images/s for extraction, steps/s for training; null when the variant could not run (see `skipped`). */
  perSecond: number | null;
  /** Why the variant did not run, if it did not. */
  skipped?: string;
  /** Seconds of every timed repetition. */
  seconds: number[];
  /** Units processed per repetition (images or steps). */
  unitsPerRep: number;
}

function variant(name: string, units: number, t: { median: number; seconds: number[] }): VariantResult {
  return { variant: name, perSecond: units / t.median, seconds: t.seconds, unitsPerRep: units };
}

/**
 * Times `model.predict` on one batch in this thread (the backend as it is). With `fold`, times the
 * folded copy instead (see foldForInference).
 */
export async function timeExtraction(model: tf.LayersModel, batch: tf.Tensor4D, fold: boolean, timing: TimingOptions): Promise<VariantResult> {
  const folded = fold ? foldForInference(model).model : null;
  const run = folded ?? model;
  try {
    const t = await timeRepeated(async () => {
      const out = run.predict(batch, { batchSize: batch.shape[0] }) as tf.Tensor;
      await out.data(); // wait for the values: the time includes reading them back
      out.dispose();
    }, timing);
    return variant(`1 thread${fold ? ', folded' : ''}`, batch.shape[0], t);
  } finally {
    folded?.dispose();
  }
}

/**
 * Times N worker threads (each with its own wasm backend and folded model copy) predicting one
 * batch each, concurrently: throughput = N x batch / time of the round. Worker start-up is not
 * timed (it is reported by the pool).
 */
export async function timeParallelExtraction(
  model: tf.LayersModel,
  data: Float32Array,
  shape: [number, number, number, number],
  workers: number,
  fold: boolean,
  timing: TimingOptions,
): Promise<VariantResult & { startupSeconds: number }> {
  const pool = await FeatureWorkerPool.create(model, { workers, fold, prefetch: 1 });
  try {
    const round = () => pool.runAll(Array.from({ length: workers }, () => ({ kind: 'tensor' as const, data, shape })));
    const t = await timeRepeated(round, timing);
    return { ...variant(`${workers} workers${fold ? ', folded' : ''}`, workers * shape[0], t), startupSeconds: pool.startupSeconds };
  } finally {
    await pool.close();
  }
}

/**
 * Largest batch for which the whole-model step is attempted at 224x224. Its gradient tape keeps
 * every activation of the frozen bottom too: measured on wasm, batch 8 grows the heap to 2.2 GB
 * and batch 16 aborts at the 4 GB wasm32 limit ("memory access out of bounds" / "Aborted()"),
 * which also leaves the wasm backend unusable, so larger batches are not tried.
 */
export const WHOLE_MODEL_MAX_PIXELS = 8 * 224 * 224;

/** Settings of the fine-tuning step benchmark. */
export interface FineTuneSetup {
  /** Base without top, pooled (e.g. MobileNetV2 with pooling 'avg'). */
  base: tf.LayersModel;
  /** First layer to train, e.g. 'block_13_expand' (Keras' "fine-tune from block 13"). */
  unfreezeFrom: string;
  /** Last frozen layer: where to cut for the split variants, e.g. 'block_12_add'. */
  cutAfter: string;
  /** Classes of the Dense head. */
  classes: number;
}

/** The fine-tuning model: base + Dense softmax head, frozen up to `unfreezeFrom`, BatchNorm kept frozen (Keras' recipe). */
export function fineTuneModel(setup: FineTuneSetup): tf.LayersModel {
  const head = tf.layers.dense({ units: setup.classes, activation: 'softmax', name: 'bench_head' });
  const output = head.apply(setup.base.outputs[0]) as tf.SymbolicTensor;
  const model = tf.model({ inputs: setup.base.inputs, outputs: output, name: 'bench_finetune' });
  freeze(model, 'all');
  unfreeze(model, { from: setup.unfreezeFrom }, {
    recompile: { optimizer: 'sgd', learningRate: 1e-3, momentum: 0.9, loss: 'categoricalCrossentropy', metrics: [] },
  });
  return model;
}

/**
 * Times one training step (batch of `x`, labels `y`) three ways:
 * - 'trainOnBatch, whole model': Keras-style, the frozen bottom runs inside the gradient tape;
 * - 'folded frozen bottom + trainOnBatch(top)': the bottom (up to `cutAfter`) runs folded, outside
 *   the tape, and only the top trains: the same maths, the way our library can run it;
 * - 'bottom on a worker, pipelined with trainOnBatch(top)': the same step with both cores, the
 *   bottom of the next batch computed in a worker thread meanwhile;
 * - 'data-parallel, N workers': each worker runs the folded bottom and the top's forward and
 *   backward pass on its shard of the batch; the averaged gradients update every copy;
 * - 'fit on cached activations': the bottom's output computed once (DESIGN: cache the
 *   activations at the cut), each step trains only the top, through `fit` as the lab calls it,
 *   in one thread and with fit's default workers (A/B in the same run).
 * `workers` is passed to fit's data-parallel row; undefined leaves fit's default.
 */
export async function timeFineTuneStep(
  setup: FineTuneSetup, x: tf.Tensor4D, y: tf.Tensor2D, timing: TimingOptions, workers?: number,
): Promise<VariantResult[]> {
  const model = fineTuneModel(setup);
  const results: VariantResult[] = [];
  const step = async (m: tf.LayersModel, input: tf.Tensor) => {
    await m.trainOnBatch(input, y); // resolves after the loss is read back: a full step
  };
  const whole = 'trainOnBatch, whole model';
  if (x.shape[0] * x.shape[1] * x.shape[2] <= WHOLE_MODEL_MAX_PIXELS) {
    results.push(variant(whole, 1, await timeRepeated(() => step(model, x), timing)));
  } else {
    results.push({
      variant: whole, perSecond: null, seconds: [], unitsPerRep: 1,
      skipped: `not run: its gradient tape keeps every activation of the frozen bottom, over the 4 GB wasm heap above ${WHOLE_MODEL_MAX_PIXELS / (224 * 224)} images of 224x224`,
    });
  }

  const { bottom, top } = splitAt(model, setup.cutAfter);
  top.compile({ optimizer: tf.train.momentum(1e-3, 0.9), loss: 'categoricalCrossentropy' });
  const folded = foldForInference(bottom).model;
  try {
    results.push(variant('folded frozen bottom + trainOnBatch(top)', 1, await timeRepeated(async () => {
      const features = folded.predict(x) as tf.Tensor;
      await step(top, features);
      features.dispose();
    }, timing)));
    results.push(await timePipelinedSteps(bottom, top, x, y, timing));
    results.push(await timeDataParallelStep(bottom, top, x, y, timing));
    const cached = folded.predict(x) as tf.Tensor;
    try {
      results.push(await timeCachedFit(top, cached, y, 1, timing));
      const chosen = dataParallelWorkers(top, { x: cached, y }, undefined, { workers, batchSize: cached.shape[0] });
      if (chosen !== null) results.push(await timeCachedFit(top, cached, y, workers, timing));
    } finally {
      cached.dispose();
    }
  } finally {
    folded.dispose();
  }
  return results;
}

/** Steps per epoch of the cached `fit` variants: the cached batch repeated (a steady state needs a few). */
const CACHED_FIT_STEPS = 4;

/**
 * The lab's fine-tuning step: `fit` for one epoch of CACHED_FIT_STEPS batches of the cached
 * activations (`workers` as fit's option: 1 = one thread, undefined = fit's default). Timed from
 * onTrainBegin to onTrainEnd, so the figure is steps/s of training; the worker start-up, paid
 * once per fit call, is reported apart as `startupSeconds`.
 */
async function timeCachedFit(top: tf.LayersModel, cached: tf.Tensor, y: tf.Tensor2D, workers: number | undefined, timing: TimingOptions): Promise<VariantResult> {
  const xs = tf.concat(Array.from({ length: CACHED_FIT_STEPS }, () => cached));
  const ys = tf.concat(Array.from({ length: CACHED_FIT_STEPS }, () => y));
  const chosen = dataParallelWorkers(top, { x: xs, y: ys }, undefined, { workers, batchSize: cached.shape[0] }) ?? 1;
  const seconds: number[] = [];
  const startups: number[] = [];
  try {
    for (let i = 0; i < (timing.warmup ?? 1) + (timing.reps ?? 5); i++) {
      const called = performance.now();
      let began = called;
      await fit(top, { x: xs, y: ys }, {
        epochs: 1, batchSize: cached.shape[0], seed: i, verbose: 0, workers,
        callbacks: [{
          onTrainBegin: async () => { began = performance.now(); },
          onTrainEnd: async () => {
            if (i < (timing.warmup ?? 1)) return;
            seconds.push((performance.now() - began) / 1000);
            startups.push((began - called) / 1000);
          },
        }],
      });
    }
  } finally {
    tf.dispose([xs, ys]);
  }
  const name = chosen > 1 ? `fit on cached activations, ${chosen} workers (lab default)` : 'fit on cached activations, 1 thread';
  const result: VariantResult = { ...variant(name, CACHED_FIT_STEPS, { median: median(seconds), seconds }), cached: true };
  return chosen > 1 ? { ...result, startupSeconds: median(startups) } : result;
}

/** Steps per timed repetition of the pipelined variant (a steady state needs a few). */
const PIPELINED_STEPS = 4;

/**
 * Both cores on one training run: a worker thread runs the folded frozen bottom for the NEXT
 * batch while this thread trains the top on the current one (how a training loop over batches
 * that are not cached can run). Timed over PIPELINED_STEPS steps per repetition, so the figure is
 * a steady-state rate: steps / seconds. Worker start-up is not timed.
 */
async function timePipelinedSteps(bottom: tf.LayersModel, top: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D, timing: TimingOptions): Promise<VariantResult> {
  const pool = await FeatureWorkerPool.create(bottom, { workers: 1, fold: true, prefetch: 1 });
  const data = x.dataSync() as Float32Array;
  const shape = x.shape as [number, number, number, number];
  try {
    // Awaited one step later; marked handled now so a worker failure is not an unhandled rejection.
    const prefetch = () => {
      const result = pool.run({ kind: 'tensor', data, shape });
      result.catch(() => undefined);
      return result;
    };
    const steps = async () => {
      let next = prefetch();
      for (let i = 0; i < PIPELINED_STEPS; i++) {
        const ready = await next;
        if (i + 1 < PIPELINED_STEPS) next = prefetch();
        const features = tf.tensor(ready.data, ready.shape);
        await top.trainOnBatch(features, y);
        features.dispose();
      }
    };
    return variant('bottom on a worker, pipelined with trainOnBatch(top)', PIPELINED_STEPS, await timeRepeated(steps, timing));
  } finally {
    await pool.close();
  }
}

/**
 * The whole step split over the cores: N worker threads each take 32/N images through the folded
 * frozen bottom and the top (forward + backward), this thread averages their gradients and every
 * worker applies them (see DataParallelTrainer). Worker start-up is not timed.
 */
async function timeDataParallelStep(bottom: tf.LayersModel, top: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor2D, timing: TimingOptions): Promise<VariantResult> {
  const trainer = await DataParallelTrainer.create(top, { bottom, optimizer: tf.train.momentum(1e-3, 0.9) });
  try {
    const t = await timeRepeated(async () => { await trainer.trainOnBatch(x, y); }, timing);
    return variant(`data-parallel, ${trainer.size} workers (bottom folded + top)`, 1, t);
  } finally {
    await trainer.close();
  }
}
