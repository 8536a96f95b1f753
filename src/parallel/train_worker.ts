/**
 * Entry point of a trainer worker thread (started by DataParallelTrainer): its own backend, its
 * own copy of the model and optimizer. On 'step' it runs the (folded, frozen) bottom and the
 * model on its shard, writes the gradients of the mean loss plus regularisation into the shared
 * exchange, averages its slice with the other workers' and applies the mean. 'state' and 'load'
 * move the trainable weights and the optimizer state to and from the main thread (`fit` does at
 * each epoch's edges, so callbacks see and change the model as in one thread). Importing this
 * file outside such a worker does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend';
import { applyFrozenBatchNormRule } from '../transfer/batchnorm';
import { applyLeanLayerForms } from '../transfer/inference_forms';
import { leafLayers } from '../transfer/layer_lookup';
import { setLearningRate } from '../train/learning_rate';
import { ExchangeMember } from './allreduce';
import { modelFromTransfer } from './artifacts';
import { foldForInference } from './fold';
import { FromTrainWorker, NamedArray, ToTrainWorker, TRAIN_WORKER_MARK, TrainerOptimizer, TrainerState, TrainWorkerInit } from './train_protocol';
import { describeError } from './worker_errors';

function isInit(data: unknown): data is TrainWorkerInit {
  return typeof data === 'object' && data !== null && (data as { mark?: unknown }).mark === TRAIN_WORKER_MARK;
}

function post(message: FromTrainWorker, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

/** The main thread's optimizer rebuilt from its class name and config, as tfjs deserializes it. */
function trainerOptimizer(o: TrainerOptimizer): tf.Optimizer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[o.className];
  if (entry === undefined) throw new Error(`optimizer class '${o.className}' is not registered with tfjs; use SGD, Momentum, RMSProp, Adam or Adamax`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, o.config as tf.serialization.ConfigDict) as tf.Optimizer;
}

/**
 * Dropout layers with a seed draw the same mask at every call (tfjs seeds each draw with that one
 * number). Moving the seed on per step and rank gives new, reproducible masks, as the lab's
 * seeded dropout does in one thread. Layers without a seed stay random.
 */
function seededDropouts(model: tf.LayersModel): Array<{ layer: { seed?: number }; seed: number }> {
  return leafLayers(model)
    .filter((l) => l.getClassName() === 'Dropout' && typeof l.getConfig().seed === 'number')
    .map((l) => ({ layer: l as unknown as { seed?: number }, seed: l.getConfig().seed as number }));
}

