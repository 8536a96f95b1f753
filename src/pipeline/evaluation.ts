/** Validation results of a pipeline run, in the form the CLI, the saved metrics and the notebook share. */
import * as tf from '@tensorflow/tfjs';
import { classificationReport, confusionMatrix, predictDataset, topMisclassified, type ClassificationReport, type PredictInput } from '../evaluate';

export interface Evaluation {
  accuracy: number;
  report: ClassificationReport;
  confusion: number[][];
  classNames: string[];
  /** The wrong predictions the model was most sure of (path, true, predicted, confidence). */
  misclassified: ReturnType<typeof topMisclassified>;
}

/** Evaluates `model` on inputs with labels (cached features, activations or an image iterator). */
export async function evaluateProbabilities(
  model: tf.LayersModel,
  set: { features: tf.Tensor; labels: tf.Tensor; paths?: string[] } | Exclude<PredictInput, tf.Tensor>,
  classNames: string[],
): Promise<Evaluation> {
  const input: PredictInput = 'features' in set && set.features instanceof tf.Tensor ? { x: set.features, y: set.labels } : (set as PredictInput);
  const result = await predictDataset(model, input);
  if ('paths' in set && Array.isArray(set.paths) && result.paths.length === 0) result.paths = set.paths;
  const report = classificationReport(result.yTrue, result.yPred, { classNames });
  return {
    accuracy: report.accuracy,
    report,
    confusion: confusionMatrix(result.yTrue, result.yPred, classNames.length),
    classNames,
    misclassified: topMisclassified(result, 12),
  };
}
