/**
 * Training on every core without libtensorflow: data-parallel steps over worker threads, each
 * with its own wasm backend and an identical copy of the model and optimizer. A batch is cut into
 * one shard per worker; the workers average the gradients of their shards' mean losses among
 * themselves in shared memory (weighted by shard size, so the step equals one full-batch step up
 * to rounding; see ./allreduce) and every worker applies the same average, which keeps the copies
 * identical. This thread only sends the shards and collects the losses: one message each way.
 * With a frozen `bottom`, the workers also run it (folded) on their shard first: the whole
 * fine-tuning step, bottom included, is split over the cores. `fit` trains through it when a
 * model's step is big enough (see ../train/data_parallel_fit).
 * @see scripts/bench.mjs
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend';
import { ModelError, TrainError } from '../errors';
import { getLearningRate } from '../train/learning_rate';
import { createExchange, GradientExchange, resetExchange } from './allreduce';
import { modelToTransfer } from './artifacts';
import { FromTrainWorker, NamedArray, ToTrainWorker, TRAIN_WORKER_MARK, TrainerState, TrainWorkerInit } from './train_protocol';
import { startWorkers, WorkerLink } from './worker_start';
import { defaultWorkerCount } from './workers';

/** Options of `DataParallelTrainer.create`. */
export interface DataParallelTrainerOptions {
  /** Worker threads. Defaults to `defaultWorkerCount()`: env TRANSFER_LAB_WORKERS, else the number of cores. */
  workers?: number;
  /** Optimizer whose class and config every copy rebuilds (its state is not copied; see `load`). Defaults to Adam with learning rate 1e-3. */
  optimizer?: tf.Optimizer;
  /** A frozen model applied to each shard before `model` (folded in the workers). Defaults to none. */
  bottom?: tf.LayersModel;
  /** Backend of the workers. Defaults to 'wasm'. */
  backend?: BackendName;
}

/** What one step returns. */
export interface StepResult {
  /** The batch's mean loss (plus the model's penalties), as `trainOnBatch` in one thread reports it. */
  loss: number;
  /** Fraction of rows whose top class is the label's top class. */
  accuracy: number;
}

type Reply = Exclude<FromTrainWorker, { type: 'ready' }>;
/** A request before its id is assigned (per member of the union). */
type Request = ToTrainWorker extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

/**
 * Trains a model's trainable weights with softmax cross-entropy (plus its regularisers) on worker
 * threads. `model` is not changed until `copyStateTo`.
 *
 * @example
 * const trainer = await DataParallelTrainer.create(upper, { optimizer: tf.train.adam(1e-5) });
 * for (const [x, y] of batches) await trainer.trainOnBatch(x, y);
 * await trainer.copyStateTo(upper);
 * await trainer.close();
 */
export class DataParallelTrainer {
  /** Number of workers. */
  readonly size: number;
  /** Backend the workers run. */
  readonly backend: string;
  /** Seconds to serialize the model and start every worker. */
  readonly startupSeconds: number;
  private readonly links: WorkerLink<Reply>[];
  private readonly exchange: GradientExchange;
  private closed = false;
  private stepping = false;

  private constructor(links: WorkerLink<Reply>[], exchange: GradientExchange, backend: string, startupSeconds: number) {
    this.links = links;
    this.exchange = exchange;
    this.size = links.length;
    this.backend = backend;
    this.startupSeconds = startupSeconds;
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
    const optimizer = options.optimizer ?? tf.train.adam(1e-3);
    const spec = { className: optimizer.getClassName(), config: optimizer.getConfig() as Record<string, unknown> };
    if (options.optimizer === undefined) optimizer.dispose();
    const init: TrainWorkerInit = {
      mark: TRAIN_WORKER_MARK,
      exchange,
      model: await modelToTransfer(model),
      bottom: options.bottom ? await modelToTransfer(options.bottom) : null,
      optimizer: spec,
      backend: options.backend ?? 'wasm',
    };
    const { links, readies } = await startWorkers<Extract<FromTrainWorker, { type: 'ready' }>, Reply>(
      'train_worker', workers, init, { caller: 'DataParallelTrainer.create()', owner: 'DataParallelTrainer' },
    );
    if (readies[0].trainable !== model.trainableWeights.length) {
      await Promise.all(links.map((l) => l.close(new ModelError('DataParallelTrainer.create(): stopped'))));
      throw new ModelError(
        `DataParallelTrainer.create(): the workers see ${readies[0].trainable} trainable weights, this thread ${model.trainableWeights.length}; ` +
          'freeze/unfreeze flags did not survive serialization.',
      );
    }
    return new DataParallelTrainer(links, exchange, readies[0].backend, (performance.now() - start) / 1000);
  }

