/**
 * The whole transfer-learning recipe as one call, the engine of `transfer-lab train`: load the
 * class folders, build a pretrained base, train a head on cached pooled features (feature
 * extraction), optionally fine-tune the top blocks on cached activations at a low learning rate,
 * evaluate, and save model + metrics + plots. Every step is a library call the lab notebook also
 * makes one by one.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { setupBackend, type BackendName } from '../backend';
import { ImageDataGenerator, type DirectoryIterator, type ImageDataGeneratorOptions } from '../data';
import { TrainError } from '../errors';
import { preprocessInput } from '../models';
import { FeatureWorkerPool } from '../parallel/pool';
import { cacheAugmentedFeatures, extractFeatures, joinModels, pooledFeatureModel, splitAt, unfreeze, type ExtractFeaturesOptions, type FeatureSet, type StrategyName } from '../transfer';
import { EarlyStopping, fit, type FitCallback, type TrainingHistory } from '../train';
import { pipelineBase, type PipelineBase } from './bases';
import { evaluateProbabilities, type Evaluation } from './evaluation';
import { defaultWorkerCount } from '../parallel/workers';

/** Augmentation for the cached copies: mild, label-preserving for photos of objects and flowers. */
export const PIPELINE_AUGMENTATION: ImageDataGeneratorOptions = {
  horizontalFlip: true,
  rotationRange: 15,
  zoomRange: 0.15,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  fillMode: 'reflect',
};

export interface TrainClassifierOptions {
  /** Training folder with one sub-folder per class. */
  data: string;
  /** Validation folder with the same class folders. Defaults to none: then `validationSplit` is used. */
  val?: string;
  /** Fraction of `data` held out for validation when there is no `val`. Defaults to 0.2. */
  validationSplit?: number;
  /** Base name (see PIPELINE_BASES). Defaults to 'mobilenet_v1_0.75'. */
  model?: string;
  /** 'featureExtraction' (frozen base) or 'fineTune' (then the top blocks too). Defaults to 'featureExtraction'. */
  strategy?: Extract<StrategyName, 'featureExtraction' | 'fineTune'>;
  /** Epochs of head training on cached features (early stopping may end sooner). Defaults to 40. */
  epochs?: number;
  /** Epochs of fine-tuning the top blocks (strategy 'fineTune'). Defaults to 4. */
  fineTuneEpochs?: number;
  /** Augmented copies of each training image to cache (0 = none). Defaults to 2. */
  augmentCopies?: number;
  /** Learning rate of the head (Adam). Defaults to 1e-3. */
  learningRate?: number;
  /** Layer to cut at for fine-tuning: everything after it trains. Defaults to the base's `fineTuneCut` (the last two blocks). */
  fineTuneCut?: string;
  /** Learning rate for fine-tuning (Adam), low so pretrained features are not destroyed. Defaults to 1e-5. */
  fineTuneLearningRate?: number;
  /** Seed of augmentation, the head's initial weights and dropout, and the training shuffle: the same seed, the same run. Defaults to 42. */
  seed?: number;
  /** Backend to prefer. Defaults to the fastest available. */
  backend?: BackendName;
  /**
   * Worker threads that run the frozen base (each a folded copy on its own wasm backend) while
   * this thread decodes and augments. 0 runs the base in this thread. Defaults to env TRANSFER_LAB_WORKERS, else the number of cores.
   */
  workers?: number;
  /** Extra callbacks for both phases (e.g. a LivePlot in a notebook). Defaults to none. */
  callbacks?: FitCallback[];
  /** 0 silent, 1 progress lines. Defaults to 1. */
  verbose?: 0 | 1;
}

/** Everything a run produced; `model` maps images to class probabilities. */
export interface TrainClassifierResult {
  backend: BackendName;
  model: tf.LayersModel;
  base: PipelineBase;
  strategy: 'featureExtraction' | 'fineTune';
  classNames: string[];
  trainImages: number;
  valImages: number;
  history: TrainingHistory;
  /** Validation results after feature extraction, and after fine-tuning when it ran. */
  featureExtraction: Evaluation;
  fineTune?: Evaluation;
  /** The final evaluation (fine-tuning's when it ran). */
  evaluation: Evaluation;
  seconds: { features: number; head: number; fineTune: number; total: number };
}

