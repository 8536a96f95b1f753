/**
 * Bottleneck features: a frozen base never changes, so run it ONCE per image, keep its output on
 * disk, and train heads on the cached features in seconds (DESIGN: "making a 2-core CPU enough").
 * With augmentation, cache a few augmented copies per image instead of recomputing every epoch.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type * as Danfo from 'danfojs-node';
import { DataError, ModelError } from '../errors';
import { loadDanfo } from '../danfo';
import type { FeatureWorkerPool } from '../parallel/pool';
import {
  defaultFeatureCacheDir, featureCacheKey, readFeatureCache, stampFiles, weightsFingerprint, writeFeatureCache,
  FEATURE_CACHE_VERSION, type FeatureKeyParts, type FeatureMeta,
} from './cache';
import { countFeatureCacheLookup, featureCacheLookupOrder } from './shared_cache';
import { FeatureRows } from './feature_rows';

/** One batch as `extractFeatures` reads it (the `Batch` of src/data; the caller's xs/ys are disposed here). */
export interface FeatureBatch {
  xs: tf.Tensor4D;
  ys?: tf.Tensor;
  paths: string[];
}

/**
 * What `extractFeatures` needs from its data: a `DirectoryIterator` of src/data fits. Use one with
 * shuffle off; rows come out in the order `batches()` yields them, with their paths.
 */
export interface FeatureSource {
  readonly directory: string;
  readonly classNames: string[];
  readonly filepaths: string[];
  readonly classes: number[];
  readonly samples: number;
  readonly targetSize: [number, number];
  /** Epochs started so far (DirectoryIterator has it); lets new augmented copies use fresh augmentation streams. */
  readonly epochsSeen?: number;
  batches(): AsyncIterableIterator<FeatureBatch>;
}

/** Progress of an extraction, for a bar or a live display. */
export interface FeatureProgress {
  /** 'extract' while the base runs, 'cached' when the result came from disk. */
  phase: 'extract' | 'cached';
  /** Images done so far. */
  done: number;
  /** Images expected in total. */
  total: number;
  /** Seconds since the start. */
  seconds: number;
  /** Augmented copy index (0 without augmentation). */
  copy: number;
}

/** `extractFeatures` options; the first five are parts of the cache key. */
export interface ExtractFeaturesOptions {
  /** Model name for the key. Defaults to `base.name`. */
  modelName?: string;
  /** Identity of the weights (e.g. an asset name + checksum). Defaults to `weightsFingerprint(base)`. */
  weightsId?: string;
  /** Dataset identity for the key. Defaults to `iterator.directory`. */
  datasetId?: string;
  /** Preprocessing the iterator applies, e.g. 'mobilenet' or 'tf'. Defaults to 'none'; set it whenever preprocessing is on, or two settings share one entry. */
  preprocessing?: string;
  /** Augmentation settings (e.g. JSON of the generator options). Defaults to 'none'. */
  augmentation?: string;
  /** Augmented copy index. Defaults to 0. */
  copy?: number;
  /** Cache folder. Defaults to `defaultFeatureCacheDir()` (env TRANSFER_LAB_CACHE, XDG_CACHE_HOME, ~/.cache). */
  cacheDir?: string;
  /** Read and write the cache. Defaults to true. */
  cache?: boolean;
  /** Called after every batch (and once on a cache hit). Defaults to none; see `featureProgress` in notebook/feature_progress.ts. */
  progress?: (p: FeatureProgress) => void;
  /**
   * Worker threads holding a copy of `base` (`FeatureWorkerPool.create(base)`), to run the batches
   * on every core while this thread reads and augments the next ones. Defaults to none: `base`
   * runs in this thread. A folded pool gives the same features up to float rounding, under the same cache key.
   * A function that starts one is called only when the features are not in the cache (starting a
   * pool takes a second or two).
   */
  pool?: FeatureWorkerPool | (() => Promise<FeatureWorkerPool>);
}

