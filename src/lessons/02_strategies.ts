/**
 * Helpers of lesson 02 (reuse strategies): run the four data scenarios (small / large target data,
 * similar / different to ImageNet) as one experiment on a 2-core CPU. Every strategy trains on
 * inputs cached ONCE per image by `extractFeatures`:
 * - `cut`: activations at a late cut layer (e.g. conv_pw_11_relu). The frozen top of the base turns
 *   them into the pooled features of `featureExtraction`; `fineTune` trains that top on them.
 * - `early`: activations of an early layer (e.g. conv_pw_5_relu), average-pooled to a small grid,
 *   for `earlyFeatures`.
 * - `pixels`: the images themselves (optionally downsampled), for the whole network trained from
 *   its ImageNet weights (`fromPretrainedInit`) and the same network from random weights
 *   (`fromRandomInit`).
 * Then {@link runScenarios} runs the four cells, {@link scenarioTable} is the one result table and
 * {@link judgeComparison} the one tie rule the lesson's decision rule ({@link decisionRule}) is read with.
 * @see notebooks/02-reuse-strategies.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace } from '../data/random';
import { DataError, ModelError } from '../errors';
import { preprocessInput, type PreprocessMode } from '../models/preprocess';
import { applyFrozenBatchNormRule, isBatchNorm } from '../transfer/batchnorm';
import { extractFeatures, type FeatureProgress, type FeatureSet, type FeatureSource } from '../transfer/features';
import { freeze, unfreeze } from '../transfer/freeze';
import type { GridImage } from '../viz/images';

/** Options of {@link tensorImageSource}. */
export interface TensorImageSourceOptions {
  /** Dataset identity for the feature cache key, e.g. 'mnist-train-seed0-600'. Required. */
  id: string;
  /** Class names in label order. Required. */
  classNames: string[];
  /** `[height, width]` the images are resized to (bilinear). Required. */
  targetSize: [number, number];
  /** Images per batch. Defaults to 32. */
  batchSize?: number;
  /** Preprocessing applied after scaling to 0..255. Defaults to 'tf' ([-1, 1], MobileNet). */
  preprocessing?: PreprocessMode;
}

/**
 * A `FeatureSource` over images held in a tensor (e.g. MNIST from `loadMnist`), so
 * `extractFeatures` can run a base over them and cache the result like a folder dataset.
 * Each batch is resized to `targetSize`, grey images get three equal channels (a pretrained
 * base wants RGB), values in 0..1 are scaled to 0..255 and preprocessed. Row i has the path
 * `<id>/<i>` (nothing on disk: the cache key relies on `id`). The caller keeps and disposes `images`.
 *
 * @example
 * const { xs, labels } = await loadMnist({ limit: 600 });
 * const source = tensorImageSource(xs, labels, { id: 'mnist-train-600', classNames: ['0', ..., '9'], targetSize: [96, 96] });
 * const set = await extractFeatures(base, source);
 * @see notebooks/02-reuse-strategies.ipynb
 */
export function tensorImageSource(images: tf.Tensor4D, labelIndices: number[], options: TensorImageSourceOptions): FeatureSource {
  const fn = 'tensorImageSource';
  if (!(images instanceof tf.Tensor) || images.rank !== 4 || (images.shape[3] !== 1 && images.shape[3] !== 3)) {
    throw new DataError(`${fn}: images must be a Tensor4D [n, h, w, 1 or 3] with values in 0..1; received ${images instanceof tf.Tensor ? `shape [${images.shape}]` : typeof images}.`);
  }
  const n = images.shape[0];
  if (labelIndices.length !== n) {
    throw new DataError(`${fn}: ${n} images but ${labelIndices.length} labels; pass one class index per image.`);
  }
  const { id, classNames, targetSize } = options;
  if (typeof id !== 'string' || id.length === 0) throw new DataError(`${fn}: options.id must name the data for the cache key; received ${JSON.stringify(id)}.`);
  const bad = labelIndices.find((c) => !Number.isInteger(c) || c < 0 || c >= classNames.length);
  if (bad !== undefined) throw new DataError(`${fn}: label ${bad} is not a class index of ${classNames.length} classNames.`);
  const batchSize = options.batchSize ?? 32;
  const mode = options.preprocessing ?? 'tf';
  const filepaths = labelIndices.map((_, i) => `${id}/${i}`);
  return {
    directory: id,
    classNames,
    filepaths,
    classes: [...labelIndices],
    samples: n,
    targetSize,
    async *batches() {
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const xs = tf.tidy(() => {
          const resized = tf.image.resizeBilinear(images.slice([start, 0, 0, 0], [size, -1, -1, -1]), targetSize);
          const rgb = resized.shape[3] === 1 ? tf.tile(resized, [1, 1, 1, 3]) : resized;
          return preprocessInput(rgb.mul(255) as tf.Tensor4D, mode);
        });
        const rows = labelIndices.slice(start, start + size);
        const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(rows, 'int32'), classNames.length).toFloat());
        yield { xs, ys, paths: filepaths.slice(start, start + size) };
      }
    },
  };
}

/**
 * `model` followed by an AveragePooling2D layer named 'grid_pool' that shrinks its [h, w, c]
 * output to about `grid` x `grid` cells (pool size floor(h / grid)). Early layers keep WHERE
 * things are; a small grid keeps that layout at a size a dense head can learn from with little
 * data, where global pooling would throw it away.
 *
 * @example
 * const early = gridPoolModel(truncateAt(base, 'conv_pw_5_relu'), 3); // [null, 12, 12, 64] -> [null, 3, 3, 64] at 96x96
 */