const headName = 'head_predictions';

/**
 * A Dropout layer whose masks are reproducible and new at every training step. tfjs' own `seed`
 * option draws the SAME mask at every call (it seeds each draw with the one number), which weakens
 * dropout; here the seed moves on by one per training call, so a run with the same seed repeats
 * its sequence of masks exactly. Saved models hold a plain Dropout layer.
 */
export function seededDropout(rate: number, seed: number, name: string, inputShape?: number[]): tf.layers.Layer {
  const layer = tf.layers.dropout({ rate, seed, name, inputShape });
  const original = layer.call.bind(layer);
  let step = 0;
  layer.call = (inputs, kwargs) => {
    if (kwargs?.training === true) (layer as unknown as { seed: number }).seed = seed + step++;
    return original(inputs, kwargs);
  };
  return layer;
}

/**
 * Dropout + one softmax Dense layer on pooled features: enough on good features, hard to overfit.
 * With a `seed`, the initial weights and the dropout masks are seeded (see `seededDropout`), so
 * with `fit({seed})` a run can be repeated exactly. Without one, two runs differ by a photo or two.
 */
export function linearHead(features: number, numClasses: number, options: { seed?: number } = {}): tf.Sequential {
  const { seed } = options;
  const dropout = seed == null
    ? tf.layers.dropout({ rate: 0.3, inputShape: [features], name: 'head_dropout' })
    : seededDropout(0.3, seed, 'head_dropout', [features]);
  return tf.sequential({
    name: 'head',
    layers: [
      dropout,
      tf.layers.dense({
        units: numClasses, activation: 'softmax', kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }), name: headName,
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    ],
  });
}

/** Everything that changes the pixels reaching the base: part of the feature cache key. */
function preprocessingId(base: PipelineBase): string {
  return `${base.preprocess}|lanczos|keepAspectRatio|shrinkOnLoad|${base.inputSize}`;
}

async function iterators(options: TrainClassifierOptions, base: PipelineBase) {
  const preprocessingFunction = (x: tf.Tensor4D) => preprocessInput(x, base.preprocess);
  const flow = {
    targetSize: [base.inputSize, base.inputSize] as [number, number],
    batchSize: 32,
    classMode: 'categorical' as const,
    interpolation: 'lanczos' as const,
    keepAspectRatio: true,
    seed: options.seed ?? 42,
    verbose: (options.verbose ?? 1) === 1,
  };
  const split = options.val ? {} : { validationSplit: options.validationSplit ?? 0.2 };
  const plain = new ImageDataGenerator({ preprocessingFunction, ...split });
  const augmenting = new ImageDataGenerator({ ...PIPELINE_AUGMENTATION, preprocessingFunction, ...split });
  const train = await plain.flowFromDirectory(options.data, { ...flow, shuffle: false, subset: options.val ? undefined : 'training' });
  const augmented = await augmenting.flowFromDirectory(options.data, { ...flow, shuffle: false, subset: options.val ? undefined : 'training' });
  const val = options.val
    ? await plain.flowFromDirectory(options.val, { ...flow, shuffle: false, classes: train.classNames })
    : await plain.flowFromDirectory(options.data, { ...flow, shuffle: false, subset: 'validation' });
  return { train, augmented, val };
}

/** Features of the plain pass plus `copies` augmented passes, cached on disk. */
async function trainingFeatures(
  model: tf.LayersModel,
  it: { train: DirectoryIterator; augmented: DirectoryIterator },
  copies: number,
  id: string,
  preprocessing: string,
  augmentation: string,
  verbose: boolean,
  pool: ExtractFeaturesOptions['pool'],
): Promise<FeatureSet> {
  const plain = await extractFeatures(model, it.train, { modelName: id, preprocessing, pool, progress: verbose ? progressLine(`${id} (plain)`) : undefined });
  if (copies === 0) return plain;
  const extra = await cacheAugmentedFeatures(model, it.augmented, {
    modelName: id,
    preprocessing,
    copies,
    augmentation,
    pool,
    progress: verbose ? progressLine(`${id} (augmented)`) : undefined,
  });
  const joined: FeatureSet = {
    ...plain,
    features: tf.concat([plain.features, extra.features]) as FeatureSet['features'],
    labels: tf.concat([plain.labels, extra.labels]),
    labelIndices: [...plain.labelIndices, ...extra.labelIndices],
    paths: [...plain.paths, ...extra.paths],
  };
  tf.dispose([plain.features, plain.labels, extra.features, extra.labels]);
  return joined;
}

