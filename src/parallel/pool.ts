/**
 * Worker threads that each run a copy of a frozen model on their OWN backend (wasm: one
 * WebAssembly instance per thread), so a 2-core machine runs two batches at once. The model is
 * serialized once (`modelToTransfer`) and loaded in every worker; tasks are whole batches, handed
 * to whichever worker is free; answers come back as plain Float32Arrays.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend';
import { ModelError } from '../errors';
import { modelToTransfer } from './artifacts';
import type { FoldReport } from './fold';
import { FeatureTask, FromWorker, TaskResult, ToWorker, WORKER_MARK, WorkerInit } from './protocol';
import { startWorkers, WorkerLink } from './worker_start';
import { defaultWorkerCount } from './workers';

/** Options of `FeatureWorkerPool.create`. */
export interface FeatureWorkerPoolOptions {
  /** Number of worker threads. Defaults to `defaultWorkerCount()`: env TRANSFER_LAB_WORKERS, else the number of cores. */
  workers?: number;
  /** Fold BatchNormalization / ReLU / ZeroPadding2D into the convolutions in each worker (see foldForInference). Defaults to true. */
  fold?: boolean;
  /** Backend each worker sets up. Defaults to 'wasm' (with 'tensorflow', one process already uses every core). */
  backend?: BackendName;
  /**
   * Batches sent to a worker before it answers. 2 lets a worker decode its next batch (in
   * libvips' threads) while it predicts the current one. Defaults to 2.
   */
  prefetch?: number;
}

interface Pending {
  task: FeatureTask;
  resolve: (result: TaskResult) => void;
  reject: (err: Error) => void;
}

type Reply = Exclude<FromWorker, { type: 'ready' }>;

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ModelError(`FeatureWorkerPool.create(): options.${name} must be a whole number >= ${min}, received ${JSON.stringify(value)}.`);
  }
}

/**
 * A pool of feature workers. Create with `FeatureWorkerPool.create`, `run` batches, `close` at
 * the end (idle workers do not keep the process alive, but they hold memory).
 *
 * @example
 * const pool = await FeatureWorkerPool.create(base, { workers: 2 });
 * const parts = await pool.runAll(batches.map((paths) => ({ kind: 'files', paths, targetSize: [224, 224],
 *   interpolation: 'nearest', keepAspectRatio: false, preprocess: 'tf' })));
 * await pool.close();
 */
export class FeatureWorkerPool {
  /** Number of workers. */
  readonly size: number;
  /** The backend the workers run ('wasm' unless asked otherwise). */
  readonly backend: string;
  /** What folding changed in each worker's model, or null without folding. */
  readonly fold: FoldReport | null;
  /** Seconds it took to serialize the model and start every worker (backend + model load). */
  readonly startupSeconds: number;
  private readonly slots: WorkerLink<Reply>[];
  private readonly prefetch: number;
  private readonly queue: Pending[] = [];
  private closed = false;

  private constructor(slots: WorkerLink<Reply>[], ready: Extract<FromWorker, { type: 'ready' }>, prefetch: number, startupSeconds: number) {
    this.slots = slots;
    this.size = slots.length;
    this.backend = ready.backend;
    this.fold = ready.fold;
    this.prefetch = prefetch;
    this.startupSeconds = startupSeconds;
  }

  /** Starts the workers and waits until each has its backend and model ready. */
  static async create(model: tf.LayersModel, options: FeatureWorkerPoolOptions = {}): Promise<FeatureWorkerPool> {
    const start = performance.now();
    const workers = options.workers ?? defaultWorkerCount();
    const prefetch = options.prefetch ?? 2;
    checkCount('workers', workers, 1);
    checkCount('prefetch', prefetch, 1);
    const init: WorkerInit = {
      mark: WORKER_MARK,
      model: await modelToTransfer(model),
      fold: options.fold ?? true,
      backend: options.backend ?? 'wasm',
    };
    // sharp's docs: on glibc Linux the main thread must load sharp before workers do, so its
    // shared libraries stay loaded until every worker has exited.
    require('sharp');
    // Each reply or failure frees a slot: dispatch the queue (the pool exists by then).
    let pool: FeatureWorkerPool | null = null;
    const { links, readies } = await startWorkers<Extract<FromWorker, { type: 'ready' }>, Reply>(
      'worker', workers, init, { caller: 'FeatureWorkerPool.create()', owner: 'FeatureWorkerPool' }, () => pool?.dispatch(),
    );
    pool = new FeatureWorkerPool(links, readies[0], prefetch, (performance.now() - start) / 1000);
    return pool;
  }

  /** Runs one batch on the next free worker. */
  run(task: FeatureTask): Promise<TaskResult> {
    if (this.closed) return Promise.reject(new ModelError('FeatureWorkerPool.run(): the pool is closed; create a new one.'));
    return new Promise<TaskResult>((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Runs every batch and returns the results in the order of `tasks` (whichever worker finished
   * first). `onResult` is called as each one arrives, e.g. for a progress bar.
   */
  async runAll(tasks: readonly FeatureTask[], onResult?: (result: TaskResult, index: number) => void): Promise<TaskResult[]> {
    return Promise.all(tasks.map(async (task, i) => {
      const result = await this.run(task);
      onResult?.(result, i);
      return result;
    }));
  }

  /** Stops every worker. Pending batches are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new ModelError('FeatureWorkerPool: closed while batches were still pending.');
    for (const p of this.queue.splice(0)) p.reject(err);
    await Promise.all(this.slots.map((s) => s.close(err)));
  }

  private dispatch(): void {
    // Least-loaded first, so 2 batches on 2 workers go one to each, not both to the first.
    while (this.queue.length > 0) {
      const open = this.slots.filter((s) => s.failure === null && s.inFlight < this.prefetch);
      if (open.length === 0) break;
      const slot = open.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      const pending = this.queue.shift()!;
      const message: Omit<ToWorker, 'id'> = { type: 'task', task: pending.task };
      slot.send(message).then((reply) => {
        if (reply.type === 'result') pending.resolve(reply.result);
        else pending.reject(new ModelError(`FeatureWorkerPool: unexpected '${reply.type}' reply.`));
      }, pending.reject);
    }
    if (this.queue.length > 0 && this.slots.every((s) => s.failure !== null)) {
      const cause = this.slots[0].failure!;
      for (const p of this.queue.splice(0)) p.reject(cause);
    }
  }
}
