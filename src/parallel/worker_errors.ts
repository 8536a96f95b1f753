/**
 * Errors crossing a thread boundary: a worker sends the library error class by name, and the
 * main thread rethrows the same class (see `rebuildError` in worker_start.ts).
 */
import { AssetError, DataError, ModelError, TrainError } from '../errors';
import type { ErrorFamily } from './protocol';

/** The plain-data form of an error, for postMessage. */
export interface WorkerErrorMessage {
  type: 'error';
  id: number | null;
  name: string;
  family: ErrorFamily;
  message: string;
}

/** `err` as a message a worker can post; `id` is the task it belongs to, or null for start-up. */
export function describeError(id: number | null, err: unknown): WorkerErrorMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  const family: ErrorFamily =
    e instanceof DataError ? 'DataError' : e instanceof ModelError ? 'ModelError' : e instanceof AssetError ? 'AssetError'
      : e instanceof TrainError ? 'TrainError' : 'Error';
  return { type: 'error', id, name: e.name, family, message: e.message };
}