/**
 * Runs the frozen `model` once over the training images (plain + augmented copies) and the
 * validation images, on a pool of worker threads when `workers` > 0; the pool is closed before returning.
 */
async function frozenOutputs(
  model: tf.LayersModel,
  data: { train: DirectoryIterator; augmented: DirectoryIterator; val: DirectoryIterator },
  copies: number,
  id: string,
  preprocessing: string,
  augmentation: string,
  verbose: boolean,
  workers: number,
): Promise<{ train: FeatureSet; val: FeatureSet }> {
  // Started at the first cache miss: a run whose features are all cached needs no workers.
  let started: Promise<FeatureWorkerPool> | undefined;
  const pool =
    workers > 0
      ? () =>
          (started ??= FeatureWorkerPool.create(model, { workers }).then((p) => {
            if (verbose) console.log(`  ${id}: ${p.size} worker threads (${p.backend}, folded), started in ${p.startupSeconds.toFixed(1)} s`);
            return p;
          }))
      : undefined;
  try {
    const train = await trainingFeatures(model, data, copies, id, preprocessing, augmentation, verbose, pool);
    const val = await extractFeatures(model, data.val, { modelName: id, preprocessing, pool });
    return { train, val };
  } finally {
    if (started) await (await started.catch(() => null))?.close();
  }
}

/** The same rows through `top` (e.g. cut activations → pooled features), in batches of 64. */
function throughTop(top: tf.LayersModel, set: FeatureSet): FeatureSet {
  const features = tf.tidy(() => top.predict(set.features, { batchSize: 64 }) as FeatureSet['features']);
  return { ...set, features, labels: set.labels.clone() };
}

/** One progress line per 25% on a terminal (the notebook shows its own bars). */
function progressLine(label: string): (p: { phase: string; done: number; total: number; copy: number; seconds: number }) => void {
  let lastQuarter = -1;
  return (p) => {
    const quarter = p.phase === 'cached' ? 4 : Math.floor((4 * p.done) / Math.max(1, p.total));
    if (quarter === lastQuarter) return;
    lastQuarter = quarter;
    if (p.phase === 'cached') console.log(`  ${label} copy ${p.copy}: from cache`);
    else console.log(`  ${label} copy ${p.copy}: ${p.done}/${p.total} images, ${p.seconds.toFixed(0)} s`);
  };
}