export function gridPoolModel(model: tf.LayersModel, grid: number, name?: string): tf.LayersModel {
  const shape = model.outputs[0].shape;
  if (shape.length !== 4 || shape[1] == null) {
    throw new ModelError(`gridPoolModel: model '${model.name}' must output a fixed-size [null, h, w, c] map; it outputs ${JSON.stringify(shape)}.`);
  }
  if (!Number.isInteger(grid) || grid < 1) throw new ModelError(`gridPoolModel: grid must be an integer >= 1; received ${grid}.`);
  const pool = Math.max(1, Math.floor(shape[1] / grid));
  const out = tf.layers.averagePooling2d({ poolSize: pool, strides: pool, name: 'grid_pool' }).apply(model.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: out, name: name ?? `${model.name}_grid${grid}` });
}

/**
 * A weightless model that average-pools `[inputSize, inputSize, channels]` images down to
 * `outputSize` pixels per side: raw pixels for PCA and the images the whole network trains on, cached by
 * `extractFeatures` like any features. `inputSize` must be a multiple of `outputSize`.
 */
export function pixelModel(inputSize: number, outputSize: number, channels = 3): tf.LayersModel {
  if (!Number.isInteger(inputSize) || !Number.isInteger(outputSize) || outputSize < 1 || inputSize % outputSize !== 0) {
    throw new ModelError(`pixelModel: inputSize must be a multiple of outputSize; received ${inputSize} and ${outputSize}.`);
  }
  const input = tf.input({ shape: [inputSize, inputSize, channels], name: 'pixels_input' });
  const factor = inputSize / outputSize;
  const out = tf.layers.averagePooling2d({ poolSize: factor, strides: factor, name: 'pixels_pool' }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: `pixels_${outputSize}` });
}

/**
 * Row indices of at most `perClass` examples of every class, drawn at random with `seed` (the
 * same seed gives the same rows). Rows come back sorted.
 *
 * @example takePerClass([0, 0, 1, 1, 1], 1, 0); // e.g. [1, 3]
 */
export function takePerClass(labelIndices: number[], perClass: number, seed = 0): number[] {
  if (!Number.isInteger(perClass) || perClass < 1) throw new DataError(`takePerClass: perClass must be an integer >= 1; received ${perClass}.`);
  const order = shuffleInPlace(labelIndices.map((_, i) => i), createRng(seed));
  const taken = new Map<number, number>();
  const rows: number[] = [];
  for (const i of order) {
    const count = taken.get(labelIndices[i]) ?? 0;
    if (count < perClass) {
      rows.push(i);
      taken.set(labelIndices[i], count + 1);
    }
  }
  return rows.sort((a, b) => a - b);
}

/** The cached inputs every strategy of the experiment trains on, for one split of one dataset. */
export interface StrategyInputs {
  /** Activations at the late cut layer, [n, h, w, c]. */
  cut: tf.Tensor4D;
  /** Grid-pooled early activations, [n, g, g, c]. */
  early: tf.Tensor4D;
  /** The images at the whole network's input size, [n, s, s, 3], preprocessed like the base's input. */
  pixels: tf.Tensor4D;
  /** Class index of each row. */
  labels: number[];
  classNames: string[];
}

/** The three models {@link extractStrategyInputs} runs. */
export interface StrategyModels {
  /** Input -> late cut layer (the `bottom` of `splitAt(base, cut)`). */
  bottom: tf.LayersModel;
  /** Input -> early layer, grid-pooled (see {@link gridPoolModel}). */
  early: tf.LayersModel;
  /** Input -> the images at the size the whole network trains on (see {@link pixelModel}). */
  pixels: tf.LayersModel;
}

/** Options of {@link extractRepresentations} and {@link extractStrategyInputs}. */
export interface ExtractStrategyInputsOptions {
  /**
   * Preprocessing and resize filter the source applies, part of the cache key. Defaults to
   * 'tf|bilinear', what every source of lesson 02 applies (MobileNet's [-1, 1], bilinear resize).
   */
  preprocessing?: string;
  /** Cache folder. Defaults to extractFeatures' default. */
  cacheDir?: string;
  /** Progress of each pass, given the pass' label, e.g. `textProgressBar` (notebook/feature_progress.ts). Defaults to none. */
  progress?: (label: string) => (p: FeatureProgress) => void;
}

/**
 * Runs each named model over `source` through `extractFeatures` (cached on disk: a second call
 * reads the cache, the key derived from the model, the source and `preprocessing`) and returns
 * the feature sets under the same names. The caller disposes them (`disposeFeatureSets`).
 *
 * @example
 * const sets = await extractRepresentations({ pixels: pixelModel(224, 32), pretrained: pooled }, images, { progress: textProgressBar });
 */
export async function extractRepresentations<K extends string>(
  models: Record<K, tf.LayersModel>, source: FeatureSource, options: ExtractStrategyInputsOptions = {},
): Promise<Record<K, FeatureSet>> {
  const sets = {} as Record<K, FeatureSet>;
  for (const name of Object.keys(models) as K[]) {
    sets[name] = await extractFeatures(models[name], source, {
      preprocessing: options.preprocessing ?? 'tf|bilinear',
      cacheDir: options.cacheDir,
      progress: options.progress?.(`${name} ${source.directory.split('/').slice(-2).join('/')}`),
    });
  }
  return sets;
}

/**
 * Runs the three models over `source` through {@link extractRepresentations} (cached on disk)
 * and returns their outputs with the labels. The caller disposes with {@link disposeStrategyInputs}.
 */
