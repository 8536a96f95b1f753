/**
 * Entry point of a trainer worker thread (started by DataParallelTrainer): its own backend, its
 * own copy of the model and optimizer. On 'grads' it runs the (folded, frozen) bottom and the
 * model on its shard and returns the gradients of the mean loss plus regularisation; on 'apply'
 * it applies the averaged gradients. Importing this file outside such a worker does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend';
import { applyFrozenBatchNormRule } from '../transfer/batchnorm';
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

function makeOptimizer(o: TrainerOptimizer): tf.Optimizer {
  if (o.name === 'adam') return tf.train.adam(o.learningRate);
  return o.momentum ? tf.train.momentum(o.learningRate, o.momentum) : tf.train.sgd(o.learningRate);
}

async function serve(init: TrainWorkerInit): Promise<void> {
  const start = performance.now();
  const backend = await setupBackend({ prefer: init.backend, quiet: true });
  const model = await modelFromTransfer(init.model);
  applyFrozenBatchNormRule(model); // frozen BN normalises with its moving statistics, as in the main thread
  const bottom = init.bottom === null ? null : foldForInference(await modelFromTransfer(init.bottom)).model;
  const optimizer = makeOptimizer(init.optimizer);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);

  const grads = (x: tf.Tensor, y: tf.Tensor): { loss: number; grads: Float32Array[] } => {
    const input = bottom === null ? x : (bottom.predict(x) as tf.Tensor);
    const { value, grads: named } = tf.variableGrads(() => tf.tidy(() => {
      const out = model.apply(input, { training: true }) as tf.Tensor;
      let loss = tf.mean(tf.metrics.categoricalCrossentropy(y, out)) as tf.Scalar;
      for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
      return loss;
    }), variables);
    if (input !== x) input.dispose();
    // wasm's dataSync returns a fresh copy, safe to transfer; the cpu backend's is the tensor's own storage.
    const copy = (a: Float32Array) => (backend.name === 'wasm' ? a : a.slice());
    const result = { loss: value.dataSync()[0], grads: variables.map((v) => copy(named[v.name].dataSync() as Float32Array)) };
    tf.dispose([value, ...Object.values(named)]);
    return result;
  };

  parentPort!.on('message', (message: ToTrainWorker) => {
    try {
      if (message.type === 'grads') {
        const x = tf.tensor(message.x.data, message.x.shape);
        const y = tf.tensor(message.y.data, message.y.shape);
        const out = grads(x, y);
        tf.dispose([x, y]);
        post({ type: 'grads', id: message.id, loss: out.loss, grads: out.grads }, out.grads.map((g) => g.buffer as ArrayBuffer));
      } else if (message.type === 'apply') {
        const list = variables.map((v, i) => ({ name: v.name, tensor: tf.tensor(message.grads[i], v.shape) }));
        optimizer.applyGradients(list);
        tf.dispose(list.map((g) => g.tensor));
        post({ type: 'applied', id: message.id });
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
