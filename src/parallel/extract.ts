/**
 * Feature extraction over image files on every core: the files are cut into batches, the batches
 * are shared among worker threads (each decodes, resizes, preprocesses and runs its own copy of
 * the frozen base), and the features come back in input order. The result is the same, bit for
 * bit, with 1 worker or N (a batch is always computed whole, by one worker, with the same ops).
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend';
import type { Interpolation } from '../data/types';
import { DataError, ModelError } from '../errors';
import { foldForInference, FoldReport } from './fold';
import { FeatureWorkerPool } from './pool';
import type { FeatureTask, TaskPreprocess, TaskResult } from './protocol';
import { chunk, concatParts } from './schedule';
import { runFeatureTask } from './task';
import { defaultWorkerCount } from './workers';

/** Options of {@link extractFeaturesParallel}. */
export interface ParallelExtractOptions {
  /**
   * Worker threads. 0 runs everything in the calling thread on its current backend (the
   * reference "serial" run). Defaults to `defaultWorkerCount()`: env TRANSFER_LAB_WORKERS, else the number of cores.
   */
  workers?: number;
  /** Images per batch (the unit of work of a worker). Defaults to 32. */
  batchSize?: number;
  /** `[height, width]` images are resized to. Defaults to the base's input size; required if that is not fixed. */
  targetSize?: [number, number];
  /**
   * Keras `preprocess_input` mode applied to the [0, 255] pixels ('tf' for MobileNet /
   * MobileNetV2 / InceptionV3, 'caffe' for VGG / ResNet50), or 'none'. Defaults to 'none'.
   */
  preprocess?: TaskPreprocess;
  /** Resize filter. Defaults to 'nearest' (Keras' default). */
  interpolation?: Interpolation;
  /** Crop to the target's aspect ratio before resizing. Defaults to false (stretch, as Keras). */
  keepAspectRatio?: boolean;
  /** Fold BatchNormalization / ReLU / ZeroPadding2D into the convolutions (about 2x faster on wasm, equal up to rounding). Defaults to true. */
  fold?: boolean;
  /** Backend of the workers. Defaults to 'wasm'. */
  backend?: BackendName;
  /** An existing pool to use (its model, fold and backend settings apply); it is left open. Defaults to a new pool, closed at the end. */
  pool?: FeatureWorkerPool;
  /** Called after each batch with the images done so far. Defaults to none. */
  progress?: (p: { done: number; total: number; seconds: number }) => void;
}

/** Features of a list of image files. The caller disposes `features`. */
export interface ParallelFeatures {
  /** [files, d] for a pooled base, [files, h, w, c] for a conv base; row i belongs to files[i]. */
  features: tf.Tensor;
  /** The files, in row order (the input order). */
  paths: string[];
  /** Workers used (0 = the calling thread). */
  workers: number;
  /** Backend that computed the features. */
  backend: string;
  /** What folding changed, or null when fold was off. */
  fold: FoldReport | null;
  /** Seconds to start the workers (0 with `workers: 0` or a given pool). */
  startupSeconds: number;
  /** Seconds for the batches alone (decode + predict), without startup. */
  computeSeconds: number;
  /** Wall time of the whole call. */
  seconds: number;
  /** Images per second over `computeSeconds`. */
  imagesPerSecond: number;
  /**
   * Seconds from a batch's start until its pixels were ready, summed over batches. With prefetch,
   * a worker decodes the next batch while it predicts the current one, so this includes waiting.
   */
  decodeSeconds: number;
  /** Seconds spent in predict (and reading the output), summed over batches. */
  predictSeconds: number;
}

function inputSize(base: tf.LayersModel): [number, number] | undefined {
  const [, h, w] = base.inputs[0]?.shape ?? [];
  return typeof h === 'number' && typeof w === 'number' ? [h, w] : undefined;
}

