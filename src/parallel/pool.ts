/**
 * Worker threads that each run a copy of a frozen model on their OWN backend (wasm: one
 * WebAssembly instance per thread), so a 2-core machine runs two batches at once. The model is
 * serialized once (`modelToTransfer`) and loaded in every worker; tasks are whole batches, handed
 * to whichever worker is free; answers come back as plain Float32Arrays.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend';
import { ModelError } from '../errors';
import { modelToTransfer } from './artifacts';
import type { FoldReport } from './fold';
import { FeatureTask, FromWorker, TaskResult, ToWorker, WORKER_MARK, WorkerInit } from './protocol';
import { errorOfFamily, type ErrorFamily } from './worker_errors';
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
  id: number;
  task: FeatureTask;
  resolve: (result: TaskResult) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
  failure: Error | null;
}

/**
 * How to start a worker whose entry is `<name>.ts` / `<name>.js` in this folder: the compiled .js
 * entry, or (running from TS sources under tsx) a bootstrap that registers tsx first.
 */
export function workerEntry(name = 'worker'): { filename: string; evalCode: boolean } {
  if (!__filename.endsWith('.ts')) return { filename: path.join(__dirname, `${name}.js`), evalCode: false };
  // Node 20 workers do not inherit tsx's `--import` loader for their entry file, but tsx's
  // CommonJS hook registered inside the worker handles the .ts entry and everything it imports.
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    throw new ModelError(
      'FeatureWorkerPool: running from TypeScript sources needs tsx to start workers, and tsx is not installed. ' +
        'Run `npm install`, or build with `npm run build` and import from dist/.',
    );
  }
  const entry = path.join(__dirname, `${name}.ts`);
  return { filename: `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(entry)});`, evalCode: true };
}

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
  private readonly slots: Slot[];
  private readonly prefetch: number;
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(slots: Slot[], ready: Extract<FromWorker, { type: 'ready' }>, prefetch: number, startupSeconds: number) {
    this.slots = slots;
    this.size = slots.length;
    this.backend = ready.backend;
    this.fold = ready.fold;
    this.prefetch = prefetch;
    this.startupSeconds = startupSeconds;
    for (const slot of slots) this.listen(slot);
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
    const started = await startWorkers<Extract<FromWorker, { type: 'ready' }>>('worker', workers, init, 'FeatureWorkerPool.create()');
    const slots: Slot[] = started.workers.map((worker) => ({ worker, inFlight: new Map(), failure: null }));
    const readies = started.readies;
    return new FeatureWorkerPool(slots, readies[0], prefetch, (performance.now() - start) / 1000);
  }

  /** Runs one batch on the next free worker. */
  run(task: FeatureTask): Promise<TaskResult> {
    if (this.closed) return Promise.reject(new ModelError('FeatureWorkerPool.run(): the pool is closed; create a new one.'));
    return new Promise<TaskResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
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
    for (const slot of this.slots) {
      for (const p of slot.inFlight.values()) p.reject(err);
      slot.inFlight.clear();
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    // Least-loaded first, so 2 batches on 2 workers go one to each, not both to the first.
    while (this.queue.length > 0) {
      const open = this.slots.filter((s) => s.failure === null && s.inFlight.size < this.prefetch);
      if (open.length === 0) break;
      const slot = open.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
      const pending = this.queue.shift()!;
      slot.inFlight.set(pending.id, pending);
      slot.worker.ref(); // busy workers keep the process alive until they answer
      const message: ToWorker = { type: 'task', id: pending.id, task: pending.task };
      slot.worker.postMessage(message);
    }
    if (this.queue.length > 0 && this.slots.every((s) => s.failure !== null)) {
      const cause = this.slots[0].failure!;
      for (const p of this.queue.splice(0)) p.reject(cause);
    }
  }

  private listen(slot: Slot): void {
    const fail = (err: Error) => {
      if (slot.failure !== null) return;
      slot.failure = new ModelError(`FeatureWorkerPool: a worker stopped (${err.message}).`);
      for (const p of slot.inFlight.values()) p.reject(slot.failure);
      slot.inFlight.clear();
      this.dispatch();
    };
    slot.worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') return;
      const pending = message.id === null ? undefined : slot.inFlight.get(message.id);
      if (message.type === 'error' && pending === undefined) {
        fail(new Error(`${message.name}: ${message.message}`));
        return;
      }
      if (pending === undefined) return;
      slot.inFlight.delete(pending.id);
      if (slot.inFlight.size === 0) slot.worker.unref();
      if (message.type === 'result') {
        pending.resolve(message.result);
      } else {
        pending.reject(rebuildError(message));
      }
      this.dispatch();
    });
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`exit code ${code}`));
    });
  }
}

/** An error a worker sent, rethrown here as the same library error class (DataError for a bad image file...). */
export function rebuildError(message: { name: string; family: ErrorFamily; message: string }): Error {
  const err = errorOfFamily(message.family, message.message);
  if (message.family === 'Error') err.name = message.name;
  return err;
}

/**
 * Starts `count` workers of entry `name` with `workerData`, waits until each says 'ready', and
 * unrefs them (idle workers do not keep the process alive). If one fails, all are stopped and the
 * error is rethrown.
 */
export async function startWorkers<Ready extends { type: 'ready' }>(
  name: string,
  count: number,
  workerData: unknown,
  caller: string,
): Promise<{ workers: Worker[]; readies: Ready[] }> {
  const entry = workerEntry(name);
  const workers: Worker[] = [];
  const started = Array.from({ length: count }, () => {
    const worker = new Worker(entry.filename, { eval: entry.evalCode, workerData });
    workers.push(worker);
    return waitReady<Ready>(worker, caller);
  });
  try {
    const readies = await Promise.all(started);
    for (const w of workers) w.unref();
    return { workers, readies };
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
}

/**
 * Resolves with the worker's 'ready' message; rejects if it reports an error or dies first.
 * `caller` names the starting function in the error.
 */
export function waitReady<Ready extends { type: 'ready' }>(
  worker: Worker,
  caller = 'FeatureWorkerPool.create()',
): Promise<Ready> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; name?: string; message?: string }) => {
      if (message.type === 'ready') {
        cleanup();
        resolve(message as Ready);
      } else if (message.type === 'error') {
        cleanup();
        reject(new ModelError(`${caller}: a worker failed to start (${message.name}: ${message.message}).`));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ModelError(`${caller}: a worker failed to start (${err.message}).`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new ModelError(`${caller}: a worker exited with code ${code} before it was ready.`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
