/** The headless pipeline behind `transfer-lab train` / `evaluate`. */
export { PIPELINE_BASES, pipelineBase, type PipelineBase } from './bases';
export { evaluateProbabilities, type Evaluation } from './evaluation';
export { PIPELINE_AUGMENTATION, keptReason, linearHead, seededDropout, setDropoutStep, trainClassifier, type KeptModel, type TrainClassifierOptions, type TrainClassifierResult } from './train_classifier';
export { RunCheckpoints, type PhaseBest, type PhaseKey, type PhaseRecord } from './checkpoints';
export { prepareOutputDir, rescueDir } from './output_dir';
export { evaluateRun, loadRun, saveRun, type RunManifest } from './run_files';
