/**
 * Helpers of lesson 03 (the pretrained-model zoo): measure how fast a model runs on this
 * machine, build the zoo's summary table (parameters, depth, published accuracy, measured speed),
 * list the Keras models the course does not build, and count how often a pretrained ImageNet
 * classifier already names the photos of a class folder.
 * @see notebooks/03-pretrained-models.ipynb
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { timeRepeated } from '../stats';
import { IMAGE_EXTENSIONS } from '../data';
import { ModelError } from '../errors';
import { classifyImage, type ClassifyImageOptions } from '../models/classify';
import { MODEL_FAMILIES, type FamilyName } from '../models/families';
import { imagenetLabels } from '../models/imagenet';
import { checkFamilies } from '../models/zoo';
import type { PreprocessMode } from '../models/preprocess';

/** Options of {@link measureInferenceSpeed}. */
export interface InferenceSpeedOptions {
  /** Images per `predict` call. Defaults to 8. */
  batchSize?: number;
  /** Untimed calls first (wasm plans its kernels and allocates memory on the first call). Defaults to 1. */
  warmup?: number;
  /** Timed calls; the median is reported. Defaults to 3. */
  repeats?: number;
  /**
   * Input height = width. Defaults to the model's own input size; required when the model
   * accepts any size (built with `inputShape: [null, null, 3]`).
   */
  inputSize?: number;
}

/** Result of {@link measureInferenceSpeed}. */
export interface InferenceSpeed {
  inputSize: number;
  batchSize: number;
  repeats: number;
  /** Median milliseconds of one `predict` call on a whole batch. */
  msPerBatch: number;
  /** Images per second at that median. */
  imagesPerSecond: number;
}

function positiveInteger(fn: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ModelError(`${fn}: ${name} must be an integer >= ${min}; received ${name}=${value}.`);
  }
}


/**
 * Times `model.predict` on a batch of random images (the content does not change the work a
 * convolutional network does) after `warmup` untimed calls, and reports the median.
 *
 * @example
 * const speed = await measureInferenceSpeed(model, { batchSize: 8 }); // { imagesPerSecond: 12.3, ... }
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function measureInferenceSpeed(model: tf.LayersModel, opts: InferenceSpeedOptions = {}): Promise<InferenceSpeed> {
  const fn = 'measureInferenceSpeed';
  const batchSize = opts.batchSize ?? 8;
  const warmup = opts.warmup ?? 1;
  const repeats = opts.repeats ?? 3;
  positiveInteger(fn, 'batchSize', batchSize, 1);
  positiveInteger(fn, 'warmup', warmup, 0);
  positiveInteger(fn, 'repeats', repeats, 1);
  const [, h, w, c] = model.inputs[0].shape;
  const inputSize = opts.inputSize ?? (h !== null && h === w ? h : undefined);
  if (inputSize === undefined) {
    throw new ModelError(`${fn}: model '${model.name}' has input shape ${JSON.stringify(model.inputs[0].shape)}; pass inputSize.`);
  }
  positiveInteger(fn, 'inputSize', inputSize, 1);
  const x = tf.randomUniform([batchSize, inputSize, inputSize, c ?? 3], -1, 1);
  const run = async (): Promise<void> => {
    const y = model.predict(x) as tf.Tensor;
    await y.data(); // the work is done once the values can be read
    y.dispose();
  };
  try {
    // The bench's timing loop (warm-up, then `repeats` timed calls, median); `repeats` is its `reps`.
    const timing = await timeRepeated(run, { warmup, reps: repeats });
    const msPerBatch = timing.median * 1000;
    return { inputSize, batchSize, repeats, msPerBatch, imagesPerSecond: (batchSize * 1000) / msPerBatch };
  } finally {
    x.dispose();
  }
}

/** Options of {@link benchmarkZoo}. */
export interface ZooBenchmarkOptions extends Omit<InferenceSpeedOptions, 'inputSize'> {
  /** Families to measure, in this order. Defaults to all six. */
  families?: FamilyName[];
  /**
   * Input height = width for the speed measurement: a number, or 'default' for each family's
   * own size (224, 299 for InceptionV3). Defaults to 'default'.
   */
  speedInputSize?: number | 'default';
  /** Called before each family is built (e.g. to print progress). Defaults to nothing. */
  onFamily?: (name: FamilyName, index: number, count: number) => void;
}

