/**
 * Helpers of lesson 02 (reuse strategies): run the four data scenarios (small / large target data,
 * similar / different to ImageNet) as one experiment on a 2-core CPU. Every strategy trains on
 * inputs cached ONCE per image by `extractFeatures`:
 * - `cut`: activations at a late cut layer (e.g. conv_pw_11_relu). The frozen top of the base turns
 *   them into the pooled features of `featureExtraction`; `fineTune` trains that top on them.
 * - `early`: activations of an early layer (e.g. conv_pw_5_relu), average-pooled to a small grid,
 *   for `earlyFeatures`.
 * - `pixels`: the images themselves, downsampled, for a small CNN trained `fromScratch`.
 * @see notebooks/02-reuse-strategies.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace } from '../data/random';
import { DataError, ModelError } from '../errors';
import { preprocessInput, type PreprocessMode } from '../models/preprocess';
import { applyFrozenBatchNormRule } from '../transfer/batchnorm';
import { extractFeatures, type FeatureProgress, type FeatureSource } from '../transfer/features';
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
 * `outputSize` pixels per side: raw pixels for a from-scratch CNN and for PCA, cached by
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
  /** Downsampled images, [n, s, s, 3], preprocessed like the base's input. */
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
  /** Input -> downsampled pixels (see {@link pixelModel}). */
  pixels: tf.LayersModel;
}

/** Options of {@link extractStrategyInputs}. */
export interface ExtractStrategyInputsOptions {
  /** Preprocessing and resize filter the source applies, part of the cache key. Defaults to 'tf|bilinear'. */
  preprocessing?: string;
  /** Cache folder. Defaults to extractFeatures' default. */
  cacheDir?: string;
  /** Progress of each of the three passes, e.g. `textProgressBar` (notebook/feature_progress.ts). Defaults to none. */
  progress?: (label: string) => (p: FeatureProgress) => void;
}

/**
 * Runs the three models over `source` through `extractFeatures` (cached on disk: a second call
 * reads the cache) and returns their outputs with the labels. The caller disposes with
 * {@link disposeStrategyInputs}.
 */
export async function extractStrategyInputs(models: StrategyModels, source: FeatureSource, options: ExtractStrategyInputsOptions = {}): Promise<StrategyInputs> {
  const run = (model: tf.LayersModel, what: string) =>
    extractFeatures(model, source, {
      preprocessing: options.preprocessing ?? 'tf|bilinear',
      cacheDir: options.cacheDir,
      progress: options.progress?.(`${what} ${source.directory.split('/').slice(-2).join('/')}`),
    });
  const cut = await run(models.bottom, 'cut');
  const early = await run(models.early, 'early');
  const pixels = await run(models.pixels, 'pixels');
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
 * One downsampled image per class (first row of each class, in class order, at most `count`),
 * titled with its class name, for `imageGridFigure`: what the from-scratch CNN sees.
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

/** The strategies the experiment compares: three of the four reuse strategies and the no-transfer baseline. */
export type ExperimentStrategy = 'featureExtraction' | 'earlyFeatures' | 'fineTune' | 'fromScratch';

/** The experiment's strategies, in table order. */
export const EXPERIMENT_STRATEGIES: readonly ExperimentStrategy[] = ['featureExtraction', 'earlyFeatures', 'fineTune', 'fromScratch'];

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
  /** Epochs of the from-scratch CNN. Defaults to 30. */
  scratchEpochs?: number;
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

/** A small CNN for training from random weights: three stride-2 convolutions, global pooling, softmax. */
function scratchCnn(inputShape: number[], numClasses: number): tf.Sequential {
  const conv = (filters: number, name: string, first = false) =>
    tf.layers.conv2d({ ...(first ? { inputShape } : {}), filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name });
  return tf.sequential({
    name: 'scratch_cnn',
    layers: [
      conv(16, 'scratch_conv1', true), conv(32, 'scratch_conv2'), conv(64, 'scratch_conv3'),
      tf.layers.globalAveragePooling2d({ name: 'scratch_pool' }),
      tf.layers.dropout({ rate: 0.3, name: 'scratch_dropout' }),
      tf.layers.dense({ units: numClasses, activation: 'softmax', name: 'scratch_predictions' }),
    ],
  });
}

function countTrainable(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
}

async function trainAndScore(
  model: tf.LayersModel, x: tf.Tensor, labels: number[], testX: tf.Tensor, testLabels: number[],
  numClasses: number, epochs: number, learningRate: number, batchSize: number,
): Promise<number> {
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat());
  try {
    await model.fit(x, ys, { epochs, batchSize, shuffle: true, verbose: 0 });
  } finally {
    ys.dispose();
    optimizer.dispose();
  }
  return scoreModel(model, testX, testLabels);
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

/**
 * Trains and tests each strategy on `perClass` training images per class drawn from `pool`,
 * `repeats` times on different subsets, and returns each strategy's mean test accuracy.
 * - featureExtraction: the frozen base's pooled final features (top applied to `cut`, then
 *   global average pooling) -> a softmax layer.
 * - earlyFeatures: the grid-pooled early activations -> Dense(256) -> Dropout -> softmax.
 * - fineTune: the featureExtraction head, then the top blocks (`top`, pretrained) unfrozen with
 *   BatchNormalization kept in inference mode, trained with Adam at a low learning rate.
 * - fromScratch: a small CNN with random weights on `pixels`.
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
        if (wants('fromScratch')) {
          const started = Date.now();
          const cnn = scratchCnn(train.pixels.shape.slice(1), numClasses);
          const acc = await trainAndScore(cnn, train.pixels, train.labels, test.pixels, test.labels, numClasses,
            options.scratchEpochs ?? 30, 3e-3, batchSize);
          record('fromScratch', repeat, acc, started, countTrainable(cnn));
          cnn.dispose();
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
