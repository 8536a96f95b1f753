/**
 * The iterators behind ImageDataGenerator: DirectoryIterator (Keras `flow_from_directory`) and
 * ArrayIterator (Keras `flow`, for tensors already in memory such as MNIST).
 *
 * DirectoryIterator decodes every listed file once when it is created, so that `samples`,
 * `filepaths` and `skipped` are right from the start and no batch ever has a hole: a file that
 * cannot be decoded (empty, truncated, not an image) is left out and listed in `skipped`.
 *
 * Memory: when all decoded images fit in `cacheLimitMB` (default 256 MB of uint8 pixels,
 * samples * height * width * 3 bytes), the resized pixels from that first pass are kept and
 * every epoch reads them from memory (ants/bees at 224x224: 37 MB; flowers12 train: 108 MB).
 * Larger sets (cats_dogs_100 train at 224x224: 300 MB) are streamed instead: each batch is
 * decoded from disk while the previous one is in use. Augmentation runs on tensors either way.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { decodeImage, validateInterpolation } from './decode';
import { listClassFiles, Subset } from './directory';
import { BatchIterator, IteratorOptions } from './iterator';
import type { Rng } from './random';
import { Batch, ClassMode, FileIssue, ImageDecodeError, Interpolation, SkippedFile } from './types';

/** What an iterator needs from its ImageDataGenerator (kept as an interface to avoid an import cycle). */
export interface BatchTransformer {
  /** Fraction for the 'validation' subset when the flow options do not give one. */
  readonly validationSplit: number;
  augmentBatch(x: tf.Tensor4D, rng: Rng): tf.Tensor4D;
  standardize(x: tf.Tensor4D): tf.Tensor4D;
}

/** Options of flowFromDirectory (Keras names, camelCase). */
export interface FlowFromDirectoryOptions extends IteratorOptions {
  /** `[height, width]` every image is resized to (aspect ratio not kept, as in Keras). Defaults to [256, 256]. */
  targetSize?: [number, number];
  /** Label format, see ClassMode. Defaults to 'categorical'. */
  classMode?: ClassMode;
  /** Fraction of each class for the 'validation' subset. Defaults to the generator's validationSplit (0). */
  validationSplit?: number;
  /** 'training' or 'validation' part of the split. Defaults to undefined: every file. */
  subset?: Subset;
  /** Resize filter. Defaults to 'nearest' (Keras' default). */
  interpolation?: Interpolation;
  /** Keras' `keep_aspect_ratio`: centre-crop to the target aspect ratio before resizing. Defaults to false. */
  keepAspectRatio?: boolean;
  /** Class folder names in label order. Defaults to every sub-folder, sorted by code point. */
  classes?: string[];
  /** Follow symbolic links to folders inside class folders. Defaults to false. */
  followLinks?: boolean;
  /** Keep decoded pixels in memory: 'auto' caches when they fit in cacheLimitMB. Defaults to 'auto'. */
  cache?: boolean | 'auto';
  /** Memory budget for the 'auto' cache, in MB of uint8 pixels. Defaults to 256. */
  cacheLimitMB?: number;
  /** Files decoded at once (sharp runs them on its thread pool). Defaults to 4. */
  concurrency?: number;
  /** Print "Found N images belonging to K classes." like Keras. Defaults to true. */
  verbose?: boolean;
}

/** Runs `fn` over items with at most `limit` promises in flight; results keep the input order. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Builds the label tensor of a batch for a class mode. */
function labelTensor(classes: number[], numClasses: number, classMode: ClassMode): tf.Tensor {
  const n = classes.length;
  switch (classMode) {
    case 'categorical':
      return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(classes, 'int32'), numClasses), 'float32'));
    case 'binary':
      return tf.tensor2d(classes, [n, 1], 'float32');
    case 'sparse':
      return tf.tensor1d(classes, 'float32');
    default:
      return tf.zeros([n, 0]);
  }
}

/**
 * Iterates over a folder with one sub-folder per class (Keras DirectoryIterator). Create it
 * with `ImageDataGenerator.flowFromDirectory` or `flowFromDirectory`.
 */
export class DirectoryIterator extends BatchIterator<Uint8Array[], Batch> {
  readonly directory: string;
  readonly classNames: string[];
  readonly classIndices: Record<string, number>;
  /** Usable image files, class by class, in sorted order. */
  readonly filepaths: string[];
  /** Label index of each file in `filepaths` (Keras `classes`). */
  readonly classes: number[];
  readonly samples: number;
  readonly targetSize: [number, number];
  readonly classMode: ClassMode;
  readonly interpolation: Interpolation;
  readonly keepAspectRatio: boolean;
  /** Files left out because they cannot be decoded. */
  readonly skipped: SkippedFile[];
  /** Files used despite a problem worth a look (content format differs from the extension). */
  readonly warnings: FileIssue[];
  /** True when decoded pixels are kept in memory (see the module comment). */
  readonly cached: boolean;
  private readonly generator: BatchTransformer;
  private readonly cache: Uint8Array[] | undefined;
  private readonly concurrency: number;

