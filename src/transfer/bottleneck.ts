/**
 * Bottleneck features in one call (Keras' "run the frozen base once, cache what comes out"):
 * the plain pass, the augmented copies, the validation pass, the on-disk cache and the worker
 * pool all live here, so a lesson cell or the pipeline never builds a cache key or a pool.
 *
 * The same call serves a cut model (`splitAt(...).bottom`): its outputs are the activations the
 * fine-tuned top starts from.
 */
import * as tf from '@tensorflow/tfjs';
import type { DirectoryIterator } from '../data';
import type { PreprocessMode } from '../models/preprocess';
import { FeatureWorkerPool } from '../parallel/pool';
import { DataError } from '../errors';
import { FeatureRows } from './feature_rows';
import { augmentedFeatureRows, extractFeatureRows, rowSetToFeatureSet, type FeatureProgress, type FeatureRowSet, type FeatureSet } from './features';

/** What the iterators do to the pixels before the base: all of it is part of the cache key. */
export interface PixelSettings {
  targetSize: [number, number];
  interpolation: string;
  keepAspectRatio: boolean;
}

/**
 * The preprocessing part of the feature cache key: everything that changes the pixels reaching
 * the base. A square 224 lanczos aspect-keeping 'tf' flow gives `tf|lanczos|keepAspectRatio|shrinkOnLoad|224`
 * (the key the pipeline has always written, so existing caches stay valid).
 */
export function preprocessingKey(preprocess: PreprocessMode, it: PixelSettings): string {
  const [h, w] = it.targetSize;
  const size = h === w ? `${h}` : `${h}x${w}`;
  return `${preprocess}|${it.interpolation}|${it.keepAspectRatio ? 'keepAspectRatio' : 'stretch'}|shrinkOnLoad|${size}`;
}

/** Options of {@link bottleneckFeatures}. */
export interface BottleneckOptions {
  /** The plain (not augmented) training images. */
  train: DirectoryIterator;
  /** The validation images. */
  val: DirectoryIterator;
  /** The same training images through an augmenting generator; needed when `copies` > 0. */
  augmented?: DirectoryIterator;
  /** Augmented copies of each training photo. Default 0. */
  copies?: number;
  /** The augmentation settings (the generator's options); part of the cache key. Default none. */
  augmentation?: object;
  /** `preprocessInput` mode the generators apply ('tf', 'caffe', 'torch', ...); part of the cache key. */
  preprocess: PreprocessMode;
  /** Name of the model in the cache key. Default `model.name`. */
  modelName?: string;
  /** Cache folder. Default `defaultFeatureCacheDir()` (env TRANSFER_LAB_CACHE, XDG_CACHE_HOME, ~/.cache). */
  cacheDir?: string;
  /** Worker threads to run the model on; 0 runs it in this thread. Default: the pool's default (one per core). */
  workers?: number;
  /** Called for every batch of each pass with the pass' label ('train', 'augmented', 'val'). Default none. */
  progress?: (label: 'train' | 'augmented' | 'val', p: FeatureProgress) => void;
  /** Called once the pool has started (when some features were not cached). Default none. */
  onPoolStarted?: (pool: FeatureWorkerPool) => void;
  /**
   * Largest tensor `bottleneckFeatures` builds (all training rows, plain and augmented, are one
   * tensor); more is a MemoryLimitError saying what to do. `bottleneckFeatureRows` builds none.
   * Defaults to 1 GiB (DEFAULT_MAX_TENSOR_BYTES, a quarter of the wasm heap).
   */
  maxTensorBytes?: number;
}

/** Training rows (plain then augmented) and validation rows; the caller disposes both (see {@link disposeFeatureSets}). */
export interface BottleneckFeatures {
  train: FeatureSet;
  val: FeatureSet;
}

/** {@link bottleneckFeatureRows}' answer: the rows stay in host memory, one part per pass; the caller disposes the labels. */
export interface BottleneckFeatureRows {
  train: FeatureRowSet;
  val: FeatureRowSet;
}

/**
 * Runs the frozen `model` once over the training images (plain + `copies` augmented passes) and
 * the validation images, caching every pass on disk under a key derived from the model, its
 * weights, the folder, the preprocessing and the augmentation. A pool of worker threads is
 * started at the first cache miss and closed before returning.
 *
 * @example
 * const { train, val } = await bottleneckFeatures(featureModel, { train: trainIt, augmented: augIt, val: valIt, copies: 2, preprocess: 'tf' });
 */
export async function bottleneckFeatures(model: tf.LayersModel, options: BottleneckOptions): Promise<BottleneckFeatures> {
  const rows = await bottleneckFeatureRows(model, options);
  const toSet = (set: FeatureRowSet, what: string) => rowSetToFeatureSet(set, {
    maxBytes: options.maxTensorBytes, caller: `bottleneckFeatures (${what})`,
    instead: 'Use bottleneckFeatureRows (each pass stays apart in host memory) and fit on its rows, as trainClassifier does; or fewer copies; or a cut with smaller maps.',
  });
  // The FeatureSets take over the labels tensors; on a refusal nothing may stay allocated.
  let train: FeatureSet | undefined;
  try {
    train = toSet(rows.train, 'training rows');
    return { train, val: toSet(rows.val, 'validation rows') };
  } catch (err) {
    tf.dispose([rows.train.labels, rows.val.labels, ...(train ? [train.features] : [])]);
    throw err;
  }
}