export async function extractStrategyInputs(models: StrategyModels, source: FeatureSource, options: ExtractStrategyInputsOptions = {}): Promise<StrategyInputs> {
  const { bottom: cut, early, pixels } = await extractRepresentations(models, source, options);
  const sets = [cut, early, pixels];
  tf.dispose(sets.map((s) => s.labels));
  for (const s of sets) {
    if (s.features.rank !== 4) {
      tf.dispose(sets.map((x) => x.features));
      throw new ModelError(`extractStrategyInputs: every model must output [n, h, w, c]; got shape [${s.features.shape}].`);
    }
  }
  return {
    cut: cut.features as tf.Tensor4D,
    early: early.features as tf.Tensor4D,
    pixels: pixels.features as tf.Tensor4D,
    labels: cut.labelIndices,
    classNames: cut.classNames,
  };
}

/** Disposes the tensors of a {@link StrategyInputs}. */
export function disposeStrategyInputs(inputs: StrategyInputs): void {
  tf.dispose([inputs.cut, inputs.early, inputs.pixels]);
}

/** The rows `rows` of every tensor of `inputs` (new tensors; dispose them). */
export function selectRows(inputs: StrategyInputs, rows: number[]): StrategyInputs {
  return tf.tidy(() => {
    const idx = tf.tensor1d(rows, 'int32');
    return {
      cut: tf.gather(inputs.cut, idx),
      early: tf.gather(inputs.early, idx),
      pixels: tf.gather(inputs.pixels, idx),
      labels: rows.map((r) => inputs.labels[r]),
      classNames: inputs.classNames,
    };
  });
}

/**
 * One image per class (first row of each class, in class order, at most `count`), titled with
 * its class name, for `imageGridFigure`: what the whole network trains on.
 */
export function previewImages(inputs: StrategyInputs, count: number): GridImage[] {
  const [, height, width, channels] = inputs.pixels.shape;
  const rows: number[] = [];
  inputs.classNames.forEach((_, c) => {
    const row = inputs.labels.indexOf(c);
    if (row >= 0 && rows.length < count) rows.push(row);
  });
  return rows.map((row) => ({
    data: tf.tidy(() => inputs.pixels.slice([row, 0, 0, 0], [1, -1, -1, -1]).dataSync() as Float32Array),
    height, width, channels,
    title: inputs.classNames[inputs.labels[row]],
  }));
}

/**
 * Leave-one-out 1-nearest-neighbour accuracy (Euclidean): the share of rows whose closest OTHER
 * row has the same label. A model-free measure of how well a representation groups the classes.
 *
 * @example nearestNeighbourAccuracy([[0], [0.1], [5], [5.2]], [0, 0, 1, 1]); // 1
 */
export function nearestNeighbourAccuracy(rows: ArrayLike<number>[], labels: ArrayLike<number>): number {
  const n = rows.length;
  if (n < 2 || labels.length !== n) {
    throw new DataError(`nearestNeighbourAccuracy: need at least 2 rows and one label per row; received ${n} rows and ${labels.length} labels.`);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bestLabel = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      const a = rows[i];
      const b = rows[j];
      for (let k = 0; k < a.length; k++) d += (a[k] - b[k]) ** 2;
      if (d < best) {
        best = d;
        bestLabel = labels[j];
      }
    }
    if (bestLabel === labels[i]) correct++;
  }
  return correct / n;
}

/**
 * The strategies the experiment compares: the four reuse strategies (fine-tuning twice: the top
 * blocks only, and every layer) and the no-transfer baseline, the same network from random weights.
 */
export type ExperimentStrategy = 'featureExtraction' | 'earlyFeatures' | 'fineTune' | 'fromPretrainedInit' | 'fromRandomInit';

/** The experiment's strategies, in table order. */
export const EXPERIMENT_STRATEGIES: readonly ExperimentStrategy[] = ['featureExtraction', 'earlyFeatures', 'fineTune', 'fromPretrainedInit', 'fromRandomInit'];

/** What each experiment strategy trains, one line each (the result table's "what is trained"). */
export const EXPERIMENT_TRAINS: Readonly<Record<ExperimentStrategy, string>> = {
  featureExtraction: 'a softmax layer on the frozen base\'s final features',
  earlyFeatures: 'Dense(256) + softmax on the frozen base\'s early features',
  fineTune: 'that softmax layer, then the top two blocks (low rate)',
  fromPretrainedInit: 'every layer + a new softmax, from the ImageNet weights',
  fromRandomInit: 'every layer + a new softmax, the same network from random weights',
};

/** Builds the base (without top) the whole-network strategies train: with ImageNet weights, or random ones (`null`). */
export type BaseBuilder = (weights: 'imagenet' | null) => Promise<tf.LayersModel>;

/** Options of {@link compareStrategies}. */
export interface CompareStrategiesOptions {
  /** Training images per class, drawn from the training pool. Required. */
  perClass: number;
  /** Runs on different random subsets (and initialisations); scores are averaged. Defaults to 1. */
  repeats?: number;
  /** Epochs of every head on cached features (featureExtraction, earlyFeatures, fineTune's first phase), at least; see `headMinSteps`. Defaults to 30. */
  headEpochs?: number;
  /**
   * Minimum gradient steps of every head: a small training set gets more epochs, so its head is
   * trained as long as a large set's (heads on cached features are cheap). Defaults to 300.
   */
  headMinSteps?: number;
  /** Adam learning rate of the heads on cached features. Defaults to 1e-3. */
  headLearningRate?: number;
  /** Epochs of fineTune's second phase (top blocks unfrozen). Defaults to 5. */
  fineTuneEpochs?: number;
  /** Adam learning rate of that phase: low, so the pretrained top is refined, not destroyed. Defaults to 1e-4. */
  fineTuneLearningRate?: number;
  /**
   * Builds the base for `fromPretrainedInit` and `fromRandomInit`, a new one for every run, at the
   * input size of the `pixels` input; e.g. `(weights) => MobileNet({ alpha: 0.25, includeTop: false, weights, inputShape: [48, 48, 3] })`.
   * Required when those strategies run.
   */
  buildBase?: BaseBuilder;
  /** Epochs of the whole-network strategies (both the same), at least; see `wholeNetworkMinSteps`. Defaults to 5. */
  wholeNetworkEpochs?: number;
  /** Minimum gradient steps of the whole-network strategies, so a small training set trains as many steps as a large one. Defaults to 30. */
  wholeNetworkMinSteps?: number;
  /** Adam learning rate of the whole-network strategies (both the same). Defaults to 5e-4. */
  wholeNetworkLearningRate?: number;
  /** Samples per gradient step. Defaults to 32. */
  batchSize?: number;
  /** Seed of the subsets (repeat r uses seed + r). Defaults to 0. */
  seed?: number;
  /** Which strategies to run. Defaults to all of `EXPERIMENT_STRATEGIES`. */
  strategies?: readonly ExperimentStrategy[];
  /** Called after each strategy run, e.g. to print progress. Defaults to none. */
  onRun?: (run: { strategy: ExperimentStrategy; repeat: number; accuracy: number; seconds: number }) => void;
}

