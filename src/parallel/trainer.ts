/**
 * Training on every core without libtensorflow: data-parallel steps over worker threads, each
 * with its own wasm backend and an identical copy of the model and optimizer. A batch is cut into
 * one shard per worker; the workers average the gradients of their shards' mean losses among
 * themselves in shared memory (weighted by shard size, so the step equals one full-batch step up
 * to rounding; see ./allreduce) and every worker applies the same average, which keeps the copies
 * identical. This thread only sends the shards and collects the losses: one message each way.
 * With a frozen `bottom`, the workers also run it (folded) on their shard first: the whole
 * fine-tuning step, bottom included, is split over the cores.
 * @see scripts/bench.mjs
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend';
import { ModelError, TrainError } from '../errors';
import { createExchange, GradientExchange, resetExchange } from './allreduce';
import { modelToTransfer } from './artifacts';
import { rebuildError, startWorkers } from './pool';
import { FromTrainWorker, ToTrainWorker, TRAIN_WORKER_MARK, TrainerOptimizer, TrainWorkerInit } from './train_protocol';
import { defaultWorkerCount } from './workers';

/** Options of `DataParallelTrainer.create`. */
export interface DataParallelTrainerOptions {
  /** Worker threads. Defaults to `defaultWorkerCount()`: env TRANSFER_LAB_WORKERS, else the number of cores. */
  workers?: number;
  /** Optimizer of every copy. Defaults to Adam with learning rate 1e-3. */
  optimizer?: TrainerOptimizer;
  /** A frozen model applied to each shard before `model` (folded in the workers). Defaults to none. */
  bottom?: tf.LayersModel;
  /** Backend of the workers. Defaults to 'wasm'. */
  backend?: BackendName;
}

type Reply = Exclude<FromTrainWorker, { type: 'ready' }>;

interface Slot {
  worker: Worker;
  waiting: Map<number, { resolve: (m: Reply) => void; reject: (e: Error) => void }>;
  failure: Error | null;
}

/**
 * Trains a model's trainable weights with softmax cross-entropy (plus its regularisers) on worker
 * threads. `model` is not changed until `copyWeightsTo`.
 *
 * @example
 * const trainer = await DataParallelTrainer.create(upper, { optimizer: { name: 'adam', learningRate: 1e-5 } });
 * for (const [x, y] of batches) await trainer.trainOnBatch(x, y);
 * await trainer.copyWeightsTo(upper);
 * await trainer.close();
 */
export class DataParallelTrainer {
  /** Number of workers. */
  readonly size: number;
  /** Backend the workers run. */
  readonly backend: string;
  /** Seconds to serialize the model and start every worker. */
  readonly startupSeconds: number;
  private readonly slots: Slot[];
  private readonly exchange: GradientExchange;
  private nextId = 0;
  private closed = false;
  private stepping = false;

  private constructor(slots: Slot[], exchange: GradientExchange, backend: string, startupSeconds: number) {
    this.slots = slots;
    this.exchange = exchange;
    this.size = slots.length;
    this.backend = backend;
    this.startupSeconds = startupSeconds;
    for (const slot of slots) this.listen(slot);
  }

