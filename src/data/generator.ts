/**
 * Keras' ImageDataGenerator: random augmentation + standardization of image batches, and the
 * iterators that feed them (`flowFromDirectory`, `flow`).
 *
 * Per batch, in Keras' order: random geometry (rotation, shifts, shear, zoom), channel shift,
 * flips, brightness; then `preprocessingFunction`, then `rescale` (Keras' `standardize`).
 * Randomness comes from the iterator's seed (one stream per batch), so `seed: 42` reproduces a
 * preview grid exactly; the draws differ from numpy's, so Keras and we produce different (but
 * equally distributed) augmentations for the same seed.
 * @see curriculum 7.4 (ImageDataGenerator: rescale 1/255, flips, zoom 0.3, shifts 0.3, rotation 30)
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { applyTransforms, FillMode, IDENTITY_TRANSFORM, TransformParams } from './augment';
import { ArrayIterator, ArrayFlowOptions, DirectoryIterator, FlowFromDirectoryOptions } from './flow';
import { createRng, Rng } from './random';

/** Options of ImageDataGenerator (Keras names, camelCase). */
export interface ImageDataGeneratorOptions {
  /** Rotation range in degrees: angles are drawn from [-r, r]. Defaults to 0 (none). */
  rotationRange?: number;
  /**
   * Horizontal shift: a number < 1 is a fraction of the width, >= 1 a number of pixels, drawn
   * uniformly from [-r, r]; an array lists the allowed pixel shifts (each taken with a random
   * sign, as in Keras). Defaults to 0 (none).
   */
  widthShiftRange?: number | number[];
  /** Vertical shift, like widthShiftRange but for the height. Defaults to 0 (none). */
  heightShiftRange?: number | number[];
  /** Shear angle range in degrees (counter-clockwise), drawn from [-s, s]. Defaults to 0 (none). */
  shearRange?: number;
  /**
   * Zoom: a number z means factors in [1 - z, 1 + z]; or [lower, upper]. Row and column factors
   * are drawn separately (Keras does the same). Factors < 1 zoom in. Defaults to 0 (none).
   */
  zoomRange?: number | [number, number];
  /** Range of a random value added to all channels (Keras channel_shift_range). Defaults to 0 (none). */
  channelShiftRange?: number;
  /**
   * [lower, upper] brightness factors (1 = unchanged). Pixels are multiplied and clipped to
   * [0, 255]. Keras goes through PIL, which first stretches the image to 0..255; we do not.
   * Defaults to undefined (none).
   */
  brightnessRange?: [number, number];
  /** How points outside the image are filled: 'nearest' (aaa|abcd|ddd), 'constant' (cval), 'reflect' (dcba|abcd|dcba), 'wrap' (abcd|abcd|abcd). Defaults to 'nearest'. */
  fillMode?: FillMode;
  /** Fill value for fillMode 'constant'. Defaults to 0. */
  cval?: number;
  /** Randomly mirror images left-right (half of them). Defaults to false. */
  horizontalFlip?: boolean;
  /** Randomly mirror images top-bottom. Defaults to false. */
  verticalFlip?: boolean;
  /** Multiply pixels by this after everything else, e.g. 1/255. Defaults to undefined (0 or undefined: none). */
  rescale?: number;
  /**
   * Applied to each augmented batch `[n, h, w, c]` (float32 0..255) before `rescale`, e.g. a
   * model family's `preprocessInput`. Must return a new tensor of the same shape.
   * Defaults to undefined (none).
   */
  preprocessingFunction?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Fraction of each class reserved for the 'validation' subset of flowFromDirectory. Defaults to 0. */
  validationSplit?: number;
}

const FILL_MODES: readonly FillMode[] = ['nearest', 'constant', 'reflect', 'wrap'];

function fail(option: string, expected: string, value: unknown): never {
  throw new DataError(`ImageDataGenerator: ${option} must be ${expected}; received ${JSON.stringify(value)}.`);
}

function checkRange(option: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(option, 'a number >= 0', value);
  return value;
}

function checkShift(option: string, value: number | number[] | undefined): number | number[] {
  if (value === undefined) return 0;
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((v) => Number.isFinite(v))) fail(option, 'a number >= 0 or a non-empty list of pixel shifts', value);
    return [...value];
  }
  return checkRange(option, value);
}

/** Draws one shift in pixels, as Keras' get_random_transform does. */
function drawShift(range: number | number[], size: number, rng: Rng): number {
  let shift: number;
  let largest: number;
  if (Array.isArray(range)) {
    shift = range[rng.int(range.length)] * (rng.next() < 0.5 ? -1 : 1);
    largest = Math.max(...range);
  } else {
    shift = rng.uniform(-range, range);
    largest = range;
  }
  return largest < 1 ? shift * size : shift;
}

/**
 * Generates batches of image tensors with real-time augmentation (Keras ImageDataGenerator).
 *
 * @example
 * const gen = new ImageDataGenerator({ rescale: 1 / 255, horizontalFlip: true, zoomRange: 0.3,
 *   widthShiftRange: 0.3, heightShiftRange: 0.3, rotationRange: 30, fillMode: 'nearest' });
 * const train = await gen.flowFromDirectory('data/train', { targetSize: [224, 224], batchSize: 16 });
 * await model.fitDataset(train.toDataset(), { epochs: 5 });
 * @see curriculum 7.4 (the dataset notebook)
 */