/** One strategy's result in {@link compareStrategies}. */
export interface StrategyScore {
  /** Mean test accuracy over the repeats. */
  accuracy: number;
  /** Standard deviation of the test accuracy over the repeats (0 with one repeat). */
  std: number;
  /** Accuracy of each repeat. */
  runs: number[];
  /** Weights that trained (excluding the frozen standardisation layer). */
  trainableParams: number;
  /** Seconds of training and evaluation, summed over repeats. */
  seconds: number;
}

/** What {@link compareStrategies} returns. */
export interface StrategyComparison {
  /** Training images per repeat. */
  trainImages: number;
  testImages: number;
  scores: Partial<Record<ExperimentStrategy, StrategyScore>>;
}

const STANDARDIZE = 'standardize';

/**
 * A frozen BatchNormalization layer holding the training features' mean and variance: it
 * standardises every feature (z-score), so one learning rate suits features of any layer's scale.
 * The variance gets a small floor (1% of the average), see below.
 * Frozen BN runs in inference mode (the Keras rule, see `applyFrozenBatchNormRule`).
 */
function standardizeLayer(features2d: tf.Tensor2D): tf.layers.Layer {
  const d = features2d.shape[1];
  const layer = tf.layers.batchNormalization({ name: STANDARDIZE, epsilon: 1e-3, inputShape: [d] });
  layer.build([null, d]);
  const values = tf.tidy(() => {
    const { mean, variance } = tf.moments(features2d, 0);
    // A floor of 1% of the average variance: a feature (nearly) constant on a small training set
    // would otherwise be blown up on test images where it varies.
    return [tf.ones([d]), tf.zeros([d]), mean, variance.add(variance.mean().mul(0.01))];
  });
  layer.setWeights(values); // copies the values
  tf.dispose(values);
  layer.trainable = false;
  return layer;
}

/** Input -> [Flatten] -> standardise -> [Dense(hidden, relu) -> Dropout 0.5 | Dropout 0.3] -> Dense softmax. */
function featureHead(train: tf.Tensor, numClasses: number, hidden: number): tf.Sequential {
  const flat = tf.tidy(() => train.reshape([train.shape[0], -1]) as tf.Tensor2D);
  const layers: tf.layers.Layer[] = [];
  if (train.rank > 2) layers.push(tf.layers.flatten({ inputShape: train.shape.slice(1), name: 'head_flatten' }));
  layers.push(standardizeLayer(flat));
  flat.dispose();
  if (hidden > 0) {
    layers.push(tf.layers.dense({ units: hidden, activation: 'relu', name: 'head_dense' }), tf.layers.dropout({ rate: 0.5, name: 'head_dropout' }));
  } else {
    layers.push(tf.layers.dropout({ rate: 0.3, name: 'head_dropout' }));
  }
  layers.push(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }), name: 'head_predictions' }));
  const head = tf.sequential({ layers, name: 'head' });
  applyFrozenBatchNormRule(head);
  return head;
}

/**
 * `base` (without top) -> global average pooling (when its output is a map) -> Dropout 0.3 ->
 * Dense softmax with seeded initial weights, every layer trainable except BatchNormalization,
 * which runs in inference mode (the Keras rule; see {@link recalibrateBatchNorm} for where its
 * statistics come from). Built on a base with ImageNet weights and on one with random weights
 * from the same builder, the two models have the same layers and the same new head and differ
 * only in the base's initial weights.
 *
 * @example
 * const pretrained = wholeNetworkModel(await MobileNet({ alpha: 0.25, includeTop: false, weights: 'imagenet', inputShape: [48, 48, 3] }), 12);
 */
