/**
 * Small statistics shared across layers (bench timings, lesson speed tables, the classroom
 * board): the median, and warm-up runs then timed repetitions reporting the median, which one
 * slow repetition on a shared machine does not move. Only the errors module is imported, so any
 * layer may use it.
 */
import { DataError } from './errors';

/**
 * The median of `values` (mean of the middle two for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new DataError('median(): no values (received an empty list).');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Options of `timeRepeated`. */
export interface TimingOptions {
  /** Untimed runs first. Defaults to 1. */
  warmup?: number;
  /** Timed runs. Defaults to 5. */
  reps?: number;
}

/** Seconds of each timed run and their median. */
export interface Timing {
  /** Median seconds per run. */
  median: number;
  /** Every timed run, in order. */
  seconds: number[];
}

/**
 * Runs `fn` `warmup` times untimed, then `reps` times timed, one after another.
 *
 * @example
 * const t = await timeRepeated(() => runBatch(), { warmup: 1, reps: 5 });
 * console.log(32 / t.median, 'img/s');
 */
export async function timeRepeated(fn: () => unknown | Promise<unknown>, options: TimingOptions = {}): Promise<Timing> {
  const warmup = options.warmup ?? 1;
  const reps = options.reps ?? 5;
  if (!Number.isInteger(warmup) || warmup < 0) throw new DataError(`timeRepeated(): warmup must be a whole number >= 0, received ${JSON.stringify(warmup)}.`);
  if (!Number.isInteger(reps) || reps < 1) throw new DataError(`timeRepeated(): reps must be a whole number >= 1, received ${JSON.stringify(reps)}.`);
  for (let i = 0; i < warmup; i++) await fn();
  const seconds: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await fn();
    seconds.push((performance.now() - start) / 1000);
  }
  return { median: median(seconds), seconds };
}