export class ImageDataGenerator {
  // The options, validated and with defaults filled in (see ImageDataGeneratorOptions).
  readonly rotationRange: number;
  readonly widthShiftRange: number | number[];
  readonly heightShiftRange: number | number[];
  readonly shearRange: number;
  /** Always normalized to [lower, upper]. */
  readonly zoomRange: [number, number];
  readonly channelShiftRange: number;
  readonly brightnessRange: [number, number] | undefined;
  readonly fillMode: FillMode;
  readonly cval: number;
  readonly horizontalFlip: boolean;
  readonly verticalFlip: boolean;
  readonly rescale: number | undefined;
  readonly preprocessingFunction: ((x: tf.Tensor4D) => tf.Tensor4D) | undefined;
  readonly validationSplit: number;

  constructor(opts: ImageDataGeneratorOptions = {}) {
    this.rotationRange = checkRange('rotationRange', opts.rotationRange);
    this.widthShiftRange = checkShift('widthShiftRange', opts.widthShiftRange);
    this.heightShiftRange = checkShift('heightShiftRange', opts.heightShiftRange);
    this.shearRange = checkRange('shearRange', opts.shearRange);
    this.channelShiftRange = checkRange('channelShiftRange', opts.channelShiftRange);
    const zoom = opts.zoomRange ?? 0;
    if (typeof zoom === 'number') {
      this.zoomRange = [1 - checkRange('zoomRange', zoom), 1 + zoom];
    } else if (Array.isArray(zoom) && zoom.length === 2 && zoom.every(Number.isFinite)) {
      this.zoomRange = [zoom[0], zoom[1]];
    } else {
      fail('zoomRange', 'a number or [lower, upper]', zoom);
    }
    if (!(this.zoomRange[0] > 0 && this.zoomRange[1] >= this.zoomRange[0])) {
      fail('zoomRange', 'such that zoom factors stay positive (e.g. 0.3 -> [0.7, 1.3])', zoom);
    }
    const b = opts.brightnessRange;
    if (b !== undefined && !(Array.isArray(b) && b.length === 2 && b[0] >= 0 && b[1] >= b[0])) {
      fail('brightnessRange', '[lower, upper] with 0 <= lower <= upper', b);
    }
    this.brightnessRange = b === undefined ? undefined : [b[0], b[1]];
    this.fillMode = opts.fillMode ?? 'nearest';
    if (!FILL_MODES.includes(this.fillMode)) fail('fillMode', `one of ${FILL_MODES.map((m) => `'${m}'`).join(', ')}`, this.fillMode);
    this.cval = opts.cval ?? 0;
    if (!Number.isFinite(this.cval)) fail('cval', 'a finite number', this.cval);
    this.horizontalFlip = opts.horizontalFlip ?? false;
    this.verticalFlip = opts.verticalFlip ?? false;
    if (opts.rescale !== undefined && !Number.isFinite(opts.rescale)) fail('rescale', 'a finite number such as 1/255', opts.rescale);
    this.rescale = opts.rescale === 0 ? undefined : opts.rescale;
    if (opts.preprocessingFunction !== undefined && typeof opts.preprocessingFunction !== 'function') {
      fail('preprocessingFunction', 'a function (x: Tensor4D) => Tensor4D', typeof opts.preprocessingFunction);
    }
    this.preprocessingFunction = opts.preprocessingFunction;
    this.validationSplit = opts.validationSplit ?? 0;
    if (!(this.validationSplit >= 0 && this.validationSplit < 1)) fail('validationSplit', 'in [0, 1) (0 = no split)', opts.validationSplit);
  }

  /** True when any random transformation is configured (false for a rescale-only generator). */
  get augments(): boolean {
    return this.rotationRange !== 0 || this.widthShiftRange !== 0 || this.heightShiftRange !== 0 ||
      this.shearRange !== 0 || this.zoomRange[0] !== 1 || this.zoomRange[1] !== 1 || this.channelShiftRange !== 0 ||
      this.brightnessRange !== undefined || this.horizontalFlip || this.verticalFlip;
  }

  /**
   * A generator with the same `rescale` / `preprocessingFunction` and no augmentation: what
   * validation and test data need (Keras code builds a second `ImageDataGenerator(rescale=...)`).
   */
  standardizeOnly(): ImageDataGenerator {
    return new ImageDataGenerator({ rescale: this.rescale, preprocessingFunction: this.preprocessingFunction });
  }

