/** Training: `fit` with Keras-like callbacks, compile helpers, checkpoints and resuming. */
export * from './callbacks';
export { compileFor, DEFAULT_LEARNING_RATES, type CompileOptions, type OptimizerName, type OptimizerOptions } from './compile';
export { isContextAware, type FitCallback, type TrainingContext, type TrainingContextAware } from './context';
export { isRowSource, type RowSource } from './row_source';
export { fit, type DatasetSource, type FitData, type FitOptions, type TensorData, type TensorPair } from './fit';
export {
  cloneHistory,
  createHistory,
  fineTuneEpoch,
  mergeHistories,
  nextEpoch,
  recordEpoch,
  startPhase,
  toTrainingHistory,
  truncateHistory,
  type TrainingHistory,
  type TrainingPhase,
} from './history';
export { getLearningRate, setLearningRate } from './learning_rate';
export { makeOptimizer, type OptimizerConfig } from './optimizer';
export { formatLogs, resolveLogs, type UnresolvedLogs } from './logs';
export { MetricMonitor, monitorDirection, type MonitorMode } from './monitor';
export { loadOptimizerFromDir, loadWeightsFromDir, readTrainingState, type LoadedWeightsInfo } from './resume';
export {
  MODEL_JSON,
  OPTIMIZER_BIN,
  optimizerState,
  orderedWeights,
  saveModelToDir,
  TRAINING_STATE_JSON,
  WEIGHTS_BIN,
  WEIGHTS_JSON,
  type LayerWeight,
  type OptimizerState,
  type SavedModelInfo,
  type SaveModelOptions,
  type TrainingState,
} from './save';