  private constructor(init: {
    directory: string; classNames: string[]; classIndices: Record<string, number>; filepaths: string[];
    classes: number[]; skipped: SkippedFile[]; warnings: FileIssue[]; cache: Uint8Array[] | undefined;
    targetSize: [number, number]; classMode: ClassMode; interpolation: Interpolation; keepAspectRatio: boolean; concurrency: number;
    generator: BatchTransformer; opts: IteratorOptions;
  }) {
    super('flowFromDirectory', init.opts);
    this.directory = init.directory;
    this.classNames = init.classNames;
    this.classIndices = init.classIndices;
    this.filepaths = init.filepaths;
    this.classes = init.classes;
    this.samples = init.filepaths.length;
    this.skipped = init.skipped;
    this.warnings = init.warnings;
    this.cache = init.cache;
    this.cached = init.cache !== undefined;
    this.targetSize = init.targetSize;
    this.classMode = init.classMode;
    this.interpolation = init.interpolation;
    this.keepAspectRatio = init.keepAspectRatio;
    this.concurrency = init.concurrency;
    this.generator = init.generator;
  }

  /** Lists, decodes and checks the folder; see FlowFromDirectoryOptions. */
  static async create(directory: string, generator: BatchTransformer, opts: FlowFromDirectoryOptions = {}): Promise<DirectoryIterator> {
    const fn = 'flowFromDirectory';
    const targetSize = opts.targetSize ?? [256, 256];
    if (!(Array.isArray(targetSize) && targetSize.length === 2 && targetSize.every((v) => Number.isInteger(v) && v > 0))) {
      throw new DataError(`${fn}: targetSize must be [height, width] with two positive integers; received ${JSON.stringify(targetSize)}.`);
    }
    const classMode = opts.classMode === undefined ? 'categorical' : opts.classMode;
    if (!['categorical', 'binary', 'sparse', null].includes(classMode)) {
      throw new DataError(`${fn}: classMode must be 'categorical', 'binary', 'sparse' or null; received ${JSON.stringify(classMode)}.`);
    }
    const interpolation = validateInterpolation(fn, opts.interpolation ?? 'nearest');
    const keepAspectRatio = opts.keepAspectRatio ?? false;
    const concurrency = opts.concurrency ?? 4;
    const listing = listClassFiles(directory, {
      classes: opts.classes, validationSplit: opts.validationSplit ?? generator.validationSplit, subset: opts.subset,
      followLinks: opts.followLinks, classMode, caller: fn,
    });

    const bytes = listing.filepaths.length * targetSize[0] * targetSize[1] * 3;
    const cacheOpt = opts.cache ?? 'auto';
    const keep = cacheOpt === true || (cacheOpt === 'auto' && bytes <= (opts.cacheLimitMB ?? 256) * 1024 * 1024);

    // One full decode per file: catches truncation that a header check would miss.
    type Checked = { ok: true; data: Uint8Array; warnings: FileIssue[] } | { ok: false; skip: SkippedFile };
    const results = await mapPool(listing.filepaths, concurrency, async (file): Promise<Checked> => {
      try {
        const img = await decodeImage(file, { targetSize, interpolation, keepAspectRatio });
        return { ok: true, data: keep ? img.data : new Uint8Array(0), warnings: img.warnings };
      } catch (err) {
        if (!(err instanceof ImageDecodeError)) throw err;
        return { ok: false, skip: { path: file, reason: err.reason, detail: err.detail } };
      }
    });
    const skipped: SkippedFile[] = [];
    const warnings: FileIssue[] = [];
    const decoded: (Uint8Array | undefined)[] = results.map((r) => {
      if (!r.ok) {
        skipped.push(r.skip);
        return undefined;
      }
      warnings.push(...r.warnings);
      return r.data;
    });
    const keepIndex = decoded.map((d, i) => (d !== undefined ? i : -1)).filter((i) => i >= 0);
    const classes = keepIndex.map((i) => listing.classes[i]);
    for (const [ci, name] of listing.classNames.entries()) {
      const listed = listing.classes.filter((c) => c === ci).length;
      if (listed > 0 && !classes.includes(ci)) {
        const reasons = [...new Set(skipped.filter((s) => s.path.startsWith(path.join(directory, name) + path.sep)).map((s) => s.reason))];
        throw new DataError(
          `${fn}: none of the ${listed} image files of class '${name}' in '${directory}' can be decoded (${reasons.join(', ')}). ` +
            'Replace the files; decodeImage(path) shows the reason for each one.',
        );
      }
    }
    const it = new DirectoryIterator({
      directory, classNames: listing.classNames, classIndices: listing.classIndices,
      filepaths: keepIndex.map((i) => listing.filepaths[i]), classes, skipped, warnings,
      cache: keep ? keepIndex.map((i) => decoded[i] as Uint8Array) : undefined,
      targetSize: [targetSize[0], targetSize[1]], classMode, interpolation, keepAspectRatio, concurrency, generator, opts,
    });
    if (opts.verbose ?? true) {
      const extra = skipped.length > 0 ? ` (skipped ${skipped.length} file${skipped.length > 1 ? 's' : ''} that cannot be decoded: see .skipped)` : '';
      console.log(`Found ${it.samples} images belonging to ${it.classNames.length} classes.${extra}`);
    }
    return it;
  }