/**
 * `bottleneckFeatures` without one tensor of all rows: each pass (plain, every augmented copy,
 * validation) stays a part of a host-memory FeatureRows, outside the backend's tensor memory.
 * `fit(model, {x: rows.train.features, y: rows.train.labels}, ...)` draws its batches from the
 * parts (the same batches as the tensor would give), so data too large for one tensor trains.
 *
 * @example
 * const acts = await bottleneckFeatureRows(bottom, { train: trainIt, augmented: augIt, val: valIt, copies: 2, preprocess: 'tf' });
 * await fit(upper, { x: acts.train.features, y: acts.train.labels }, { epochs: 4, seed: 42, validationData: ... });
 */
export async function bottleneckFeatureRows(model: tf.LayersModel, options: BottleneckOptions): Promise<BottleneckFeatureRows> {
  const copies = options.copies ?? 0;
  if (!(Number.isInteger(copies) && copies >= 0)) {
    throw new DataError(`bottleneckFeatures: copies must be a whole number >= 0; received ${JSON.stringify(options.copies)}.`);
  }
  if (copies > 0 && options.augmented === undefined) {
    throw new DataError(`bottleneckFeatures: copies is ${copies} but no augmented iterator was given; pass augmented: (an augmenting generator).flowFromDirectory(...) or copies: 0.`);
  }
  const key = { modelName: options.modelName ?? model.name, preprocessing: preprocessingKey(options.preprocess, options.train), cacheDir: options.cacheDir };
  const workers = options.workers;
  // Started at the first cache miss: a run whose features are all cached needs no workers.
  let started: Promise<FeatureWorkerPool> | undefined;
  const pool = workers === 0 ? undefined : () =>
    (started ??= FeatureWorkerPool.create(model, workers === undefined ? {} : { workers }).then((p) => {
      options.onPoolStarted?.(p);
      return p;
    }));
  const progress = (label: 'train' | 'augmented' | 'val') =>
    options.progress ? (p: FeatureProgress) => options.progress!(label, p) : undefined;
  const made: FeatureRowSet[] = [];
  try {
    const plain = await extractFeatureRows(model, options.train, { ...key, pool, progress: progress('train') });
    made.push(plain);
    let train = plain;
    if (copies > 0) {
      const extra = await augmentedFeatureRows(model, options.augmented!, {
        // The iterator seed picks the augmented copies, so it is part of their key.
        ...key, copies, augmentation: JSON.stringify({ ...(options.augmentation ?? {}), seed: options.augmented!.seed }),
        pool, progress: progress('augmented'),
      });
      made.push(extra);
      train = concatRowSets(plain, extra);
      made.push(train);
    }
    const val = await extractFeatureRows(model, options.val, { ...key, pool, progress: progress('val') });
    if (train !== plain) tf.dispose([plain.labels, made[1].labels]);
    return { train, val };
  } catch (err) {
    tf.dispose(made.map((m) => m.labels));
    throw err;
  } finally {
    if (started) await (await started.catch(() => null))?.close();
  }
}

/** The rows of `a` followed by those of `b`: their parts side by side, nothing copied (new labels tensor). */
function concatRowSets(a: FeatureRowSet, b: FeatureRowSet): FeatureRowSet {
  return {
    ...a,
    features: new FeatureRows([...a.features.parts, ...b.features.parts], a.features.rowShape),
    labels: tf.concat([a.labels, b.labels]),
    labelIndices: [...a.labelIndices, ...b.labelIndices],
    paths: [...a.paths, ...b.paths],
  };
}

/** The rows of `a` followed by those of `b` (new tensors; `a` and `b` are left as they are). */
export function concatFeatureSets(a: FeatureSet, b: FeatureSet): FeatureSet {
  return {
    ...a,
    features: tf.concat([a.features, b.features]) as FeatureSet['features'],
    labels: tf.concat([a.labels, b.labels]),
    labelIndices: [...a.labelIndices, ...b.labelIndices],
    paths: [...a.paths, ...b.paths],
  };
}

/** Frees the tensors of each feature set (of a row set: its labels; its rows are host memory). */
export function disposeFeatureSets(...sets: (FeatureSet | FeatureRowSet | BottleneckFeatures | BottleneckFeatureRows | undefined)[]): void {
  for (const s of sets) {
    if (s === undefined) continue;
    if ('train' in s) disposeFeatureSets(s.train, s.val);
    else if (s.features instanceof FeatureRows) s.labels.dispose();
    else tf.dispose([s.features, s.labels]);
  }
}