/** Features with their labels. The caller disposes `features` and `labels`. */
export interface FeatureSet {
  /** [rows, d] for a pooled base, [rows, h, w, c] for a conv base. */
  features: tf.Tensor2D | tf.Tensor4D;
  /** The iterator's labels as it gave them (one-hot for 'categorical'); int32 class indices if it gave none. */
  labels: tf.Tensor;
  /** Class index of each row. */
  labelIndices: number[];
  classNames: string[];
  /** Image file of each row. */
  paths: string[];
  /** Cache key (sha256 hex). */
  key: string;
  /** True when read from disk without running the base. */
  fromCache: boolean;
  /** Iterator epoch the features were computed in (its augmentation stream), null if unknown. */
  epoch: number | null;
  /** Seconds this call took. */
  seconds: number;
}

/**
 * Features whose rows stay in host memory, one part per pass (see FeatureRows): what training
 * reads in batches when one tensor of every row would not fit. The caller disposes `labels`.
 */
export interface FeatureRowSet extends Omit<FeatureSet, 'features'> {
  features: FeatureRows;
}

/** One pass as `extract` computed or read it: the values stay a host array. */
interface HostFeatures {
  meta: FeatureMeta;
  data: Float32Array;
  fromCache: boolean;
  seconds: number;
}

function labelsOf(meta: FeatureMeta): tf.Tensor {
  return meta.ys !== null && meta.ysShape !== null ? tf.tensor(meta.ys, meta.ysShape) : tf.tensor1d(meta.labelIndices, 'int32');
}

function toRowSet(h: HostFeatures): FeatureRowSet {
  const [rows, ...rest] = h.meta.shape;
  return {
    features: new FeatureRows([{ data: h.data, rows }], rest), labels: labelsOf(h.meta), labelIndices: h.meta.labelIndices,
    classNames: h.meta.classNames, paths: h.meta.paths, key: h.meta.key, fromCache: h.fromCache, epoch: h.meta.epoch ?? null, seconds: h.seconds,
  };
}

/**
 * The rows as one tensor: a FeatureSet. Refused with a MemoryLimitError naming the size when
 * that tensor would exceed `maxBytes` (default 1 GiB); `caller` and `instead` go in the message.
 */
export function rowSetToFeatureSet(set: FeatureRowSet, options: { maxBytes?: number; caller?: string; instead?: string } = {}): FeatureSet {
  const features = set.features.toTensor({
    maxBytes: options.maxBytes, caller: options.caller, what: `${set.features.rows} rows of features`, instead: options.instead,
  }) as FeatureSet['features'];
  return { ...set, features };
}

