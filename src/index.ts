/**
 * transfer-lab: the public API the notebooks import (`import * as lab from '../dist/index'`).
 * Re-exports only; importing changes nothing until a lesson calls `setupLab()`.
 * The barrel is the public API (listed in README): what notebooks and users call. Internals (the
 * worker pool and data-parallel trainer in parallel/, the benchmark in bench/, wasm kernels, cache
 * and history plumbing) stay importable from their own modules, e.g. `transfer-lab/dist/parallel`.
 *
 * Data flows one way: assets → data → models → transfer → train → evaluate → viz → notebook.
 */
export * from './errors';
export * from './backend';
export * from './assets';
export {
  antsBees, ArrayIterator, catsDogs100, datasetSummary, decodeImage, DirectoryIterator, flowers12,
  flowFromDirectory, IDENTITY_TRANSFORM, IMAGE_EXTENSIONS, ImageDataGenerator, ImageDecodeError,
  INTERPOLATIONS, listClassFiles, loadMnist, mnist,
} from './data';
export type * from './data';
export * from './models';
export { classifyImage, type ClassifyImageOptions } from './models/classify';
export {
  applyFrozenBatchNormRule, applyStrategy, bottleneckFeatures, buildHeadModel, buildTransferModel,
  cacheAugmentedFeatures, defaultCutAt, defaultFeatureCacheDir, disposeFeatureSets, EARLY_CUT_LAYERS,
  extractFeatures, featuresToDataFrame, followsFrozenBatchNormRule, freeze, HEAD_NAMES, headLoss, isBatchNorm,
  isFrozenBatchNorm, joinModels, lastColumns, pooledFeatureModel, recommendStrategy, recompile,
  SMALL_DATASET_THRESHOLD, splitAt, STRATEGIES, STRATEGY_NAMES, trainableReport, truncateAt,
  unfreeze, weightsFingerprint,
} from './transfer';
export { bottleneckFeatureRows, FeatureRows } from './transfer'; // large feature sets: rows in host memory, fit in batches
export type * from './transfer';
export {
  compileFor, DEFAULT_LEARNING_RATES, EarlyStopping, fineTuneEpoch, fit, formatFilepath, getLearningRate,
  LivePlot, loadOptimizerFromDir, loadWeightsFromDir, makeOptimizer, ModelCheckpoint, ProgressLogger, readTrainingState,
  ReduceLROnPlateau, saveModelToDir, setLearningRate,
} from './train';
export type * from './train';
export * from './evaluate';
export * from './viz';
export {
  checkExercise, evaluateExercise, ExerciseCheckError, formatDuration, isNotebook, isUnanswered,
  loadGridImages, plotsDir, ProgressBar, show, showImages, track,
  featureProgress, featureProgressBars, textProgressBar,
} from './notebook';
export type * from './notebook';
export * from './session';
export * from './pipeline';
export * from './lessons/04_dataset';
export * from './lessons/03_zoo';
export * from './lessons/01_mnist_transfer';
export * from './lessons/02_strategies';
export * from './lessons/05_lab';
export * from './lessons/recipe';
export * from './lessons/recipe_compare';
export * from './lessons/vgg19_recipe';
export * from './lessons/fine_tune_gain';
export * from './lessons/mnist_folders';
export { postClassResult, BoardError, type ClassResult, type ClassResultInput, type PostClassResultOptions, type PostClassResultOutcome } from './classroom/board/client';
