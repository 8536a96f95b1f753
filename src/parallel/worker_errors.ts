/**
 * Errors crossing a thread boundary: a worker sends the library error class by name, and the
 * main thread rethrows the same class (see `rebuildError` in pool.ts).
 */
import { errorFamily, type ErrorFamily } from '../errors';

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
  return { type: 'error', id, name: e.name, family: errorFamily(e), message: e.message };
}
