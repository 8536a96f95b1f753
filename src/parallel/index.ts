/**
 * Using every core without libtensorflow: feature extraction and data-parallel training in worker
 * threads (each with its own wasm backend), models serialized across threads, and an inference-only folding of frozen
 * models (BatchNormalization / ReLU / padding into the convolutions) that doubles wasm speed.
 */
export { extractFeaturesParallel, type ParallelExtractOptions, type ParallelFeatures } from './extract';
export { FeatureWorkerPool, type FeatureWorkerPoolOptions } from './pool';
export { DataParallelTrainer, type DataParallelTrainerOptions, type StepResult } from './trainer';
export { foldForInference, type FoldReport, type FoldedModel } from './fold';
export { FoldedConv2D, type FoldedConv2DArgs, type FoldedPadding, type FusedActivation } from './folded_conv';
export { modelToTransfer, modelFromTransfer, type ModelTransfer } from './artifacts';
export { runFeatureTask } from './task';
export { chunk, concatParts, type OutputPart } from './schedule';
export type { FeatureTask, FilesTask, TensorTask, TaskResult, TaskPreprocess } from './protocol';
export { defaultWorkerCount, WORKERS_ENV } from './workers';