/** One row of {@link benchmarkZoo} (a type alias, so `toHtmlTable` accepts it as a record). */
export type ZooBenchmarkRow = {
  name: FamilyName;
  /** Default input height = width. */
  inputSize: number;
  preprocessMode: PreprocessMode;
  /** Parameters of our build with the ImageNet top, at the default input size. */
  paramsWithTop: number;
  /** Parameters without the top (independent of the input size). */
  paramsNoTop: number;
  /** Parameters of the top alone (with minus without). */
  topParams: number;
  /** Keras' published count with the top (ours must be equal). */
  kerasParams: number;
  /** Layers of our build with top that hold weights: Keras' "depth" counts exactly these. */
  depth: number;
  /** Keras' published depth. */
  kerasDepth: number;
  /** All layers of our build with top (inputs, activations, pooling included). */
  layers: number;
  /** Published ImageNet accuracies (fractions) and weight file size with top. */
  top1: number;
  top5: number;
  sizeMB: number;
  /** Input size the speed was measured at (may differ from `inputSize` in quick mode). */
  speedInputSize: number;
  batchSize: number;
  /** Measured images per second of the base (no top, global average pooling). */
  imagesPerSecond: number;
  /** Milliseconds per image at that speed. */
  msPerImage: number;
};

/**
 * Builds every family with random weights (`weights: null`), counts its parameters and weighted
 * layers with and without the top, and measures the inference speed of the base without top
 * (global average pooling: what feature extraction runs; the 1000-class top adds under 1% of the
 * arithmetic). Each model is disposed before the next is built: VGG19 with top alone is ~575 MB.
 *
 * @example
 * const rows = await benchmarkZoo({ speedInputSize: quickOr(128, 'default'), batchSize: 8 });
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function benchmarkZoo(opts: ZooBenchmarkOptions = {}): Promise<ZooBenchmarkRow[]> {
  const fn = 'benchmarkZoo';
  const families = checkFamilies(fn, opts.families);
  const sizeOpt = opts.speedInputSize ?? 'default';
  if (sizeOpt !== 'default') positiveInteger(fn, 'speedInputSize', sizeOpt, 32);
  const rows: ZooBenchmarkRow[] = [];
  for (const [index, name] of families.entries()) {
    opts.onFamily?.(name, index, families.length);
    const fam = MODEL_FAMILIES[name];
    const size = fam.defaultInputSize;
    const full = await fam.builder({ includeTop: true, weights: null, inputShape: [size, size, 3] });
    const paramsWithTop = full.countParams();
    const depth = full.layers.filter((l) => l.countParams() > 0).length;
    const layers = full.layers.length;
    full.dispose();

    const speedInputSize = sizeOpt === 'default' ? size : Math.max(sizeOpt, fam.minInputSize);
    const base = await fam.builder({ includeTop: false, weights: null, pooling: 'avg', inputShape: [speedInputSize, speedInputSize, 3] });
    try {
      const paramsNoTop = base.countParams();
      const speed = await measureInferenceSpeed(base, { batchSize: opts.batchSize, warmup: opts.warmup, repeats: opts.repeats });
      rows.push({
        name,
        inputSize: size,
        preprocessMode: fam.preprocessMode,
        paramsWithTop,
        paramsNoTop,
        topParams: paramsWithTop - paramsNoTop,
        kerasParams: fam.params.withTop,
        depth,
        kerasDepth: fam.depth,
        layers,
        top1: fam.top1,
        top5: fam.top5,
        sizeMB: fam.sizeMB,
        speedInputSize,
        batchSize: speed.batchSize,
        imagesPerSecond: speed.imagesPerSecond,
        msPerImage: speed.msPerBatch / speed.batchSize,
      });
    } finally {
      base.dispose();
    }
  }
  return rows;
}

/** A Keras application the course describes but does not build (see {@link OTHER_KERAS_MODELS}). */
export type OtherKerasModel = {
  name: string;
  /** Default input height = width. */
  inputSize: number;
  /** Published ImageNet accuracies (fractions). */
  top1: number;
  top5: number;
  /** Parameters with the top, in millions, as the Keras applications table rounds them. */
  paramsM: number;
  depth: number;
  sizeMB: number;
  /** The idea the family is known for, in a few words. */
  idea: string;
};

