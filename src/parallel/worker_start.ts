/**
 * The one worker start-up of src/parallel, shared by the feature pool and the data-parallel
 * trainer: where a worker's entry file is (compiled .js, or .ts under tsx), starting N workers and
 * waiting for each 'ready', and a `WorkerLink` per worker that matches replies to requests by id,
 * rethrows a worker's error as the same library error class, and fails every waiting request when
 * the worker dies.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ModelError } from '../errors';
import { errorOfFamily, type WorkerErrorMessage } from './worker_errors';

/**
 * How to start a worker whose entry is `<name>.ts` / `<name>.js` in this folder: the compiled .js
 * entry, or (running from TS sources under tsx) a bootstrap that registers tsx first.
 */
function workerEntry(name: string): { filename: string; evalCode: boolean } {
  if (!__filename.endsWith('.ts')) return { filename: path.join(__dirname, `${name}.js`), evalCode: false };
  // Node 20 workers do not inherit tsx's `--import` loader for their entry file, but tsx's
  // CommonJS hook registered inside the worker handles the .ts entry and everything it imports.
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch {
    throw new ModelError(
      `workerEntry('${name}'): running from TypeScript sources needs tsx to start workers, and tsx is not installed. ` +
        'Run `npm install`, or build with `npm run build` and import from dist/.',
    );
  }
  const entry = path.join(__dirname, `${name}.ts`);
  return { filename: `require(${JSON.stringify(tsx)});\nrequire(${JSON.stringify(entry)});`, evalCode: true };
}

/** An error a worker sent, rethrown here as the same library error class (DataError for a bad image file...). */
export function rebuildError(message: Pick<WorkerErrorMessage, 'name' | 'family' | 'message'>): Error {
  const err = errorOfFamily(message.family, message.message);
  if (message.family === 'Error') err.name = message.name;
  return err;
}

/** Any reply a worker sends after 'ready': answers carry the request's id; errors may have id null. */
type Reply = { type: string; id: number | null };

/**
 * One started worker and its requests in flight. `send` posts a message with a fresh id and
 * resolves with the reply of the same id (an 'error' reply rejects, as the library error class).
 * When the worker dies, exits, or reports an error outside any request, the link fails: every
 * waiting request and every later `send` rejects with `failure`.
 */
export class WorkerLink<R extends Reply> {
  /** Why the worker stopped, or null while it runs. */
  failure: Error | null = null;
  private readonly waiting = new Map<number, { resolve: (m: R) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closed = false;

  /**
   * @param owner names the owner in errors, e.g. 'FeatureWorkerPool'.
   * @param onSettled runs after each reply and after a failure (the pool dispatches its queue).
   */
  constructor(
    readonly worker: Worker,
    private readonly owner: string,
    private readonly onSettled: () => void = () => undefined,
  ) {
    worker.on('message', (message: R | { type: 'ready' }) => this.receive(message));
    worker.on('error', (err: Error) => this.fail(err));
    worker.on('exit', (code: number) => {
      if (!this.closed) this.fail(new Error(`exit code ${code}`));
    });
  }

  /** Requests waiting for a reply. */
  get inFlight(): number {
    return this.waiting.size;
  }

  /** Posts `message` with a new id (the worker answers with the same id); a busy worker keeps the process alive. */
  send(message: { type: string }, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.closed) return Promise.reject(new ModelError(`${this.owner}: closed; create a new one.`));
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Rejects every waiting request with `err` and stops the worker. */
  async close(err: Error): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    await this.worker.terminate();
  }

  private receive(message: R | { type: 'ready' }): void {
    if (message.type === 'ready') return;
    const reply = message as R;
    const waiting = reply.id === null ? undefined : this.waiting.get(reply.id);
    if (waiting === undefined) {
      if (reply.type === 'error') this.fail(new Error(describe(reply)));
      return;
    }
    this.waiting.delete(reply.id!);
    if (this.waiting.size === 0) this.worker.unref(); // idle workers do not keep the process alive
    if (reply.type === 'error') waiting.reject(rebuildError(reply as unknown as WorkerErrorMessage));
    else waiting.resolve(reply);
    this.onSettled();
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = new ModelError(`${this.owner}: a worker stopped (${err.message}).`);
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
    this.onSettled();
  }
}

function describe(reply: Reply): string {
  const e = reply as Partial<WorkerErrorMessage>;
  return `${e.name}: ${e.message}`;
}

/**
 * Starts `count` workers of entry `name` with `workerData`, waits until each says 'ready', and
 * links each (idle workers do not keep the process alive). If one fails, all are stopped and the
 * error is rethrown. `caller` names the starting function in errors, `owner` the object in later ones.
 */
export async function startWorkers<Ready extends { type: 'ready' }, R extends Reply>(
  name: string,
  count: number,
  workerData: unknown,
  names: { caller: string; owner: string },
  onSettled?: () => void,
): Promise<{ links: WorkerLink<R>[]; readies: Ready[] }> {
  const entry = workerEntry(name);
  const workers: Worker[] = [];
  const started = Array.from({ length: count }, () => {
    const worker = new Worker(entry.filename, { eval: entry.evalCode, workerData });
    workers.push(worker);
    return waitReady<Ready>(worker, names.caller);
  });
  try {
    const readies = await Promise.all(started);
    for (const w of workers) w.unref();
    return { links: workers.map((w) => new WorkerLink<R>(w, names.owner, onSettled)), readies };
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
}

/**
 * Resolves with the worker's 'ready' message; rejects if it reports an error or dies first.
 * `caller` names the starting function in the error.
 */
function waitReady<Ready extends { type: 'ready' }>(worker: Worker, caller: string): Promise<Ready> {
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