export function wholeNetworkModel(base: tf.LayersModel, numClasses: number, seed = 0): tf.LayersModel {
  let x = base.outputs[0];
  if (x.shape.length === 4) x = tf.layers.globalAveragePooling2d({ name: 'whole_pool' }).apply(x) as tf.SymbolicTensor;
  if (x.shape.length !== 2) {
    throw new ModelError(`wholeNetworkModel: base '${base.name}' must output [null, h, w, c] or [null, c]; it outputs ${JSON.stringify(base.outputs[0].shape)}.`);
  }
  x = tf.layers.dropout({ rate: 0.3, name: 'whole_dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'whole_predictions' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: base.inputs, outputs: x, name: `${base.name}_whole` });
  unfreeze(model, 'all'); // BatchNormalization stays frozen, in inference mode
  return model;
}

/**
 * Sets every BatchNormalization layer's moving mean and variance to the statistics of its input
 * over `images`, with the layers before it normalising each batch by its own statistics. The
 * whole-network strategies do this once before training, to both networks alike: a network with
 * random weights has no statistics (mean 0, variance 1 would leave 27 layers unnormalised), and
 * the pretrained one gets statistics of the target images instead of ImageNet's. Returns the
 * number of layers set. Creates no lasting tensors.
 */
export function recalibrateBatchNorm(model: tf.LayersModel, images: tf.Tensor, batchSize = 64): number {
  const layers = model.layers.filter(isBatchNorm);
  if (layers.length === 0) return 0;
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.input as tf.SymbolicTensor) });
  const n = images.shape[0];
  let sums: tf.Tensor[] = [];
  // A frozen BatchNormalization applies its moving statistics even in training mode (the Keras
  // rule); here the layers before each one must normalise by batch statistics, so they are
  // trainable for the duration of this pass.
  const wasTrainable = layers.map((l) => l.trainable);
  layers.forEach((l) => { l.trainable = true; });
  try {
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const next = tf.tidy(() => {
      const batch = images.slice(start, size);
      const out = probe.apply(batch, { training: true }) as tf.Tensor | tf.Tensor[];
      const moments = (Array.isArray(out) ? out : [out]).flatMap((o) => {
        const axes = o.shape.slice(0, -1).map((_, i) => i);
        return [o.sum(axes), o.square().sum(axes)];
      });
      return sums.length === 0 ? moments : moments.map((m, i) => m.add(sums[i]));
    });
    tf.dispose(sums);
    sums = next;
  }
  } finally {
    layers.forEach((l, i) => { l.trainable = wasTrainable[i]; });
  }
  layers.forEach((layer, i) => {
    const count = n * (layer.input as tf.SymbolicTensor).shape.slice(1, -1).reduce((p: number, d) => p * (d ?? 1), 1);
    const [mean, variance] = tf.tidy(() => {
      const m = sums[2 * i].div(count);
      return [m, tf.relu(sums[2 * i + 1].div(count).sub(m.square()))];
    });
    for (const v of layer.weights) {
      if (v.originalName.endsWith('moving_mean')) v.write(mean);
      else if (v.originalName.endsWith('moving_variance')) v.write(variance);
    }
    tf.dispose([mean, variance]);
  });
  tf.dispose(sums);
  return layers.length;
}

function countTrainable(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
}

async function trainAndScore(
  model: tf.LayersModel, x: tf.Tensor, labels: number[], testX: tf.Tensor, testLabels: number[],
  numClasses: number, epochs: number, learningRate: number, batchSize: number,
): Promise<number> {
  await trainModel(model, x, labels, numClasses, epochs, learningRate, batchSize);
  return scoreModel(model, testX, testLabels);
}

async function trainModel(model: tf.LayersModel, x: tf.Tensor, labels: number[], numClasses: number, epochs: number, learningRate: number, batchSize: number): Promise<void> {
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat());
  try {
    await model.fit(x, ys, { epochs, batchSize, shuffle: true, verbose: 0 });
  } finally {
    ys.dispose();
    optimizer.dispose();
  }
}

function scoreModel(model: tf.LayersModel, x: tf.Tensor, labels: number[]): number {
  const predicted = tf.tidy(() => (model.predict(x, { batchSize: 64 }) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  labels.forEach((label, i) => {
    if (predicted[i] === label) correct++;
  });
  return labels.length === 0 ? 0 : correct / labels.length;
}

/** Global-average-pooled output of the frozen `top` on cut activations: the base's final features. */
function pooledTopFeatures(top: tf.LayersModel, cut: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.mean(top.predict(cut, { batchSize: 64 }) as tf.Tensor, [1, 2]) as tf.Tensor2D);
}

/** Restores every weight of `model` (trainable or not) to the values it had when this was called. */
function snapshotWeights(model: tf.LayersModel): { restore(): void; dispose(): void } {
  const variables = model.weights;
  const saved = variables.map((v) => v.read().clone());
  return {
    restore: () => variables.forEach((v, i) => v.write(saved[i])),
    dispose: () => tf.dispose(saved),
  };
}

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: values.length > 1 ? Math.sqrt(variance) : 0 };
}

/** One whole-network run: build the base, add the head, set BatchNorm statistics, train every layer, score; disposes the model. */
async function trainWholeNetwork(
  weights: 'imagenet' | null, train: StrategyInputs, test: StrategyInputs, numClasses: number,
  o: { buildBase: BaseBuilder; epochs: number; minSteps: number; learningRate: number; batchSize: number; seed: number },
): Promise<{ accuracy: number; params: number }> {
  const model = wholeNetworkModel(await o.buildBase(weights), numClasses, o.seed);
  try {
    const takes = JSON.stringify(model.inputs[0].shape.slice(1));
    if (takes !== JSON.stringify(train.pixels.shape.slice(1))) {
      throw new ModelError(`compareStrategies: buildBase(${JSON.stringify(weights)}) takes ${takes} but the pixels input is ${JSON.stringify(train.pixels.shape.slice(1))}; build the base at the pixels' size (pixelModel's outputSize).`);
    }
    recalibrateBatchNorm(model, train.pixels, 64);
    const epochs = Math.max(o.epochs, Math.ceil(o.minSteps / Math.ceil(train.labels.length / o.batchSize)));
    await trainModel(model, train.pixels, train.labels, numClasses, epochs, o.learningRate, o.batchSize);
    return { accuracy: scoreModel(model, test.pixels, test.labels), params: countTrainable(model) };
  } finally {
    model.dispose(); // the base was built for this run: its layers go with the model
  }
}