  /** Starts the workers, each loading `model` (and `bottom`) and building the optimizer. */
  static async create(model: tf.LayersModel, options: DataParallelTrainerOptions = {}): Promise<DataParallelTrainer> {
    const start = performance.now();
    const workers = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(workers) || workers < 1) {
      throw new ModelError(`DataParallelTrainer.create(): options.workers must be a whole number >= 1, received ${JSON.stringify(workers)}.`);
    }
    if (model.trainableWeights.length === 0) {
      throw new TrainError(`DataParallelTrainer.create(): model '${model.name}' has no trainable weights; unfreeze the layers to train first.`);
    }
    const exchange = createExchange(workers, model.trainableWeights.reduce((n, w) => n + w.read().size, 0));
    const init: TrainWorkerInit = {
      mark: TRAIN_WORKER_MARK,
      exchange,
      model: await modelToTransfer(model),
      bottom: options.bottom ? await modelToTransfer(options.bottom) : null,
      optimizer: options.optimizer ?? { name: 'adam', learningRate: 1e-3 },
      backend: options.backend ?? 'wasm',
    };
    const { workers: threads, readies } = await startWorkers<Extract<FromTrainWorker, { type: 'ready' }>>(
      'train_worker', workers, init, 'DataParallelTrainer.create()',
    );
    const slots: Slot[] = threads.map((worker) => ({ worker, waiting: new Map(), failure: null }));
    if (readies[0].trainable !== model.trainableWeights.length) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw new ModelError(
        `DataParallelTrainer.create(): the workers see ${readies[0].trainable} trainable weights, this thread ${model.trainableWeights.length}; ` +
          'freeze/unfreeze flags did not survive serialization.',
      );
    }
    return new DataParallelTrainer(slots, exchange, readies[0].backend, (performance.now() - start) / 1000);
  }

  /**
   * One optimizer step on the batch `x` (inputs of `bottom`, or of the model) with one-hot labels
   * `y`; returns the batch's mean loss. Rows are split into one contiguous shard per worker.
   */
  async trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<number> {
    const rows = x.shape[0];
    if (rows !== y.shape[0]) throw new TrainError(`DataParallelTrainer.trainOnBatch(): x has ${rows} rows but y has ${y.shape[0]}.`);
    // The workers share one exchange: steps must not overlap.
    if (this.stepping) throw new TrainError('DataParallelTrainer.trainOnBatch(): the previous step is still running; await it first.');
    this.stepping = true;
    try {
      const xData = (await x.data()) as Float32Array;
      const yData = (await y.data()) as Float32Array;
      const xRow = xData.length / rows;
      const yRow = yData.length / rows;
      const bounds = Array.from({ length: this.size + 1 }, (_, i) => Math.round((i * rows) / this.size));
      // Weighted by shard size: the mean over the whole batch, as one full-batch step computes it.
      const weights = bounds.slice(0, -1).map((from, i) => (bounds[i + 1] - from) / rows);
      resetExchange(this.exchange);
      const replies = await Promise.all(weights.map((w, rank) => {
        const from = bounds[rank];
        const to = bounds[rank + 1];
        const shard = (data: Float32Array, width: number, shape: number[]) =>
          w === 0 ? null : { data: data.slice(from * width, to * width), shape: [to - from, ...shape.slice(1)] };
        const xs = shard(xData, xRow, x.shape);
        const ys = shard(yData, yRow, y.shape);
        const transfer = [xs, ys].flatMap((s) => (s === null ? [] : [s.data.buffer as ArrayBuffer]));
        return this.ask(rank, { type: 'step', id: 0, rank, weights, x: xs, y: ys }, transfer);
      }));
      return replies.reduce((loss, reply, rank) => {
        if (reply.type !== 'stepped') throw new ModelError(`DataParallelTrainer: unexpected '${reply.type}' reply.`);
        return loss + weights[rank] * reply.loss;
      }, 0);
    } finally {
      this.stepping = false;
    }
  }

  /** Copies the trained weights (from the first worker; all hold the same) into `model`. */
  async copyWeightsTo(model: tf.LayersModel): Promise<void> {
    const reply = await this.ask(0, { type: 'weights', id: 0 });
    if (reply.type !== 'weights') throw new ModelError(`DataParallelTrainer: unexpected '${reply.type}' reply.`);
    const current = model.getWeights();
    if (current.length !== reply.values.length) {
      throw new ModelError(`DataParallelTrainer.copyWeightsTo(): model '${model.name}' has ${current.length} weights, the workers ${reply.values.length}; pass the model the trainer was created with.`);
    }
    const tensors = reply.values.map((v, i) => tf.tensor(v, current[i].shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ModelError('DataParallelTrainer: closed while a step was running.');
    for (const slot of this.slots) {
      for (const w of slot.waiting.values()) w.reject(err);
      slot.waiting.clear();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private ask(index: number, message: ToTrainWorker, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.closed) return Promise.reject(new ModelError('DataParallelTrainer: closed; create a new one.'));
    const slot = this.slots[index];
    if (slot.failure) return Promise.reject(slot.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private listen(slot: Slot): void {
    const fail = (err: Error) => {
      if (slot.failure) return;
      slot.failure = new ModelError(`DataParallelTrainer: a worker stopped (${err.message}).`);
      for (const w of slot.waiting.values()) w.reject(slot.failure);
      slot.waiting.clear();
    };
    slot.worker.on('message', (message: FromTrainWorker) => {
      if (message.type === 'ready') return;
      const waiting = message.id === null ? undefined : slot.waiting.get(message.id);
      if (waiting === undefined) {
        if (message.type === 'error') fail(new Error(`${message.name}: ${message.message}`));
        return;
      }
      slot.waiting.delete(message.id!);
      if (slot.waiting.size === 0) slot.worker.unref();
      if (message.type === 'error') waiting.reject(rebuildError(message));
      else waiting.resolve(message);
    });
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`exit code ${code}`));
    });
  }
}
