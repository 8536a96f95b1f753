/** Evaluation: sklearn-style metrics, confusion matrix, classification report, batched prediction. */
export { checkLabels, confusionMatrix, type ConfusionOptions, type Labels } from './confusion';
export {
  accuracy,
  classificationReport,
  f1,
  precision,
  precisionRecallF1,
  recall,
  reportToDataFrame,
  type Average,
  type ClassificationReport,
  type PerClassScores,
  type ReportOptions,
  type ReportRow,
  type ScoreOptions,
} from './metrics';
export {
  predictDataset,
  topMisclassified,
  type BatchSource,
  type EvalBatch,
  type Misclassified,
  type PredictInput,
  type PredictionResult,
  type PredictOptions,
} from './predict';