/**
 * Trains and tests each strategy on `perClass` training images per class drawn from `pool`,
 * `repeats` times on different subsets, and returns each strategy's mean test accuracy.
 * - featureExtraction: the frozen base's pooled final features (top applied to `cut`, then
 *   global average pooling) -> a softmax layer.
 * - earlyFeatures: the grid-pooled early activations -> Dense(256) -> Dropout -> softmax.
 * - fineTune: the featureExtraction head, then the top blocks (`top`, pretrained) unfrozen with
 *   BatchNormalization kept in inference mode, trained with Adam at a low learning rate.
 * - fromPretrainedInit: {@link wholeNetworkModel} on a base from `buildBase('imagenet')`, its
 *   BatchNorm statistics set from the training images ({@link recalibrateBatchNorm}), then every
 *   layer but BatchNorm trained on `pixels`.
 * - fromRandomInit: the same on `buildBase(null)`: the same network and training, random start.
 * Heads standardise their inputs with the training subset's statistics. `top` is left exactly as
 * it was (its weights are restored after fine-tuning, and it is frozen again).
 *
 * @example
 * const { bottom, top } = splitAt(base, 'conv_pw_11_relu');
 * const result = await compareStrategies(top, trainPool, test, { perClass: 5, repeats: 3 });
 * result.scores.featureExtraction?.accuracy; // e.g. 0.6
 * @see notebooks/02-reuse-strategies.ipynb
 */
export async function compareStrategies(
  top: tf.LayersModel, pool: StrategyInputs, test: StrategyInputs, options: CompareStrategiesOptions,
): Promise<StrategyComparison> {
  const fn = 'compareStrategies';
  const numClasses = pool.classNames.length;
  if (test.classNames.length !== numClasses) {
    throw new DataError(`${fn}: the training pool has ${numClasses} classes but the test set ${test.classNames.length}; use the same classes.`);
  }
  const cutShape = JSON.stringify(top.inputs[0].shape.slice(1));
  if (cutShape !== JSON.stringify(pool.cut.shape.slice(1))) {
    throw new ModelError(`${fn}: top '${top.name}' takes ${cutShape} but the cut activations are ${JSON.stringify(pool.cut.shape.slice(1))}; split the base at the layer the activations came from.`);
  }
  const repeats = options.repeats ?? 1;
  const headEpochs = options.headEpochs ?? 30;
  const headLearningRate = options.headLearningRate ?? 1e-3;
  const headMinSteps = options.headMinSteps ?? 300;
  const batchSize = options.batchSize ?? 32;
  const strategies = options.strategies ?? EXPERIMENT_STRATEGIES;
  if (options.buildBase == null && strategies.some((s) => s === 'fromPretrainedInit' || s === 'fromRandomInit')) {
    throw new ModelError(`${fn}: fromPretrainedInit and fromRandomInit need options.buildBase, a function (weights) => base without top at the pixels' size; pass it, or leave those two out of options.strategies.`);
  }
  const runs = new Map<ExperimentStrategy, { acc: number[]; seconds: number; params: number }>(strategies.map((s) => [s, { acc: [], seconds: 0, params: 0 }]));
  const record = (strategy: ExperimentStrategy, repeat: number, accuracy: number, started: number, params: number) => {
    const r = runs.get(strategy);
    if (!r) return;
    const seconds = (Date.now() - started) / 1000;
    r.acc.push(accuracy);
    r.seconds += seconds;
    r.params = params;
    options.onRun?.({ strategy, repeat, accuracy, seconds });
  };
  const wants = (s: ExperimentStrategy) => runs.has(s);

  freeze(top, 'all');
  const testLate = pooledTopFeatures(top, test.cut);
  const snapshot = snapshotWeights(top);
  let trainImages = 0;
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const rows = takePerClass(pool.labels, options.perClass, (options.seed ?? 0) + repeat);
      trainImages = rows.length;
      const stepsPerEpoch = Math.ceil(rows.length / batchSize);
      const headRunEpochs = Math.max(headEpochs, Math.ceil(headMinSteps / stepsPerEpoch));
      const train = selectRows(pool, rows);
      const late = pooledTopFeatures(top, train.cut);
      try {
        if (wants('featureExtraction') || wants('fineTune')) {
          let started = Date.now();
          const head = featureHead(late, numClasses, 0);
          const acc = await trainAndScore(head, late, train.labels, testLate, test.labels, numClasses, headRunEpochs, headLearningRate, batchSize);
          record('featureExtraction', repeat, acc, started, countTrainable(head));
          if (wants('fineTune')) {
            // Phase 2 starts from the trained head (Keras' recipe: train the head first, then unfreeze).
            started = Date.now();
            let x = tf.layers.globalAveragePooling2d({ name: 'top_pool' }).apply(top.outputs[0]) as tf.SymbolicTensor;
            const reused = head.layers;
            for (const layer of reused) x = layer.apply(x) as tf.SymbolicTensor;
            const upper = tf.model({ inputs: top.inputs, outputs: x, name: `${top.name}_fine_tune` });
            unfreeze(upper, 'all'); // BatchNormalization (the base's and the standardiser) stays frozen
            const ftAcc = await trainAndScore(upper, train.cut, train.labels, test.cut, test.labels, numClasses,
              options.fineTuneEpochs ?? 5, options.fineTuneLearningRate ?? 1e-4, batchSize);
            record('fineTune', repeat, ftAcc, started, countTrainable(upper));
            snapshot.restore();
            freeze(top, 'all');
            // `upper` is not disposed: that would release the base's own layers. The head's layers were
            // applied twice (head and upper), so they need one dispose more than head.dispose() gives.
            head.dispose();
            reused.forEach((layer) => layer.dispose());
          } else {
            head.dispose();
          }
        }
        if (wants('earlyFeatures')) {
          const started = Date.now();
          const head = featureHead(train.early, numClasses, 256);
          const acc = await trainAndScore(head, train.early, train.labels, test.early, test.labels, numClasses, headRunEpochs, headLearningRate, batchSize);
          record('earlyFeatures', repeat, acc, started, countTrainable(head));
          head.dispose();
        }
        for (const strategy of ['fromPretrainedInit', 'fromRandomInit'] as const) {
          if (!wants(strategy)) continue;
          const started = Date.now();
          const { accuracy, params } = await trainWholeNetwork(strategy === 'fromPretrainedInit' ? 'imagenet' : null, train, test, numClasses, {
            buildBase: options.buildBase!, epochs: options.wholeNetworkEpochs ?? 5, minSteps: options.wholeNetworkMinSteps ?? 30, learningRate: options.wholeNetworkLearningRate ?? 5e-4,
            batchSize, seed: (options.seed ?? 0) + repeat,
          });
          record(strategy, repeat, accuracy, started, params);
        }
      } finally {
        late.dispose();
        disposeStrategyInputs(train);
      }
    }
  } finally {
    snapshot.restore();
    snapshot.dispose();
    freeze(top, 'all');
    testLate.dispose();
  }
  const scores: Partial<Record<ExperimentStrategy, StrategyScore>> = {};
  for (const [strategy, r] of runs) {
    const { mean, std } = meanStd(r.acc);
    scores[strategy] = { accuracy: mean, std, runs: r.acc, trainableParams: r.params, seconds: r.seconds };
  }
  return { trainImages, testImages: test.labels.length, scores };
}

