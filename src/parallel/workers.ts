/**
 * How many worker threads a pool starts when the caller does not say: every core on a laptop, but
 * on a shared classroom server each student gets a share (the hub sets TRANSFER_LAB_WORKERS for
 * every student's server), so 40 students do not start 40 x cores threads.
 * @see README.md "Classroom server"
 */
import { availableParallelism } from 'node:os';
import { ModelError } from '../errors';

/** The environment variable that caps the default worker count (a whole number >= 1). */
export const WORKERS_ENV = 'TRANSFER_LAB_WORKERS';

/**
 * The default number of worker threads: env TRANSFER_LAB_WORKERS when set, else
 * `os.availableParallelism()` (the number of cores).
 * @throws ModelError when TRANSFER_LAB_WORKERS is set but is not a whole number >= 1.
 */
export function defaultWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[WORKERS_ENV];
  if (raw === undefined || raw.trim() === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new ModelError(`defaultWorkerCount(): env ${WORKERS_ENV} must be a whole number >= 1, received ${JSON.stringify(raw)}. Unset it to use every core.`);
  }
  return n;
}