  /**
   * Draws one image's random transformation (Keras `get_random_transform`), in Keras' draw
   * order. `seed` may be a number (a fresh stream) or a stream to continue.
   */
  getRandomTransform(imgShape: readonly number[], seed?: number | Rng): TransformParams {
    const rng = typeof seed === 'object' ? seed : createRng(seed ?? Math.floor(Math.random() * 4294967296));
    const [height, width] = imgShape;
    const theta = this.rotationRange ? rng.uniform(-this.rotationRange, this.rotationRange) : 0;
    const tx = this.heightShiftRange !== 0 ? drawShift(this.heightShiftRange, height, rng) : 0;
    const ty = this.widthShiftRange !== 0 ? drawShift(this.widthShiftRange, width, rng) : 0;
    const shear = this.shearRange ? rng.uniform(-this.shearRange, this.shearRange) : 0;
    const [lo, hi] = this.zoomRange;
    const noZoom = lo === 1 && hi === 1;
    const zx = noZoom ? 1 : rng.uniform(lo, hi);
    const zy = noZoom ? 1 : rng.uniform(lo, hi);
    const flipHorizontal = this.horizontalFlip && rng.next() < 0.5;
    const flipVertical = this.verticalFlip && rng.next() < 0.5;
    const channelShiftIntensity = this.channelShiftRange ? rng.uniform(-this.channelShiftRange, this.channelShiftRange) : null;
    const brightness = this.brightnessRange ? rng.uniform(this.brightnessRange[0], this.brightnessRange[1]) : null;
    return { ...IDENTITY_TRANSFORM, theta, tx, ty, shear, zx, zy, flipHorizontal, flipVertical, channelShiftIntensity, brightness };
  }

  /**
   * Applies given transformations (Keras `apply_transform`) to one image `[h, w, c]` or a batch
   * `[n, h, w, c]` (one TransformParams for all, or one per image). Returns a new float32 tensor.
   */
  applyTransform<T extends tf.Tensor3D | tf.Tensor4D>(x: T, params: TransformParams | TransformParams[]): T {
    return tf.tidy(() => {
      const batch = (x.rank === 3 ? tf.expandDims(x, 0) : x) as tf.Tensor4D;
      const n = batch.shape[0];
      const list = Array.isArray(params) ? params : new Array<TransformParams>(n).fill(params);
      if (list.length !== n) {
        throw new DataError(`ImageDataGenerator.applyTransform: got ${list.length} parameter sets for ${n} images; pass one per image or a single one.`);
      }
      const out = applyTransforms(batch, list, this.fillMode, this.cval);
      return (x.rank === 3 ? tf.squeeze(out, [0]) : out) as T;
    });
  }

  /**
   * Randomly transforms one image `[h, w, c]` or each image of a batch (Keras `random_transform`).
   * The same `seed` gives the same result. Returns a new float32 tensor.
   */
  randomTransform<T extends tf.Tensor3D | tf.Tensor4D>(x: T, seed?: number): T {
    const rng = createRng(seed ?? Math.floor(Math.random() * 4294967296));
    const n = x.rank === 3 ? 1 : x.shape[0];
    const [h, w] = x.rank === 3 ? x.shape : x.shape.slice(1);
    const params = Array.from({ length: n }, () => this.getRandomTransform([h, w], rng));
    return this.applyTransform(x, params);
  }

  /** Augments a batch with one random transformation per image drawn from `rng` (used by the iterators). */
  augmentBatch(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
    if (!this.augments) return x;
    const [n, h, w] = x.shape;
    const params = Array.from({ length: n }, () => this.getRandomTransform([h, w], rng));
    return applyTransforms(x, params, this.fillMode, this.cval);
  }

  /** Keras `standardize`: `preprocessingFunction`, then `rescale`. Returns a tensor (possibly `x` itself). */
  standardize(x: tf.Tensor4D): tf.Tensor4D {
    let out = x;
    if (this.preprocessingFunction !== undefined) {
      out = this.preprocessingFunction(out);
      if (!(out instanceof tf.Tensor) || out.rank !== 4) {
        throw new DataError(`ImageDataGenerator: preprocessingFunction must return a Tensor4D; it returned ${out instanceof tf.Tensor ? `rank ${out.rank}` : typeof out}.`);
      }
    }
    if (this.rescale !== undefined) out = tf.mul(out, this.rescale);
    return out;
  }

  /**
   * Lists and checks a folder with one sub-folder per class, and returns an iterator over
   * augmented batches (Keras `flow_from_directory`). See FlowFromDirectoryOptions for defaults.
   */
  flowFromDirectory(directory: string, opts: FlowFromDirectoryOptions = {}): Promise<DirectoryIterator> {
    return DirectoryIterator.create(directory, this, opts);
  }

  /** Batches over in-memory images `[n, h, w, c]` and optional labels (Keras `flow`), e.g. MNIST. */
  flow(xs: tf.Tensor4D, ys?: tf.Tensor, opts: ArrayFlowOptions = {}): ArrayIterator {
    return new ArrayIterator(xs, ys, this, opts);
  }
}

/**
 * `new ImageDataGenerator().flowFromDirectory(directory, opts)`: batches from a folder per class
 * with no augmentation and no rescale (pixels in [0, 255]).
 */
export function flowFromDirectory(directory: string, opts: FlowFromDirectoryOptions = {}): Promise<DirectoryIterator> {
  return new ImageDataGenerator().flowFromDirectory(directory, opts);
}