/** One of the four cells of the experiment: target data size x similarity to ImageNet. */
export interface ScenarioCell {
  /** Curriculum scenario number: 1 small·similar, 2 large·similar, 3 small·different, 4 large·different. */
  scenario: 1 | 2 | 3 | 4;
  /** Row label, e.g. 'small · similar (flowers12)'. */
  cell: string;
  size: 'small' | 'large';
  similarity: 'similar' | 'different';
  /** Training images per class drawn for each run. */
  perClass: number;
  /** Runs on new random subsets (and initial weights). */
  repeats: number;
  train: StrategyInputs;
  test: StrategyInputs;
}

/** A named dataset for {@link scenarioCells}: cached inputs of its training pool and its test set. */
export interface ScenarioData {
  name: string;
  train: StrategyInputs;
  test: StrategyInputs;
}

/** Images per class and runs of the small and the large cells. */
export interface ScenarioSizes {
  small: { perClass: number; repeats: number };
  large: { perClass: number; repeats: number };
}

/**
 * The four cells in curriculum order (scenarios 1-4): small·similar, large·similar,
 * small·different, large·different.
 *
 * @example const cells = scenarioCells({ similar: { name: 'flowers12', ...flowers }, different: { name: 'MNIST', ...mnist } }, sizes);
 */
export function scenarioCells(data: { similar: ScenarioData; different: ScenarioData }, sizes: ScenarioSizes): ScenarioCell[] {
  const cells: ScenarioCell[] = [];
  for (const similarity of ['similar', 'different'] as const) {
    for (const size of ['small', 'large'] as const) {
      const d = data[similarity];
      cells.push({
        scenario: (cells.length + 1) as ScenarioCell['scenario'], cell: `${size} · ${similarity} (${d.name})`, size, similarity,
        perClass: sizes[size].perClass, repeats: sizes[size].repeats, train: d.train, test: d.test,
      });
    }
  }
  return cells;
}

/** A cell and what {@link compareStrategies} measured in it. */
export interface ScenarioResult {
  cell: ScenarioCell;
  comparison: StrategyComparison;
}

/** Options of {@link runScenarios}: those of compareStrategies (per cell: perClass, repeats) plus a reporter. */
export interface RunScenariosOptions extends Omit<CompareStrategiesOptions, 'perClass' | 'repeats'> {
  /** Called with one line per finished cell (accuracy of each strategy), e.g. `show`. Defaults to none. */
  report?: (line: string) => unknown;
}

/** Runs {@link compareStrategies} in every cell, in order; every cell starts from the same `top`. */
export async function runScenarios(top: tf.LayersModel, cells: ScenarioCell[], options: RunScenariosOptions = {}): Promise<ScenarioResult[]> {
  const { report, ...compare } = options;
  const results: ScenarioResult[] = [];
  for (const cell of cells) {
    const comparison = await compareStrategies(top, cell.train, cell.test, { ...compare, perClass: cell.perClass, repeats: cell.repeats });
    results.push({ cell, comparison });
    report?.(`${cell.cell}: ${comparison.trainImages} training images, ` +
      Object.entries(comparison.scores).map(([s, score]) => `${s} ${percent(score!.accuracy)}`).join(', '));
  }
  return results;
}

/** How one cell's strategies rank once test-set noise is taken into account ({@link judgeComparison}). */
export interface CellVerdict {
  /** The strategy with the highest mean accuracy. */
  winner: ExperimentStrategy;
  runnerUp: ExperimentStrategy;
  /** Winner's accuracy minus the runner-up's. */
  margin: number;
  /** sqrt(p (1 - p) / n) of the winner's accuracy p on n test images. */
  standardError: number;
  /** Strategies within two standard errors of the winner (the winner included), best first. */
  tied: ExperimentStrategy[];
  /** Of the tied strategies, the one that trains the fewest weights: the one to try first. */
  firstChoice: ExperimentStrategy;
  /** True when the winner leads the runner-up by more than two standard errors. */
  clearWin: boolean;
}

