/**
 * Entry point of a trainer worker thread (started by DataParallelTrainer): its own backend, its
 * own copy of the model and optimizer. On 'step' it runs the (folded, frozen) bottom and the
 * model on its shard, writes the gradients of the mean loss plus regularisation into the shared
 * exchange, averages its slice with the other workers' and applies the mean. Importing this file
 * outside such a worker does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend';
import { applyFrozenBatchNormRule } from '../transfer/batchnorm';
import { applyLeanLayerForms } from '../transfer/inference_forms';
import { makeOptimizer } from '../train/optimizer';
import { ExchangeMember } from './allreduce';
import { modelFromTransfer } from './artifacts';
import { foldForInference } from './fold';
import { FromTrainWorker, ToTrainWorker, TRAIN_WORKER_MARK, TrainerOptimizer, TrainWorkerInit } from './train_protocol';
import { describeError } from './worker_errors';

function isInit(data: unknown): data is TrainWorkerInit {
  return typeof data === 'object' && data !== null && (data as { mark?: unknown }).mark === TRAIN_WORKER_MARK;
}

function post(message: FromTrainWorker, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

/** The trainer's optimizer through the library's one factory (same Adam / SGD-with-momentum). */
function trainerOptimizer(o: TrainerOptimizer): tf.Optimizer {
  return makeOptimizer({ optimizer: o.name, learningRate: o.learningRate, momentum: o.momentum });
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

  const total = variables.reduce((n, v) => n + v.size, 0);
  if (total !== init.exchange.total) {
    throw new Error(`the model has ${total} trainable parameters here, the trainer expected ${init.exchange.total}`);
  }
  let member: ExchangeMember | null = null; // its rank is the worker's slot, the same every step

  /** Writes the gradients of the shard's mean loss (plus penalties) into `out`; returns the loss. */
  const gradients = (x: tf.Tensor, y: tf.Tensor, out: Float32Array): number => {
    const input = bottom === null ? x : (bottom.predict(x) as tf.Tensor);
    const { value, grads: named } = tf.variableGrads(() => tf.tidy(() => {
      const output = model.apply(input, { training: true }) as tf.Tensor;
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
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(named)]);
    return loss;
  };

  const step = (message: Extract<ToTrainWorker, { type: 'step' }>): void => {
    member ??= new ExchangeMember(init.exchange, message.rank);
    let loss = 0;
    let failure: unknown = null;
    try {
      if (message.x !== null && message.y !== null) {
        const x = tf.tensor(message.x.data, message.x.shape);
        const y = tf.tensor(message.y.data, message.y.shape);
        try {
          loss = gradients(x, y, member.own);
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
    post({ type: 'stepped', id: message.id, loss });
  };

  parentPort!.on('message', (message: ToTrainWorker) => {
    try {
      if (message.type === 'step') {
        step(message);
      } else if (message.type === 'weights') {
        const values = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
        post({ type: 'weights', id: message.id, values }, values.map((v) => v.buffer as ArrayBuffer));
      }
    } catch (err) {
      post(describeError(message.id, err));
    }
  });
  post({ type: 'ready', backend: backend.name, trainable: variables.length, seconds: (performance.now() - start) / 1000 });
}

if (parentPort !== null && isInit(workerData)) {
  serve(workerData).catch((err) => post(describeError(null, err)));
}
