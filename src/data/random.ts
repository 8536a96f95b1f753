/**
 * Small seeded random numbers for shuffling and augmentation. Keras seeds numpy's global
 * generator; we keep an explicit generator per use instead, so that a seed reproduces a
 * preview grid and no global state changes.
 */

/** A seeded stream of uniform numbers. */
export interface Rng {
  /** A number in [0, 1). */
  next(): number;
  /** A number in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/**
 * Creates a seeded generator (mulberry32: 32-bit state, fast, good enough for augmentation).
 * The same seed always gives the same stream.
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => Math.floor(next() * n),
  };
}

/**
 * Mixes a seed with integers (epoch, batch index, ...) into a new 32-bit seed, so that each
 * batch has its own stream whatever order the batches are prepared in.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** A fresh random 32-bit seed, for iterators created without one (Keras' `seed=None`). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}

/** Shuffles an array in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