async function serve(init: TrainWorkerInit): Promise<void> {
  const start = performance.now();
  const backend = await setupBackend({ prefer: init.backend, quiet: true });
  const model = await modelFromTransfer(init.model);
  applyFrozenBatchNormRule(model); // frozen BN normalises with its moving statistics, as in the main thread
  applyLeanLayerForms(model);
  const bottom = init.bottom === null ? null : foldForInference(await modelFromTransfer(init.bottom)).model;
  const optimizer = trainerOptimizer(init.optimizer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropouts = seededDropouts(model);

  const total = variables.reduce((n, v) => n + v.size, 0);
  if (total !== init.exchange.total) {
    throw new Error(`the model has ${total} trainable parameters here, the trainer expected ${init.exchange.total}`);
  }
  let member: ExchangeMember | null = null; // its rank is the worker's slot, the same every step

  /** Writes the gradients of the shard's mean loss (plus penalties) into `out`; returns the loss and the rows classified right. */
  const gradients = (x: tf.Tensor, y: tf.Tensor, out: Float32Array): { loss: number; correct: number } => {
    const input = bottom === null ? x : (bottom.predict(x) as tf.Tensor);
    let correct: tf.Tensor | null = null;
    const { value, grads: named } = tf.variableGrads(() => tf.tidy(() => {
      const output = model.apply(input, { training: true }) as tf.Tensor;
      correct = tf.keep(tf.sum(tf.equal(tf.argMax(output, -1), tf.argMax(y, -1))));
      let loss = tf.mean(tf.metrics.categoricalCrossentropy(y, output)) as tf.Scalar;
      for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
      return loss;
    }), variables);
    if (input !== x) input.dispose();
    let offset = 0;
    for (const v of variables) {
      out.set(named[v.name].dataSync() as Float32Array, offset);
      offset += v.size;
    }
    const result = { loss: value.dataSync()[0], correct: (correct as tf.Tensor | null)?.dataSync()[0] ?? 0 };
    tf.dispose([value, ...Object.values(named), ...(correct === null ? [] : [correct])]);
    return result;
  };

  const state = async (): Promise<TrainerState> => ({
    weights: variables.map((v) => v.dataSync().slice() as Float32Array),
    optimizer: await Promise.all((await optimizer.getWeights()).map(async (w, i): Promise<NamedArray> => {
      const data = (await w.tensor.data()).slice() as Float32Array;
      if (i === 0) w.tensor.dispose(); // iterations: a new scalar; the rest are the optimizer's own variables
      return { name: w.name, data, shape: w.tensor.shape };
    })),
  });

  const load = async (message: Extract<ToTrainWorker, { type: 'load' }>): Promise<void> => {
    const { weights, optimizer: slots } = message.state;
    if (weights.length !== variables.length) throw new Error(`load: ${weights.length} weights for ${variables.length} trainable variables`);
    variables.forEach((v, i) => {
      const t = tf.tensor(weights[i], v.shape);
      v.assign(t);
      t.dispose();
    });
    const old = await optimizer.getWeights();
    const list = slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) }));
    await optimizer.setWeights(list);
    // setWeights makes new variables: the old slots, the iterations scalar and the inputs are garbage.
    tf.dispose([...old.map((w) => w.tensor), ...list.map((w) => w.tensor)]);
    setLearningRate(optimizer, message.learningRate, 'train worker');
  };

  const step = (message: Extract<ToTrainWorker, { type: 'step' }>): void => {
    member ??= new ExchangeMember(init.exchange, message.rank);
    let shard = { loss: 0, correct: 0 };
    let failure: unknown = null;
    if (message.step !== null) {
      for (const d of dropouts) d.layer.seed = d.seed + message.step * init.exchange.workers + message.rank;
    }
    try {
      if (message.x !== null && message.y !== null) {
        const x = tf.tensor(message.x.data, message.x.shape);
        const y = tf.tensor(message.y.data, message.y.shape);
        try {
          shard = gradients(x, y, member.own);
        } finally {
          tf.dispose([x, y]);
        }
      }
    } catch (err) {
      failure = err;
      member.fail();
    }
    // Every worker passes both barriers, also after a failure, so none waits forever.
    member.barrier();
    const failed = member.failed();
    if (!failed) member.average(message.weights);
    member.barrier();
    if (failure !== null) throw failure;
    if (failed) throw new Error('another worker failed this step; no update was applied');
    const mean = member.mean;
    let offset = 0;
    const list = variables.map((v) => {
      const tensor = tf.tensor(mean.subarray(offset, offset + v.size), v.shape);
      offset += v.size;
      return { name: v.name, tensor };
    });
    optimizer.applyGradients(list);
    tf.dispose(list.map((g) => g.tensor));
    post({ type: 'stepped', id: message.id, loss: shard.loss, correct: shard.correct });
  };

  // Messages are handled one at a time, in order: 'load' is async and must finish before the next step.
  let queue = Promise.resolve();
  const handle = async (message: ToTrainWorker): Promise<void> => {
    try {
      if (message.type === 'step') {
        step(message);
      } else if (message.type === 'state') {
        const s = await state();
        post({ type: 'state', id: message.id, state: s }, [...s.weights, ...s.optimizer.map((o) => o.data)].map((a) => a.buffer as ArrayBuffer));
      } else if (message.type === 'load') {
        await load(message);
        post({ type: 'loaded', id: message.id });
      }
    } catch (err) {
      post(describeError(message.id, err));
    }
  };
  parentPort!.on('message', (message: ToTrainWorker) => {
    queue = queue.then(() => handle(message));
  });
  post({ type: 'ready', backend: backend.name, trainable: variables.length, seconds: (performance.now() - start) / 1000 });
}

if (parentPort !== null && isInit(workerData)) {
  serve(workerData).catch((err) => post(describeError(null, err)));
}