/** Runs the tasks one after another in this thread: the serial reference. */
async function runInProcess(base: tf.LayersModel, tasks: FeatureTask[], fold: boolean, onResult: (r: TaskResult) => void) {
  const folded = fold ? foldForInference(base) : null;
  const model = folded?.model ?? base;
  try {
    const results: TaskResult[] = [];
    for (const task of tasks) {
      const result = await runFeatureTask(model, task);
      onResult(result);
      results.push(result);
    }
    return { results, fold: folded?.report ?? null };
  } finally {
    folded?.model.dispose();
  }
}

/**
 * Runs the frozen `base` over `files` with `workers` threads, each with its own wasm backend, and
 * returns the features in the order of `files`. Without a pool of its own to reuse, it starts one
 * and stops it at the end (startup: ~1-2 s per worker for MobileNet-size models).
 *
 * @example
 * const it = await flowFromDirectory(dir, { shuffle: false });
 * const { features, imagesPerSecond } = await extractFeaturesParallel(base, it.filepaths, { preprocess: 'tf' });
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
export async function extractFeaturesParallel(
  base: tf.LayersModel,
  files: readonly string[],
  options: ParallelExtractOptions = {},
): Promise<ParallelFeatures> {
  const fn = 'extractFeaturesParallel()';
  const start = performance.now();
  if (!(base instanceof tf.LayersModel)) {
    throw new ModelError(`${fn}: argument 'base' must be a tf.LayersModel, received ${String(base)}.`);
  }
  if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string')) {
    throw new DataError(`${fn}: argument 'files' must be a non-empty array of image file paths, received ${Array.isArray(files) ? `${files.length} items` : typeof files}.`);
  }
  const targetSize = options.targetSize ?? inputSize(base);
  if (targetSize === undefined) {
    throw new DataError(`${fn}: base '${base.name}' accepts any image size; pass options.targetSize, e.g. [224, 224].`);
  }
  const batchSize = options.batchSize ?? 32;
  const batches = chunk(files, batchSize);
  const tasks: FeatureTask[] = batches.map((paths) => ({
    kind: 'files', paths, targetSize,
    interpolation: options.interpolation ?? 'nearest',
    keepAspectRatio: options.keepAspectRatio ?? false,
    preprocess: options.preprocess ?? 'none',
  }));
  const fold = options.fold ?? true;
  const requested = options.pool?.size ?? options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(requested) || requested < 0) {
    throw new ModelError(`${fn}: options.workers must be a whole number >= 0, received ${JSON.stringify(requested)}.`);
  }
  let done = 0;
  let computeStart = performance.now();
  const onResult = (r: TaskResult) => {
    done += r.shape[0];
    options.progress?.({ done, total: files.length, seconds: (performance.now() - start) / 1000 });
  };

  let results: TaskResult[];
  let backend: string;
  let foldReport: FoldReport | null;
  let startupSeconds = 0;
  let workers = requested;
  if (requested === 0) {
    computeStart = performance.now();
    ({ results, fold: foldReport } = await runInProcess(base, tasks, fold, onResult));
    backend = tf.getBackend();
  } else {
    workers = Math.min(requested, tasks.length); // more workers than batches would only idle
    const pool = options.pool ?? (await FeatureWorkerPool.create(base, { workers, fold, backend: options.backend }));
    startupSeconds = options.pool ? 0 : pool.startupSeconds;
    computeStart = performance.now();
    try {
      results = await pool.runAll(tasks, onResult);
    } finally {
      if (!options.pool) await pool.close();
    }
    backend = pool.backend;
    foldReport = pool.fold;
    workers = pool.size;
  }
  const computeSeconds = (performance.now() - computeStart) / 1000;
  const all = concatParts(results);
  return {
    features: tf.tensor(all.data, all.shape),
    paths: files.slice(),
    workers,
    backend,
    fold: foldReport,
    startupSeconds,
    computeSeconds,
    seconds: (performance.now() - start) / 1000,
    imagesPerSecond: files.length / computeSeconds,
    decodeSeconds: results.reduce((t, r) => t + r.decodeSeconds, 0),
    predictSeconds: results.reduce((t, r) => t + r.predictSeconds, 0),
  };
}
