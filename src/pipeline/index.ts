/** The headless pipeline behind `transfer-lab train` / `evaluate`. */
export { PIPELINE_BASES, pipelineBase, type PipelineBase } from './bases';
export { evaluateProbabilities, type Evaluation } from './evaluation';
export { PIPELINE_AUGMENTATION, linearHead, seededDropout, trainClassifier, type TrainClassifierOptions, type TrainClassifierResult } from './train_classifier';
export { evaluateRun, loadRun, saveRun, type RunManifest } from './run_files';