/**
 * The smallest member of each other family the Keras applications page lists (numbers from that
 * page: https://keras.io/api/applications/). They are described in the lesson, not built.
 * @see notebooks/03-pretrained-models.ipynb
 */
export const OTHER_KERAS_MODELS: readonly OtherKerasModel[] = [
  { name: 'Xception', inputSize: 299, top1: 0.79, top5: 0.945, paramsM: 22.9, depth: 81, sizeMB: 88, idea: 'Inception modules replaced by depthwise separable convolutions' },
  { name: 'DenseNet121', inputSize: 224, top1: 0.75, top5: 0.923, paramsM: 8.1, depth: 242, sizeMB: 33, idea: 'every layer receives the feature maps of all earlier layers of its block' },
  { name: 'NASNetMobile', inputSize: 224, top1: 0.744, top5: 0.919, paramsM: 5.3, depth: 389, sizeMB: 23, idea: 'cell structure found by neural architecture search' },
  { name: 'EfficientNetB0', inputSize: 224, top1: 0.771, top5: 0.933, paramsM: 5.3, depth: 132, sizeMB: 29, idea: 'depth, width and resolution scaled together (B0 ... B7)' },
];

/** Options of {@link imagenetAgreement}. */
export interface ImagenetAgreementOptions {
  /** Classify at most this many photos of the folder (sorted by name). Defaults to all. */
  limit?: number;
  /** Preprocessing of the model's family. Defaults to 'tf'. */
  preprocess?: ClassifyImageOptions['preprocess'];
}

/** Result of {@link imagenetAgreement} (a type alias, so `toHtmlTable` accepts it as a record). */
export type ImagenetAgreement = {
  /** The folder's name, e.g. 'ants'. */
  folder: string;
  /** The ImageNet class looked for, as given, e.g. 'ant'. */
  imagenetClass: string;
  photos: number;
  /** Photos whose most probable class is `imagenetClass`. */
  top1: number;
  /** Photos with `imagenetClass` among the five most probable. */
  top5: number;
  /** The most frequent wrong top-1 classes, most frequent first, e.g. 'nail (2)'. */
  commonMistakes: string;
};

/**
 * How often a pretrained ImageNet classifier already names the photos of one class folder: the
 * share of photos whose top-1 (and top-5) prediction is the given ImageNet class. A high share
 * says the source task knows the target class, which is why a frozen base works so well there.
 *
 * @example
 * const ants = await imagenetAgreement(mobilenet, `${root}/val/ants`, 'ant'); // {photos: 70, top1: 48, ...}
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function imagenetAgreement(
  model: tf.LayersModel,
  folder: string,
  imagenetClass: string,
  opts: ImagenetAgreementOptions = {},
): Promise<ImagenetAgreement> {
  const fn = 'imagenetAgreement';
  const labels = await imagenetLabels();
  const classIndex = labels.findIndex((l) => l.split(',')[0].trim() === imagenetClass);
  if (classIndex < 0) {
    throw new ModelError(
      `${fn}: '${imagenetClass}' is not the first name of an ImageNet class (e.g. 'ant' for 'ant, emmet, pismire'); ` +
        `look the names up with imagenetLabels().`,
    );
  }
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => IMAGE_EXTENSIONS.includes(path.extname(f).slice(1).toLowerCase())).sort();
  } catch (err) {
    throw new ModelError(`${fn}: cannot read the folder '${folder}' (${(err as Error).message}); pass a folder of images.`);
  }
  if (opts.limit !== undefined) {
    positiveInteger(fn, 'limit', opts.limit, 1);
    files = files.slice(0, opts.limit);
  }
  let top1 = 0;
  let top5 = 0;
  const mistakes = new Map<string, number>();
  for (const file of files) {
    const preds = await classifyImage(model, path.join(folder, file), { top: 5, preprocess: opts.preprocess });
    if (preds[0].classIndex === classIndex) top1++;
    else {
      const name = preds[0].className.split(',')[0].trim();
      mistakes.set(name, (mistakes.get(name) ?? 0) + 1);
    }
    if (preds.some((p) => p.classIndex === classIndex)) top5++;
  }
  const commonMistakes = [...mistakes.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([name, n]) => `${name} (${n})`)
    .join(', ');
  return { folder: path.basename(folder), imagenetClass, photos: files.length, top1, top5, commonMistakes };
}
