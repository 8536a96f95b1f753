/**
 * Transfer learning on a pretrained base: freezing (with the Keras BatchNormalization rule), heads,
 * the four reuse strategies, truncation at an early layer and cached bottleneck features.
 */
export { applyFrozenBatchNormRule, followsFrozenBatchNormRule, isBatchNorm, isFrozenBatchNorm } from './batchnorm';
export {
  FEATURE_CACHE_VERSION, defaultFeatureCacheDir, featureCacheKey, readFeatureCache, stampFiles, weightsFingerprint,
  writeFeatureCache,
} from './cache';
export type { FeatureCacheEntry, FeatureKeyParts, FeatureMeta, FileStamp } from './cache';
export { SHARED_CACHE_ENV, featureCacheLookupOrder, featureCacheLookups, type FeatureCacheLayer, type FeatureCacheSource } from './shared_cache';
export { cacheAugmentedFeatures, extractFeatures, featuresToDataFrame } from './features';
export type {
  AugmentedFeaturesOptions, DataFrameOptions, ExtractFeaturesOptions, FeatureBatch, FeatureProgress, FeatureSet, FeatureSource,
} from './features';
export { freeze, needsRecompile, recompile, specIndices, trainableReport, unfreeze } from './freeze';
export type { FreezeSpec, RecompileConfig, TrainableReport, TrainableRow, UnfreezeOptions } from './freeze';
export { HEAD_NAMES, buildHeadModel, buildTransferModel, headLoss } from './heads';
export type { HeadName, HeadOptions, TransferModelOptions } from './heads';
export { closeNames } from './layer_lookup';
export { EARLY_CUT_LAYERS, STRATEGIES, STRATEGY_NAMES, defaultCutAt } from './scenarios';
export type { PrepareBaseOptions, StrategyInfo, StrategyName } from './scenarios';
export { SMALL_DATASET_THRESHOLD, applyStrategy, recommendStrategy } from './strategies';
export type { ApplyStrategyOptions, CompileDefaults, Recommendation, RecommendInput, StrategyResult } from './strategies';
export { truncateAt } from './truncate';
export type { TruncateOptions } from './truncate';
export { splitAt, joinModels } from './split';
export type { SplitModel } from './split';
export { lastColumns, pooledFeatureModel } from './pooled';
export { bottleneckFeatureRows, bottleneckFeatures, concatFeatureSets, disposeFeatureSets, preprocessingKey } from './bottleneck';
export type { BottleneckFeatureRows, BottleneckFeatures, BottleneckOptions, PixelSettings } from './bottleneck';
export { DEFAULT_MAX_TENSOR_BYTES, FeatureRows, WASM_HEAP_BYTES, checkTensorBytes, formatBytes, type RowPart } from './feature_rows';
export { augmentedFeatureRows, extractFeatureRows, rowSetToFeatureSet, type FeatureRowSet } from './features';