/**
 * Trains an image classifier from class folders with transfer learning and returns the model and
 * its validation results. Features are cached on disk, so a second run skips the base.
 *
 * @example
 * const run = await trainClassifier({ data: `${dir}/train`, val: `${dir}/val`, strategy: 'fineTune' });
 * run.evaluation.accuracy; // e.g. 0.967 on ants/bees
 */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const start = Date.now();
  const verbose = (options.verbose ?? 1) === 1;
  const strategy = options.strategy ?? 'featureExtraction';
  if (strategy !== 'featureExtraction' && strategy !== 'fineTune') {
    throw new TrainError(`trainClassifier: strategy '${strategy}' is not run by the pipeline; use 'featureExtraction' or 'fineTune' (the notebooks show the other two).`);
  }
  const report = await setupBackend({ prefer: options.backend, quiet: !verbose });
  const base = pipelineBase(options.model ?? 'mobilenet_v1_0.75');
  const data = await iterators(options, base);
  const classNames = data.train.classNames;
  const numClasses = classNames.length;
  const copies = options.augmentCopies ?? 2;
  const callbacks = options.callbacks ?? [];
  const fitVerbose = verbose ? 2 : 0;
  if (verbose) console.log(`Data: ${data.train.samples} training and ${data.val.samples} validation images, ${numClasses} classes (${classNames.join(', ')})`);

  const baseModel = await base.build();
  const features = pooledFeatureModel(baseModel, base.taps);
  const t0 = Date.now();
  const preprocessing = preprocessingId(base);
  const workers = options.workers ?? defaultWorkerCount();
  // Every image goes through the frozen part once. For fine-tuning that part ends at the cut, and
  // the pooled features come from the cached cut activations through the (still frozen) top.
  const cut = options.fineTuneCut ?? base.fineTuneCut;
  const split = strategy === 'fineTune' ? splitAt(features, cut) : null;
  const seed = options.seed ?? 42;
  // The seed picks the augmented copies, so it is part of their cache key.
  const augmentation = JSON.stringify({ ...PIPELINE_AUGMENTATION, seed });
  const frozen = await frozenOutputs(
    split ? split.bottom : features, data, copies, split ? `${base.name}:${cut}` : `${base.name}:pooled`, preprocessing, augmentation, verbose, workers,
  );
  const trainSet = split ? throughTop(split.top, frozen.train) : frozen.train;
  const valSet = split ? throughTop(split.top, frozen.val) : frozen.val;
  const featureSeconds = (Date.now() - t0) / 1000;

  // Phase 1: a new head on frozen pooled features (feature extraction).
  const t1 = Date.now();
  const head = linearHead(trainSet.features.shape[1] as number, numClasses, { seed });
  head.compile({ optimizer: tf.train.adam(options.learningRate ?? 1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  let history = await fit(head, { x: trainSet.features, y: trainSet.labels }, {
    epochs: options.epochs ?? 40,
    batchSize: 32,
    seed,
    validationData: { x: valSet.features, y: valSet.labels },
    callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 8, restoreBestWeights: true }), ...callbacks],
    phase: 'feature extraction',
    verbose: fitVerbose,
  });
  const featureEval = await evaluateProbabilities(head, valSet, classNames);
  const headSeconds = (Date.now() - t1) / 1000;
  if (verbose) console.log(`Feature extraction: validation accuracy ${(featureEval.accuracy * 100).toFixed(1)}%`);
  tf.dispose([trainSet.features, trainSet.labels, valSet.features, valSet.labels]);

  let model = joinModels(features, head, `${base.name}_classifier`);
  let fineTuneEval: Evaluation | undefined;
  let fineTuneSeconds = 0;
  if (split) {
    // Phase 2: fine-tune the top blocks on the cached activations at the cut, BatchNorm kept frozen.
    const t2 = Date.now();
    const { bottom, top } = split;
    const trainActs = frozen.train;
    const valActs = frozen.val;
    const upper = tf.model({ inputs: top.inputs, outputs: head.apply(top.outputs[0]) as tf.SymbolicTensor, name: `${base.name}_upper` });
    unfreeze(upper, 'all', { recompile: { optimizer: 'adam', learningRate: options.fineTuneLearningRate ?? 1e-5, loss: 'categoricalCrossentropy', metrics: ['accuracy'] } });
    history = await fit(upper, { x: trainActs.features, y: trainActs.labels }, {
      epochs: history.epoch.length + (options.fineTuneEpochs ?? 4),
      batchSize: 32,
      seed,
      history,
      validationData: { x: valActs.features, y: valActs.labels },
      callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true }), ...callbacks],
      phase: 'fine-tune',
      verbose: fitVerbose,
    });
    fineTuneEval = await evaluateProbabilities(upper, valActs, classNames);
    model = joinModels(bottom, upper, `${base.name}_classifier`);
    fineTuneSeconds = (Date.now() - t2) / 1000;
    if (verbose) console.log(`Fine-tuning: validation accuracy ${(fineTuneEval.accuracy * 100).toFixed(1)}%`);
    tf.dispose([trainActs.features, trainActs.labels, valActs.features, valActs.labels]);
  }
  const evaluation = fineTuneEval ?? featureEval;
  return {
    backend: report.name,
    model,
    base,
    strategy,
    classNames,
    trainImages: data.train.samples,
    valImages: data.val.samples,
    history,
    featureExtraction: featureEval,
    fineTune: fineTuneEval,
    evaluation,
    seconds: { features: featureSeconds, head: headSeconds, fineTune: fineTuneSeconds, total: (Date.now() - start) / 1000 },
  };
}