/**
 * The lesson's tie rule, in one place: an accuracy measured on n test images has a standard error
 * of about sqrt(p (1 - p) / n); strategies within two standard errors of the winner tie with it,
 * and among those the cheapest (fewest trained weights) is the first choice.
 *
 * @example judgeComparison(results[0].comparison).firstChoice; // e.g. 'featureExtraction'
 */
export function judgeComparison(comparison: StrategyComparison): CellVerdict {
  const ran = EXPERIMENT_STRATEGIES.filter((s) => comparison.scores[s] !== undefined);
  if (ran.length < 2) {
    throw new DataError(`judgeComparison: need scores of at least 2 strategies to rank; received ${ran.length} (${ran.join(', ') || 'none'}).`);
  }
  const score = (s: ExperimentStrategy) => comparison.scores[s]!;
  const ranked = [...ran].sort((a, b) => score(b).accuracy - score(a).accuracy);
  const best = score(ranked[0]).accuracy;
  const standardError = Math.sqrt((best * (1 - best)) / Math.max(1, comparison.testImages));
  const tied = ranked.filter((s) => score(s).accuracy >= best - 2 * standardError);
  const firstChoice = [...tied].sort((a, b) => score(a).trainableParams - score(b).trainableParams)[0];
  const margin = best - score(ranked[1]).accuracy;
  return { winner: ranked[0], runnerUp: ranked[1], margin, standardError, tied, firstChoice, clearWin: margin > 2 * standardError };
}

/**
 * The experiment strategies that carry out the curriculum's prescription for a cell: scenario 1
 * feature extraction; 2 fine-tuning (the top blocks, or every layer); 3 early features; 4 every
 * layer from a pretrained start.
 */
export function textbookStrategies(size: 'small' | 'large', similarity: 'similar' | 'different'): ExperimentStrategy[] {
  if (size === 'small') return similarity === 'similar' ? ['featureExtraction'] : ['earlyFeatures'];
  return similarity === 'similar' ? ['fineTune', 'fromPretrainedInit'] : ['fromPretrainedInit'];
}

/** One row of {@link scenarioTable}. */
export type ScenarioTableRow = {
  scenario: string;
  strategy: ExperimentStrategy;
  'what is trained': string;
  'train images': number;
  similarity: string;
  'test accuracy': string;
  seconds: number;
  'trained weights': number;
  verdict: 'best' | 'tie' | 'behind';
  textbook: string;
};

/**
 * THE result table of lesson 02: one row per cell and strategy, with what trains, the data size,
 * the similarity, the measured test accuracy (mean ± standard deviation over the runs), the
 * seconds of training (summed over runs, cached inputs: the one-off extraction is not counted),
 * the weights trained, the verdict of {@link judgeComparison} and whether the row is the
 * curriculum's pick for its cell. Show it with `toHtmlTable`.
 */
export function scenarioTable(results: ScenarioResult[]): ScenarioTableRow[] {
  return results.flatMap(({ cell, comparison }) => {
    const verdict = judgeComparison(comparison);
    const textbook = textbookStrategies(cell.size, cell.similarity);
    return EXPERIMENT_STRATEGIES.filter((s) => comparison.scores[s] !== undefined).map((strategy) => {
      const s = comparison.scores[strategy]!;
      return {
        scenario: `${cell.scenario} · ${cell.cell}`,
        strategy,
        'what is trained': EXPERIMENT_TRAINS[strategy],
        'train images': comparison.trainImages,
        similarity: cell.similarity,
        'test accuracy': percent(s.accuracy) + (s.runs.length > 1 ? ` ± ${(s.std * 100).toFixed(1)}` : ''),
        seconds: Math.round(s.seconds * 10) / 10,
        'trained weights': s.trainableParams,
        verdict: strategy === verdict.winner ? 'best' : verdict.tied.includes(strategy) ? 'tie' : 'behind',
        textbook: textbook.includes(strategy) ? 'yes' : '',
      };
    });
  });
}

/**
 * The decision rule as the table states it, one line per cell: the winner, who ties with it
 * within the noise, the cheapest of those, whether the curriculum's pick is among them, and what
 * a pretrained start gave over a random start of the same network. Then one line on how often
 * the curriculum's pick held. Nothing here is asserted before measuring: every word is computed
 * from `results`.
 */
export function decisionRule(results: ScenarioResult[]): string[] {
  let held = 0;
  const lines = results.map(({ cell, comparison }) => {
    const v = judgeComparison(comparison);
    const textbook = textbookStrategies(cell.size, cell.similarity);
    const agrees = textbook.some((s) => v.tied.includes(s));
    if (agrees) held++;
    const acc = (s: ExperimentStrategy) => comparison.scores[s]!.accuracy;
    const others = v.tied.filter((s) => s !== v.winner);
    const parts = [
      `Scenario ${cell.scenario}, ${cell.cell}: ${v.winner} ${percent(acc(v.winner))}` +
        (others.length > 0 ? `, tied within 2 standard errors (${(2 * v.standardError * 100).toFixed(1)} points) with ${others.join(', ')}` : `, a clear win (${(v.margin * 100).toFixed(1)} points ahead)`),
      `try first: ${v.firstChoice}`,
      `curriculum's pick (${textbook.join(' or ')}) ${agrees ? 'confirmed' : 'NOT confirmed'}`,
    ];
    if (comparison.scores.fromPretrainedInit && comparison.scores.fromRandomInit) {
      const gain = (acc('fromPretrainedInit') - acc('fromRandomInit')) * 100;
      parts.push(`pretrained vs random start of the same network: ${gain >= 0 ? '+' : ''}${gain.toFixed(1)} points`);
    }
    return parts.join('; ') + '.';
  });
  lines.push(`The curriculum's pick was the best or tied with it in ${held} of ${results.length} cells of this run.`);
  return lines;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