  /**
   * One optimizer step on the batch `x` (inputs of `bottom`, or of the model) with one-hot labels
   * `y`; returns the batch's mean loss and accuracy. Rows are split into one contiguous shard per
   * worker. `step` (the step's number in the run) seeds the masks of Dropout layers that have a seed.
   */
  async trainOnBatch(x: tf.Tensor, y: tf.Tensor, step: number | null = null): Promise<StepResult> {
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
        return this.ask(rank, { type: 'step', rank, weights, x: xs, y: ys, step }, transfer);
      }));
      let loss = 0;
      let correct = 0;
      replies.forEach((reply, rank) => {
        if (reply.type !== 'stepped') throw new ModelError(`DataParallelTrainer: unexpected '${reply.type}' reply.`);
        loss += weights[rank] * reply.loss;
        correct += reply.correct;
      });
      return { loss, accuracy: correct / rows };
    } finally {
      this.stepping = false;
    }
  }

  /**
   * Copies the trained state (from the first worker; all hold the same) into `model`'s trainable
   * weights and, when given, into `optimizer` (its slots: iterations, momentum, Adam moments), so
   * a checkpoint saved now holds what the workers hold.
   */
  async copyStateTo(model: tf.LayersModel, optimizer?: tf.Optimizer): Promise<void> {
    const reply = await this.ask(0, { type: 'state' });
    if (reply.type !== 'state') throw new ModelError(`DataParallelTrainer: unexpected '${reply.type}' reply.`);
    const { weights, optimizer: slots } = reply.state;
    const targets = model.trainableWeights;
    if (targets.length !== weights.length) {
      throw new ModelError(`DataParallelTrainer.copyStateTo(): model '${model.name}' has ${targets.length} trainable weights, the workers ${weights.length}; pass the model the trainer was created with.`);
    }
    targets.forEach((w, i) => {
      const t = tf.tensor(weights[i], w.read().shape);
      w.write(t);
      t.dispose();
    });
    if (optimizer !== undefined) {
      const old = await optimizer.getWeights();
      const list = slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) }));
      await optimizer.setWeights(list);
      // setWeights makes new variables: the old slots, the iterations scalar and the inputs are garbage.
      tf.dispose([...old.map((w) => w.tensor), ...list.map((w) => w.tensor)]);
    }
  }

  /**
   * Gives every worker `model`'s trainable weights and `optimizer`'s slots and learning rate, e.g.
   * after a callback changed them (ReduceLROnPlateau, a resumed checkpoint, restored weights).
   */
  async load(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
    const weights = model.trainableWeights.map((w) => w.read().dataSync().slice() as Float32Array);
    const named = await optimizer.getWeights();
    const slots: NamedArray[] = await Promise.all(named.map(async (w) => ({ name: w.name, data: (await w.tensor.data()).slice() as Float32Array, shape: w.tensor.shape })));
    named[0]?.tensor.dispose(); // iterations: a new scalar; the rest are the optimizer's own variables
    const state: TrainerState = { weights, optimizer: slots };
    const learningRate = getLearningRate(optimizer, 'DataParallelTrainer.load()');
    // Each worker gets its own copy: a transferred buffer can go to one thread only.
    await Promise.all(this.links.map((_, rank) => this.ask(rank, { type: 'load', state: rank === 0 ? state : structuredClone(state), learningRate })));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ModelError('DataParallelTrainer: closed while a step was running.');
    await Promise.all(this.links.map((l) => l.close(err)));
  }

  private ask(rank: number, message: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.closed) return Promise.reject(new ModelError('DataParallelTrainer: closed; create a new one.'));
    return this.links[rank].send(message, transfer);
  }
}
