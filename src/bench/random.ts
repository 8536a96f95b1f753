/**
 * The benchmark's fixed inputs: a seeded random batch that both frameworks read from the same
 * raw float32 file, so they time exactly the same numbers.
 * @see scripts/bench.mjs
 */
import { createRng } from '../data/random';
import { DataError } from '../errors';

/** mulberry32 (the data area's seeded generator): floats in [0, 1); same seed, same stream. */
export function mulberry32(seed: number): () => number {
  return createRng(seed).next;
}

/**
 * `size` floats uniform in [low, high), from `seed`.
 *
 * @example
 * seededUniform(32 * 224 * 224 * 3, 42, -1, 1); // a preprocessed-looking NHWC batch
 */
export function seededUniform(size: number, seed: number, low = -1, high = 1): Float32Array {
  if (!Number.isInteger(size) || size < 0) throw new DataError(`seededUniform(): size must be a whole number >= 0, received ${JSON.stringify(size)}.`);
  const next = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = low + (high - low) * next();
  return out;
}

/** `count` class indices in [0, classes), from `seed`. */
export function seededLabels(count: number, classes: number, seed: number): Int32Array {
  if (!Number.isInteger(classes) || classes < 1) throw new DataError(`seededLabels(): classes must be a whole number >= 1, received ${JSON.stringify(classes)}.`);
  const next = mulberry32(seed);
  return Int32Array.from({ length: count }, () => Math.floor(next() * classes));
}