function concatFloat32(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Runs the frozen `base` once over every image of `iterator` and returns the features, caching
 * them on disk; a second call with the same key reads the cache and never calls the base.
 *
 * @example
 * const it = await flowFromDirectory(dir, { targetSize: [224, 224], shuffle: false, ... });
 * const { features, labels } = await extractFeatures(base, it, { preprocessing: 'mobilenet', progress: featureProgress() });
 */
export async function extractFeatures(
  base: tf.LayersModel,
  iterator: FeatureSource,
  options: ExtractFeaturesOptions = {},
): Promise<FeatureSet> {
  return rowSetToFeatureSet(toRowSet(await extract(base, iterator, options)), { caller: 'extractFeatures()', instead: EXTRACT_INSTEAD });
}

/** What to do when one pass is too large for one tensor. */
const EXTRACT_INSTEAD = 'Use fewer images per folder, or cut the base where its maps are smaller.';

/** `extractFeatures` with the rows left in host memory (no tensor of them all): see FeatureRowSet. */
export async function extractFeatureRows(base: tf.LayersModel, iterator: FeatureSource, options: ExtractFeaturesOptions = {}): Promise<FeatureRowSet> {
  return toRowSet(await extract(base, iterator, options));
}

/** `extractFeatures`, with a hook that runs only on a cache miss, just before the base runs. */
async function extract(
  base: tf.LayersModel,
  iterator: FeatureSource,
  options: ExtractFeaturesOptions,
  beforeCompute?: () => Promise<void>,
): Promise<HostFeatures> {
  const start = Date.now();
  const elapsed = () => (Date.now() - start) / 1000;
  if (!(base instanceof tf.LayersModel)) {
    throw new ModelError(`extractFeatures(): argument 'base' must be a tf.LayersModel, received ${String(base)}.`);
  }
  if (iterator == null || typeof iterator.batches !== 'function' || !Array.isArray(iterator.filepaths)) {
    throw new DataError(
      'extractFeatures(): argument \'iterator\' must be a DirectoryIterator (flowFromDirectory(dir, {shuffle: false})), ' +
        `received ${iterator == null ? String(iterator) : typeof iterator}.`,
    );
  }
  const copy = options.copy ?? 0;
  const parts: FeatureKeyParts = {
    modelName: options.modelName ?? base.name,
    weightsId: options.weightsId ?? weightsFingerprint(base),
    datasetId: options.datasetId ?? iterator.directory,
    files: await stampFiles(iterator.filepaths),
    targetSize: iterator.targetSize,
    preprocessing: options.preprocessing ?? 'none',
    augmentation: options.augmentation ?? 'none',
    copy,
  };
  const key = featureCacheKey(parts);
  const useCache = options.cache ?? true;
  const dir = options.cacheDir ?? defaultFeatureCacheDir();
  const total = iterator.samples;

  if (useCache) {
    // The shared classroom layer (read-only) first, then this user's own cache.
    for (const layer of featureCacheLookupOrder(dir)) {
      const hit = readFeatureCache(layer.dir, key);
      if (hit === null) continue;
      countFeatureCacheLookup(layer.source);
      options.progress?.({ phase: 'cached', done: hit.meta.shape[0], total: hit.meta.shape[0], seconds: elapsed(), copy });
      return { meta: hit.meta, data: hit.data, fromCache: true, seconds: elapsed() };
    }
  }

  await beforeCompute?.();
  const epoch = iterator.epochsSeen ?? null;
  const classOf = new Map(iterator.filepaths.map((p, i) => [p, iterator.classes[i]]));
  const chunks: Float32Array[] = [];
  const ysChunks: Float32Array[] = [];
  let featureShape = null as number[] | null; // set inside settle(), which TS cannot follow
  let ysShape: number[] | null = null;
  let labelsMissing = false;
  const paths: string[] = [];
  const labelIndices: number[] = [];

  // Batches run in this thread, or on the pool with a few in flight; results keep batch order.
  const pool = typeof options.pool === 'function' ? await options.pool() : options.pool;
  const maxInFlight = pool ? pool.size * 2 : 1;
  const inFlight: Promise<{ data: Float32Array; shape: number[] }>[] = [];
  const launch = (result: Promise<{ data: Float32Array; shape: number[] }>): void => {
    // Awaited in order by settle(); until then a failure must not count as unhandled (the wasm
    // backend turns unhandled rejections into a process crash), so mark it handled now.
    result.catch(() => undefined);
    inFlight.push(result);
  };
  const settle = async (): Promise<void> => {
    const out = await inFlight.shift()!;
    featureShape ??= out.shape.slice(1);
    chunks.push(out.data);
    done += out.shape[0];
    options.progress?.({ phase: 'extract', done, total, seconds: elapsed(), copy });
  };
  let done = 0;
  for await (const batch of iterator.batches()) {
    try {
      if (pool) {
        const shape = batch.xs.shape as [number, number, number, number];
        launch(pool.run({ kind: 'tensor', data: (await batch.xs.data()) as Float32Array, shape }));
      } else {
        launch(predictHere(base, batch.xs));
      }
      if (batch.ys != null && batch.ys.size > 0 && !labelsMissing) {
        ysShape ??= batch.ys.shape.slice(1);
        ysChunks.push(Float32Array.from(await batch.ys.data()));
      } else {
        labelsMissing = true;
      }
      for (const p of batch.paths) {
        paths.push(p);
        labelIndices.push(classOf.get(p) ?? -1);
      }
    } finally {
      batch.xs.dispose();
      batch.ys?.dispose();
    }
    while (inFlight.length >= maxInFlight) await settle();
  }
  while (inFlight.length > 0) await settle();
  if (featureShape === null) {
    throw new DataError(`extractFeatures(): iterator over '${iterator.directory}' gave no batches (samples: ${total}).`);
  }
  if (featureShape.length !== 1 && featureShape.length !== 3) {
    throw new ModelError(
      `extractFeatures(): base '${base.name}' outputs shape [null, ${featureShape.join(', ')}]; ` +
        'features must be [null, d] or [null, h, w, c]. Cut the base at another layer.',
    );
  }
  const data = concatFloat32(chunks);
  const { files, ...about } = parts;
  const meta: FeatureMeta = {
    version: FEATURE_CACHE_VERSION, key, shape: [paths.length, ...featureShape], labelIndices,
    ysShape: labelsMissing || ysShape === null ? null : [paths.length, ...ysShape],
    ys: labelsMissing ? null : Array.from(concatFloat32(ysChunks)),
    paths, classNames: iterator.classNames,
    about: { ...about, fileCount: files.length },
    epoch, seconds: elapsed(), createdAt: new Date().toISOString(),
  };
  if (useCache) writeFeatureCache(dir, meta, data);
  countFeatureCacheLookup('computed');
  return { meta, data, fromCache: false, seconds: elapsed() };
}

/** The base's output for one batch, computed in this thread. */
async function predictHere(base: tf.LayersModel, xs: tf.Tensor4D): Promise<{ data: Float32Array; shape: number[] }> {
  const out = base.predict(xs, { batchSize: xs.shape[0] });
  if (Array.isArray(out)) {
    out.forEach((t) => t.dispose());
    throw new ModelError(`extractFeatures(): base '${base.name}' has ${out.length} outputs; cut it to one with truncateAt().`);
  }
  try {
    return { data: (await out.data()) as Float32Array, shape: out.shape };
  } finally {
    out.dispose();
  }
}

/** `cacheAugmentedFeatures` options. */
export interface AugmentedFeaturesOptions extends Omit<ExtractFeaturesOptions, 'copy' | 'augmentation'> {
  /** How many augmented passes over the data to keep (each image appears `copies` times). */
  copies: number;
  /** Augmentation settings for the key, e.g. JSON.stringify(generator options). Required: it tells copies of different settings apart. */
  augmentation: string;
  /** Largest tensor of all copies' rows `cacheAugmentedFeatures` builds; more is a MemoryLimitError. Defaults to 1 GiB (DEFAULT_MAX_TENSOR_BYTES). */
  maxTensorBytes?: number;
}

/**
 * Starts and abandons epochs until the iterator has seen `epoch` of them, so the next pass uses
 * augmentation stream `epoch` (a seeded DirectoryIterator derives each pass's augmentation from
 * its epoch number). Each skip decodes one batch, which is disposed.
 */
async function skipToEpoch(iterator: FeatureSource, epoch: number): Promise<void> {
  while ((iterator.epochsSeen ?? epoch) < epoch) {
    const seen = iterator.epochsSeen;
    const pass = iterator.batches();
    const first = await pass.next();
    if (!first.done) tf.dispose([first.value.xs, first.value.ys ?? []]);
    await pass.return?.(undefined);
    if (iterator.epochsSeen === seen) return; // an iterator that does not count epochs: nothing to skip
  }
}

/**
 * Features of `copies` augmented passes over an augmenting iterator, each pass cached under its
 * copy index (asking for 5 copies after 3 computes only 2 more). A new copy runs in a later
 * iterator epoch than every cached one, so a seeded iterator cannot repeat an old copy's
 * augmentation. Rows of all copies are concatenated; `copyIndices` says which pass each row came from.
 */
export async function cacheAugmentedFeatures(
  base: tf.LayersModel,
  iterator: FeatureSource,
  options: AugmentedFeaturesOptions,
): Promise<FeatureSet & { copyIndices: number[] }> {
  const rows = await augmentedFeatureRows(base, iterator, options);
  try {
    return rowSetToFeatureSet(rows, {
      maxBytes: options.maxTensorBytes, caller: 'cacheAugmentedFeatures()',
      instead: 'Ask for fewer copies, or use bottleneckFeatureRows (it keeps each copy apart) and fit on its rows.',
    }) as FeatureSet & { copyIndices: number[] };
  } catch (err) {
    rows.labels.dispose();
    throw err;
  }
}

/**
 * `cacheAugmentedFeatures` with each copy's rows left in host memory as a part of one
 * FeatureRows (no tensor of them all). The caller disposes `labels`.
 */
export async function augmentedFeatureRows(
  base: tf.LayersModel,
  iterator: FeatureSource,
  options: AugmentedFeaturesOptions,
): Promise<FeatureRowSet & { copyIndices: number[] }> {
  const { copies, augmentation } = options;
  if (!Number.isInteger(copies) || copies < 1) {
    throw new DataError(`cacheAugmentedFeatures(): copies must be a whole number >= 1, received ${JSON.stringify(copies)}.`);
  }
  if (typeof augmentation !== 'string' || augmentation.length === 0) {
    throw new DataError(
      `cacheAugmentedFeatures(): augmentation must describe the augmentation settings (e.g. JSON of the generator options), received ${JSON.stringify(augmentation)}.`,
    );
  }
  const start = Date.now();
  const sets: HostFeatures[] = [];
  let nextEpoch = 0;
  for (let copy = 0; copy < copies; copy++) {
    const set = await extract(base, iterator, { ...options, augmentation, copy }, () => skipToEpoch(iterator, nextEpoch));
    if (set.meta.epoch != null) nextEpoch = Math.max(nextEpoch, set.meta.epoch + 1);
    sets.push(set);
  }
  const parts = sets.map((s) => ({ data: s.data, rows: s.meta.shape[0] }));
  const labelParts = sets.map((s) => labelsOf(s.meta));
  const labels = tf.concat(labelParts);
  tf.dispose(labelParts);
  return {
    features: new FeatureRows(parts, sets[0].meta.shape.slice(1)),
    labels,
    labelIndices: sets.flatMap((s) => s.meta.labelIndices),
    classNames: sets[0].meta.classNames,
    paths: sets.flatMap((s) => s.meta.paths),
    copyIndices: sets.flatMap((s, copy) => s.meta.paths.map(() => copy)),
    key: sets.map((s) => s.meta.key).join('+'),
    fromCache: sets.every((s) => s.fromCache),
    epoch: null,
    seconds: (Date.now() - start) / 1000,
  };
}

/** `featuresToDataFrame` options. */
export interface DataFrameOptions {
  /** Label column as the class index or the class name. Defaults to 'index'. */
  labelAs?: 'index' | 'name';
}

/**
 * The features as a danfojs DataFrame: one row per image, columns f0..f(d-1) (conv features are
 * flattened row-major) and `label`. For wide conv features (7x7x256 = 12,544 columns) pool first
 * or keep to a few hundred rows; danfojs holds every cell as a JS value.
 */
export function featuresToDataFrame(set: Pick<FeatureSet, 'features' | 'labelIndices' | 'classNames'>, options: DataFrameOptions = {}): Danfo.DataFrame {
  const dfd = loadDanfo(); // loaded here, not at import (see src/danfo.ts)
  const rows = set.features.shape[0];
  const width = set.features.size / Math.max(rows, 1);
  if (set.labelIndices.length !== rows) {
    throw new DataError(`featuresToDataFrame(): ${rows} feature rows but ${set.labelIndices.length} labels.`);
  }
  const values = set.features.dataSync();
  const labelAs = options.labelAs ?? 'index';
  const data: (number | string)[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: (number | string)[] = Array.from(values.subarray(r * width, (r + 1) * width));
    const index = set.labelIndices[r];
    row.push(labelAs === 'name' ? set.classNames[index] ?? String(index) : index);
    data.push(row);
  }
  const columns = [...Array.from({ length: width }, (_, i) => `f${i}`), 'label'];
  return new dfd.DataFrame(data, { columns });
}
