/**
 * The whole transfer-learning recipe as one call, the engine of `transfer-lab train`: load the
 * class folders, build a pretrained base, train a head on cached pooled features (feature
 * extraction), optionally fine-tune the top blocks on cached activations at a low learning rate,
 * evaluate, and save model + metrics + plots. Every step is a library call the lab notebook also
 * makes one by one.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import { promises as fs, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend, type BackendName } from '../backend';
import { ImageDataGenerator, type ImageDataGeneratorOptions, type SkippedFile } from '../data';
import { DataError, TrainError } from '../errors';
import { preprocessInput } from '../models';
import { LAB_RECIPE } from '../lessons/recipe';
import { bottleneckFeatureRows, DEFAULT_MAX_TENSOR_BYTES, joinModels, pooledFeatureModel, rowSetToFeatureSet, splitAt, unfreeze, type FeatureRowSet, type FeatureSet, type StrategyName } from '../transfer';
import { loadWeightsFromDir, MetricMonitor, orderedWeights, type FitCallback, type TrainingHistory } from '../train';
import { pipelineBase, type PipelineBase } from './bases';
import { RunCheckpoints, type PhaseBest } from './checkpoints';
import { seededDropout } from './dropout';
import { evaluateProbabilities, type Evaluation } from './evaluation';
import { trainPhase } from './phase';

export { seededDropout, setDropoutStep } from './dropout';
import { featureProgressBars } from '../notebook/feature_progress';
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
   * 0 or 1 also keeps the training steps in this thread; otherwise `fit` splits the fine-tuning
   * steps over its default workers (see FitOptions.workers).
   */
  workers?: number;
  /**
   * Validation metric that picks the model to keep, over every epoch of both phases (Keras'
   * ModelCheckpoint with save_best_only): 'val_acc' (highest; a tie keeps the earlier epoch) or
   * 'val_loss' (lowest). Early stopping always watches val_loss. Defaults to 'val_acc'.
   */
  monitor?: 'val_acc' | 'val_loss';
  /**
   * Folder for the per-epoch checkpoints that `resume` continues from (transfer-lab train uses
   * OUT/checkpoints). Defaults to a temporary folder, removed when the run ends.
   */
  checkpointDir?: string;
  /**
   * Continue an interrupted run from `checkpointDir`: finished phases are not trained again, the
   * current one goes on after its last completed epoch with its optimizer state, giving the
   * result of an uninterrupted run with the same settings. Defaults to false.
   */
  resume?: boolean;
  /**
   * Leave out class folders of `val` that the training folder lacks, instead of raising a
   * DataError naming them. Defaults to false.
   */
  ignoreExtraClasses?: boolean;
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
  /** The evaluation of the model kept (see `kept`). */
  evaluation: Evaluation;
  /** Which phase's best epoch the returned model is, and why. */
  kept: KeptModel;
  /** Image files left out because they cannot be decoded (training, then validation), with the reason. */
  skipped: SkippedFile[];
  /** Class folders of `val` left out with `ignoreExtraClasses`. */
  ignoredValClasses: string[];
  /** True when the run continued from checkpoints. */
  resumed: boolean;
  seconds: { features: number; head: number; fineTune: number; total: number };
}

const headName = 'head_predictions';

