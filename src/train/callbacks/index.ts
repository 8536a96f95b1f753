/** Keras-equivalent training callbacks for tfjs, one class per file. */
export { EarlyStopping, type EarlyStoppingArgs } from './early_stopping';
export { LivePlot, type LiveDisplayLike, type LivePlotArgs } from './live_plot';
export { formatFilepath, ModelCheckpoint, type ModelCheckpointArgs } from './model_checkpoint';
export { ProgressLogger, type ProgressLoggerArgs } from './progress_logger';
export { ReduceLROnPlateau, type ReduceLROnPlateauArgs } from './reduce_lr_on_plateau';
