/**
 * The benchmark's fixed inputs: a seeded random batch that both frameworks read from the same
 * raw float32 file, so they time exactly the same numbers.
 * @see scripts/bench.mjs
 */
import { DataError } from '../errors';

/** mulberry32: a tiny, fast, seedable PRNG; returns floats in [0, 1). Same seed, same stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
