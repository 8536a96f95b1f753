/**
 * The read-only shared layer of the feature cache, for a classroom server: the teacher's
 * `transfer-lab classroom warm` fills it before class, and every student's run reads it before
 * their own cache, so no student recomputes the bottleneck features the warm-up computed. Writes
 * still go only to the student's own cache (the shared folder is not theirs to write).
 * @see README.md "Classroom server"
 */
import * as path from 'node:path';

/**
 * A cache folder laid out like TRANSFER_LAB_CACHE (its `features/` holds the shared entries), read
 * before the user's own feature cache. Unset: no shared layer.
 */
export const SHARED_CACHE_ENV = 'TRANSFER_LAB_SHARED_CACHE';

/** Where a feature cache lookup found its entry, or 'computed' when neither layer had it. */
export type FeatureCacheSource = 'shared' | 'own' | 'computed';

/** A feature cache folder to read, and which layer it is. */
export interface FeatureCacheLayer {
  dir: string;
  source: Exclude<FeatureCacheSource, 'computed'>;
}

/**
 * The folders a feature cache lookup reads, in order: the shared layer's `features/` (env
 * TRANSFER_LAB_SHARED_CACHE) first when it is set and is not `ownDir` itself, then `ownDir`.
 */
export function featureCacheLookupOrder(ownDir: string, env: NodeJS.ProcessEnv = process.env): FeatureCacheLayer[] {
  const shared = env[SHARED_CACHE_ENV]?.trim();
  const layers: FeatureCacheLayer[] = [];
  if (shared) {
    const dir = path.join(path.resolve(shared), 'features');
    if (dir !== path.resolve(ownDir)) layers.push({ dir, source: 'shared' });
  }
  layers.push({ dir: ownDir, source: 'own' });
  return layers;
}

const counts: Record<FeatureCacheSource, number> = { shared: 0, own: 0, computed: 0 };

/** Counts one feature lookup of this process by where its result came from. */
export function countFeatureCacheLookup(source: FeatureCacheSource): void {
  counts[source] += 1;
}

/**
 * How many feature sets this process read from the shared layer, read from its own cache, and
 * computed, since it started (e.g. `{ shared: 7, own: 0, computed: 0 }` for a student's lab after
 * the teacher's warm-up). The classroom test asks every student's kernel for it.
 */
export function featureCacheLookups(): Record<FeatureCacheSource, number> {
  return { ...counts };
}