/** The model a run keeps: the best epoch by the monitored metric over both phases. */
export interface KeptModel {
  phase: 'featureExtraction' | 'fineTune';
  /** 'val_acc' or 'val_loss'. */
  monitor: string;
  /** Best epoch of each phase (0-based; null when the phase did not run or had no value). */
  featureExtractionBest: PhaseBest | null;
  fineTuneBest: PhaseBest | null;
  /** One sentence: which model was kept and why. */
  reason: string;
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
  // The same files as `train`: its "Found N images" line would repeat the one above.
  const augmented = await augmenting.flowFromDirectory(options.data, { ...flow, verbose: false, shuffle: false, subset: options.val ? undefined : 'training' });
  let ignoredValClasses: string[] = [];
  if (options.val) {
    ignoredValClasses = extraClassFolders(options.val, train.classNames);
    if (ignoredValClasses.length > 0 && !options.ignoreExtraClasses) {
      const list = ignoredValClasses.map((c) => `'${c}'`).join(', ');
      throw new DataError(
        `trainClassifier: validation folder '${options.val}' has class folder${ignoredValClasses.length > 1 ? 's' : ''} ${list} that the training folder ` +
          `'${options.data}' lacks (its classes: ${train.classNames.join(', ')}); the model cannot predict ${ignoredValClasses.length > 1 ? 'them' : 'it'}. ` +
          'Add those classes to the training folder, remove them from the validation folder, or pass ignoreExtraClasses ' +
          '(--ignore-extra-classes) to leave them out of validation.',
      );
    }
  }
  const val = options.val
    ? await plain.flowFromDirectory(options.val, { ...flow, shuffle: false, classes: train.classNames })
    : await plain.flowFromDirectory(options.data, { ...flow, shuffle: false, subset: 'validation' });
  return { train, augmented, val, ignoredValClasses };
}

/** Class folders of `dir` (sub-folders not starting with '.', as flowFromDirectory lists them) that are not in `classNames`. */
function extraClassFolders(dir: string, classNames: string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // flowFromDirectory reports the missing folder with its own message.
  }
  return names
    .filter((n) => !n.startsWith('.') && !classNames.includes(n))
    .filter((n) => {
      try {
        return statSync(path.join(dir, n)).isDirectory();
      } catch {
        return false;
      }
    })
    .sort();
}

/**
 * The same rows through `top` (e.g. cut activations → pooled features), 64 at a time: only a
 * batch of the large activations is ever a tensor. The result is small (one vector per row).
 */
async function throughTop(top: tf.LayersModel, set: FeatureRowSet): Promise<FeatureSet> {
  const pooled = await set.features.map(top, 64);
  return rowSetToFeatureSet({ ...set, features: pooled, labels: set.labels.clone() }, { caller: 'trainClassifier (pooled features)' });
}

/** What to do when the features of a run are too large for one tensor. */
const TOO_LARGE = 'Use fewer validation images, or a base cut where its maps are smaller (--model mobilenet_v1_0.25).';

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
  const say = (line: string): void => {
    if (verbose) console.log(line);
  };
  const strategy = options.strategy ?? 'featureExtraction';
  if (strategy !== 'featureExtraction' && strategy !== 'fineTune') {
    throw new TrainError(`trainClassifier: strategy '${strategy}' is not run by the pipeline; use 'featureExtraction' or 'fineTune' (the notebooks show the other two).`);
  }
  const monitor = options.monitor ?? 'val_acc';
  if (monitor !== 'val_acc' && monitor !== 'val_loss') {
    throw new TrainError(`trainClassifier: monitor '${String(monitor)}' is not supported; use 'val_acc' or 'val_loss'.`);
  }
  const resume = options.resume ?? false;
  if (resume && options.checkpointDir == null) {
    throw new TrainError('trainClassifier: resume needs the checkpointDir of the interrupted run (transfer-lab train: the same --out).');
  }
  const report = await setupBackend({ prefer: options.backend, quiet: !verbose });
  const base = pipelineBase(options.model ?? 'mobilenet_v1_0.75');
  const seed = options.seed ?? 42;
  const copies = options.augmentCopies ?? 2;
  const cut = options.fineTuneCut ?? base.fineTuneCut;
  const settings = {
    data: path.resolve(options.data), val: options.val ? path.resolve(options.val) : null, validationSplit: options.val ? null : options.validationSplit ?? 0.2,
    model: base.name, strategy, epochs: options.epochs ?? 40, fineTuneEpochs: strategy === 'fineTune' ? options.fineTuneEpochs ?? 4 : null,
    augmentCopies: copies, learningRate: options.learningRate ?? 1e-3, fineTuneLearningRate: options.fineTuneLearningRate ?? 1e-5,
    fineTuneCut: strategy === 'fineTune' ? cut : null, seed, monitor, ignoreExtraClasses: options.ignoreExtraClasses ?? false,
  };
  const checkpoints = new RunCheckpoints(options.checkpointDir ?? (await fs.mkdtemp(path.join(tmpdir(), 'transfer-lab-checkpoints-'))));
  await checkpoints.startOrCheck(settings, resume);
  try {
    return await trainWithCheckpoints(options, { start, verbose, say, strategy, monitor, resume, report, base, seed, copies, cut, checkpoints });
  } finally {
    if (options.checkpointDir == null) await checkpoints.remove();
  }
}

