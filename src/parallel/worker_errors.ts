/**
 * Errors crossing a thread boundary: a worker sends the library error class by name, and the
 * main thread rethrows the same class (see `rebuildError` in worker_start.ts).
 */
import { AssetError, DataError, ModelError, TrainError } from '../errors';

/**
 * The error classes that keep their kind across a thread boundary: a worker sends the family's
 * name, the main thread rethrows the same class. The one list of them (describeError below, rebuildError in
 * pool.ts, the protocol types); a subclass travels as its family (DamagedFileError as AssetError).
 */
export const ERROR_FAMILIES = { DataError, ModelError, AssetError, TrainError } as const;

/** The name of a library error class in {@link ERROR_FAMILIES}, or 'Error' for anything else. */
export type ErrorFamily = keyof typeof ERROR_FAMILIES | 'Error';

/** The family `err` belongs to (its class in {@link ERROR_FAMILIES}, or 'Error'). */
export function errorFamily(err: unknown): ErrorFamily {
  for (const [name, cls] of Object.entries(ERROR_FAMILIES)) {
    if (err instanceof cls) return name as keyof typeof ERROR_FAMILIES;
  }
  return 'Error';
}

/** A new error of `family` with `message`: the inverse of {@link errorFamily}. */
export function errorOfFamily(family: ErrorFamily, message: string): Error {
  return family === 'Error' ? new Error(message) : new ERROR_FAMILIES[family](message);
}

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