  /** Number of classes. */
  get numClasses(): number {
    return this.classNames.length;
  }

  /** `filepaths` relative to `directory`, e.g. 'ants/0013035.jpg' (Keras `filenames`). */
  get filenames(): string[] {
    return this.filepaths.map((p) => path.relative(this.directory, p));
  }

  protected async loadRaw(indices: number[]): Promise<Uint8Array[]> {
    if (this.cache !== undefined) return indices.map((i) => this.cache![i]);
    return mapPool(indices, this.concurrency, async (i) => {
      try {
        return (await decodeImage(this.filepaths[i], { targetSize: this.targetSize, interpolation: this.interpolation, keepAspectRatio: this.keepAspectRatio })).data;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        throw new DataError(
          `DirectoryIterator: '${this.filepaths[i]}' decoded when the iterator was created but fails now (${err.message}). ` +
            'Was the folder changed? Create the iterator again.',
        );
      }
    });
  }

  protected makeBatch(raw: Uint8Array[], indices: number[], rng: Rng): Batch {
    const [h, w] = this.targetSize;
    const size = h * w * 3;
    const pixels = new Float32Array(raw.length * size);
    raw.forEach((img, i) => pixels.set(img, i * size));
    const { xs, ys } = tf.tidy(() => {
      const input = tf.tensor4d(pixels, [raw.length, h, w, 3]);
      const images = this.generator.standardize(this.generator.augmentBatch(input, rng));
      return { xs: images, ys: labelTensor(indices.map((i) => this.classes[i]), this.classNames.length, this.classMode) };
    });
    return { xs, ys, paths: indices.map((i) => this.filepaths[i]) };
  }
}

/** Options of ImageDataGenerator.flow. */
export type ArrayFlowOptions = IteratorOptions;

/** One batch from an ArrayIterator. The caller disposes `xs` and `ys`. */
export interface ArrayBatch {
  /** Images `[n, h, w, c]`, float32, augmented and standardized. */
  xs: tf.Tensor4D;
  /** The matching rows of the labels given to `flow` (an empty `[n, 0]` tensor when none were given). */
  ys: tf.Tensor;
  /** Row numbers of these samples in the input tensors. */
  indices: number[];
}

/**
 * Iterates over images already in memory (Keras NumpyArrayIterator). The input tensors stay
 * owned by the caller and must stay alive while the iterator is used.
 */
export class ArrayIterator extends BatchIterator<number[], ArrayBatch> {
  readonly samples: number;
  private readonly xs: tf.Tensor4D;
  private readonly ys: tf.Tensor | undefined;
  private readonly generator: BatchTransformer;

  constructor(xs: tf.Tensor4D, ys: tf.Tensor | undefined, generator: BatchTransformer, opts: ArrayFlowOptions = {}) {
    super('ImageDataGenerator.flow', opts);
    if (!(xs instanceof tf.Tensor) || xs.rank !== 4) {
      throw new DataError(`ImageDataGenerator.flow: xs must be a Tensor4D [n, height, width, channels]; received ${xs instanceof tf.Tensor ? `shape [${xs.shape}]` : typeof xs}.`);
    }
    if (ys !== undefined && ys.shape[0] !== xs.shape[0]) {
      throw new DataError(`ImageDataGenerator.flow: xs has ${xs.shape[0]} samples but ys has ${ys.shape[0]}; pass one label row per image.`);
    }
    this.xs = xs;
    this.ys = ys;
    this.samples = xs.shape[0];
    this.generator = generator;
  }

  protected async loadRaw(indices: number[]): Promise<number[]> {
    return indices;
  }

  protected makeBatch(indices: number[], _sameIndices: number[], rng: Rng): ArrayBatch {
    const { xs, ys } = tf.tidy(() => {
      const idx = tf.tensor1d(indices, 'int32');
      const images = tf.cast(tf.gather(this.xs, idx), 'float32') as tf.Tensor4D;
      return {
        xs: this.generator.standardize(this.generator.augmentBatch(images, rng)),
        ys: this.ys !== undefined ? tf.gather(this.ys, idx) : tf.zeros([indices.length, 0]),
      };
    });
    return { xs, ys, indices };
  }
}