async function trainWithCheckpoints(
  options: TrainClassifierOptions,
  run: {
    start: number; verbose: boolean; say: (line: string) => void; strategy: 'featureExtraction' | 'fineTune'; monitor: 'val_acc' | 'val_loss';
    resume: boolean; report: { name: BackendName }; base: PipelineBase; seed: number; copies: number; cut: string; checkpoints: RunCheckpoints;
  },
): Promise<TrainClassifierResult> {
  const { verbose, say, strategy, monitor, resume, base, seed, copies, cut, checkpoints } = run;
  const data = await iterators(options, base);
  const classNames = data.train.classNames;
  const numClasses = classNames.length;
  const callbacks = options.callbacks ?? [];
  const fitVerbose = verbose ? 2 : 0;
  say(`Data: ${data.train.samples} training and ${data.val.samples} validation images, ${numClasses} classes (${classNames.join(', ')})`);
  if (data.ignoredValClasses.length > 0) say(`Left out of validation (not among the training classes): ${data.ignoredValClasses.join(', ')}`);
  const skipped = [...data.train.skipped, ...data.val.skipped];

  const baseModel = await base.build();
  const features = pooledFeatureModel(baseModel, base.taps);
  const t0 = Date.now();
  const workers = options.workers ?? defaultWorkerCount();
  // Every image goes through the frozen part once. For fine-tuning that part ends at the cut, and
  // the pooled features come from the cached cut activations through the (still frozen) top.
  const split = strategy === 'fineTune' ? splitAt(features, cut) : null;
  const id = split ? `${base.name}:${cut}` : `${base.name}:pooled`;
  // The training passes stay apart in host memory (bottleneckFeatureRows): cut activations of a
  // few thousand photos with their augmented copies are larger than the wasm heap can hold as one
  // tensor, and phase 2 reads them a batch at a time (see src/transfer/feature_rows.ts).
  const frozen = await bottleneckFeatureRows(split ? split.bottom : features, {
    ...data, copies, augmentation: PIPELINE_AUGMENTATION, preprocess: base.preprocess, modelName: id, workers,
    // The library's one progress renderer: a bar per pass (HTML in a notebook, a line on a terminal, lines in logs).
    progress: verbose ? featureProgressBars({ ...data, copies, label: id }) : undefined,
    onPoolStarted: verbose
      ? (p) => console.log(`  ${id}: ${p.size} worker threads (${p.backend}, folded), started in ${p.startupSeconds.toFixed(1)} s`)
      : undefined,
  });
  const trainSet = split ? await throughTop(split.top, frozen.train) : rowSetToFeatureSet(frozen.train, { caller: 'trainClassifier (training features)', instead: TOO_LARGE });
  const valSet = split ? await throughTop(split.top, frozen.val) : rowSetToFeatureSet(frozen.val, { caller: 'trainClassifier (validation features)', instead: TOO_LARGE });
  const featureSeconds = (Date.now() - t0) / 1000;

  // Phase 1: a new head on frozen pooled features (feature extraction).
  const t1 = Date.now();
  const head = linearHead(trainSet.features.shape[1] as number, numClasses, { seed });
  head.compile({ optimizer: tf.train.adam(options.learningRate ?? LAB_RECIPE.headOptimizer.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const phaseCommon = {
    seed, monitor, checkpoints, resume, dropoutLayers: [head.layers[0]], callbacks, verbose: fitVerbose as 0 | 2, say, workers: workers <= 1 ? (1 as const) : undefined,
  };
  const phase1 = await trainPhase({
    ...phaseCommon, key: 'feature-extraction', name: 'feature extraction', model: head,
    x: trainSet.features, y: trainSet.labels, valX: valSet.features, valY: valSet.labels, epochs: options.epochs ?? 40, earlyStopping: LAB_RECIPE.headEarlyStopping,
  });
  let history = phase1.history;
  const featureEval = await evaluateProbabilities(head, valSet, classNames);
  const headSeconds = (Date.now() - t1) / 1000;
  say(`Feature extraction: validation accuracy ${(featureEval.accuracy * 100).toFixed(1)}%${describeBest(phase1.best, monitor)}`);
  tf.dispose([trainSet.features, trainSet.labels, valSet.features, valSet.labels]);
  const optimizers: tf.Optimizer[] = [head.optimizer];

  let joined = split ? null : joinModels(features, head, `${base.name}_classifier`);
  let fineTuneEval: Evaluation | undefined;
  let phase2Best: PhaseBest | null = null;
  let keptPhase: KeptModel['phase'] = 'featureExtraction';
  let fineTuneSeconds = 0;
  if (split) {
    // Phase 2: fine-tune the top blocks on the cached activations at the cut, BatchNorm kept frozen.
    const t2 = Date.now();
    const { bottom, top } = split;
    // One tensor when it fits comfortably in the backend's heap (fit may then split each step over
    // the worker threads); otherwise rows in host memory that fit draws each batch from, in this thread.
    const actBytes = frozen.train.features.rows * frozen.train.features.rowShape.reduce((a, b) => a * b, 1) * 4;
    const trainActs: FeatureRowSet | FeatureSet = actBytes <= DEFAULT_MAX_TENSOR_BYTES / 2
      ? rowSetToFeatureSet(frozen.train, { caller: 'trainClassifier (training activations)', instead: TOO_LARGE })
      : frozen.train;
    const valActs = rowSetToFeatureSet(frozen.val, { caller: 'trainClassifier (validation activations)', instead: TOO_LARGE });
    // The pretrained top, to put back when fine-tuning does not beat the head alone.
    // (orderedWeights: getWeights() lists trainable weights first, an order that unfreezing changes.)
    const topWeights = orderedWeights(top);
    const pretrainedTop = topWeights.map((w) => w.read().clone());
    const upper = tf.model({ inputs: top.inputs, outputs: head.apply(top.outputs[0]) as tf.SymbolicTensor, name: `${base.name}_upper` });
    unfreeze(upper, 'all', { recompile: { optimizer: 'adam', learningRate: options.fineTuneLearningRate ?? LAB_RECIPE.fineTuneOptimizer.learningRate, loss: 'categoricalCrossentropy', metrics: ['accuracy'] } });
    optimizers.push(upper.optimizer);
    const phase2 = await trainPhase({
      ...phaseCommon, key: 'fine-tune', name: 'fine-tune', model: upper, history,
      x: trainActs.features, y: trainActs.labels, valX: valActs.features, valY: valActs.labels,
      epochs: nextEpochAfter(history) + (options.fineTuneEpochs ?? 4), earlyStopping: LAB_RECIPE.fineTuneEarlyStopping,
    });
    history = phase2.history;
    phase2Best = phase2.best;
    fineTuneEval = await evaluateProbabilities(upper, valActs, classNames);
    say(`Fine-tuning: validation accuracy ${(fineTuneEval.accuracy * 100).toFixed(1)}%${describeBest(phase2.best, monitor)}`);
    const direction = new MetricMonitor('trainClassifier', monitor);
    if (phase2.best !== null && (phase1.best === null || direction.isImprovement(phase2.best.value, phase1.best.value))) {
      keptPhase = 'fineTune';
    } else {
      // The head's best epoch on the pretrained top: what feature extraction ended with.
      topWeights.forEach((w, i) => w.write(pretrainedTop[i]));
      if (phase1.best !== null) await loadWeightsFromDir(head, checkpoints.best('feature-extraction'));
    }
    tf.dispose(pretrainedTop);
    joined = joinModels(bottom, upper, `${base.name}_classifier`);
    fineTuneSeconds = (Date.now() - t2) / 1000;
    tf.dispose([trainActs.labels, valActs.features, valActs.labels]);
    if (trainActs.features instanceof tf.Tensor) trainActs.features.dispose();
  }
  // The returned model is a standalone copy, so that its dispose() frees every weight: the models
  // built on the way share layers, and tfjs' layer reference counts then keep them alive (22
  // tensors per fine-tuning run, 6 optimizer slots per run, growing with every notebook re-run).
  const model = await standaloneCopy(joined!);
  tf.dispose([...orderedWeights(baseModel), ...orderedWeights(head)].map((w) => w.read()));
  for (const o of optimizers) o.dispose();
  const kept: KeptModel = {
    phase: keptPhase, monitor, featureExtractionBest: phase1.best, fineTuneBest: phase2Best,
    reason: keptReason(keptPhase, monitor, phase1.best, split ? phase2Best : undefined),
  };
  say(`Kept: ${kept.reason}`);
  const evaluation = keptPhase === 'fineTune' && fineTuneEval ? fineTuneEval : featureEval;
  return {
    backend: run.report.name,
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
    kept,
    skipped,
    ignoredValClasses: data.ignoredValClasses,
    resumed: resume,
    seconds: { features: featureSeconds, head: headSeconds, fineTune: fineTuneSeconds, total: (Date.now() - run.start) / 1000 },
  };
}

/** A new model with the same architecture and a copy of the weights, sharing nothing with `model`. */
async function standaloneCopy(model: tf.LayersModel): Promise<tf.LayersModel> {
  const weights = orderedWeights(model);
  const { data, specs } = await tf.io.encodeWeights(weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
  const topology = model.toJSON(null, false);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: typeof topology === 'string' ? (JSON.parse(topology) as tf.io.ModelJSON['modelTopology']) : topology,
      weightSpecs: specs,
      weightData: tf.io.CompositeArrayBuffer.join(data),
    }),
  );
}

/** One past the last epoch of `history`. */
function nextEpochAfter(history: TrainingHistory): number {
  return history.epoch.length === 0 ? 0 : history.epoch[history.epoch.length - 1] + 1;
}

function describeBest(best: PhaseBest | null, monitor: string): string {
  return best === null ? '' : ` (best ${monitor} ${best.value.toFixed(4)} at epoch ${best.epoch + 1})`;
}

/** The sentence saying which phase's model was kept and why. */
export function keptReason(phase: KeptModel['phase'], monitor: string, fe: PhaseBest | null, ft: PhaseBest | null | undefined): string {
  const at = (b: PhaseBest) => `${monitor} ${b.value.toFixed(4)} at epoch ${b.epoch + 1}`;
  if (ft === undefined) {
    return fe ? `the feature-extraction model of its best epoch (${at(fe)}).` : 'the feature-extraction model.';
  }
  const better = monitor === 'val_loss' ? 'lower' : 'higher';
  if (phase === 'fineTune') {
    return `the fine-tuned model (${ft ? at(ft) : '?'}), because its ${monitor} is ${better} than feature extraction's best (${fe ? at(fe) : 'none'}).`;
  }
  return (
    `the feature-extraction model (${fe ? at(fe) : 'no value'}), because fine-tuning did not beat it ` +
    `(its best: ${ft ? at(ft) : 'no value'}; a tie keeps the earlier model).`
  );
}
