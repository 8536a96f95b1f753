/**
 * Running a trained model over an evaluation set (a DirectoryIterator or tensors) and keeping
 * what the metrics and the "what went wrong" views need: class probabilities, true and
 * predicted labels, and the file path of every image.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError, ModelError } from '../errors';

/** A batch as src/data's DirectoryIterator yields it (`paths` optional for other sources). */
export interface EvalBatch {
  xs: tf.Tensor;
  ys?: tf.Tensor;
  paths?: string[];
}

/** Anything that yields batches once (a DirectoryIterator from src/data). */
export interface BatchSource {
  batches(): AsyncIterable<EvalBatch>;
  /** Class names by index, passed through to the result. */
  readonly classNames?: string[];
}

/** Cached features with their labels, files and class names (a `FeatureSet` from `bottleneckFeatures`). */
export interface LabeledFeatures {
  features: tf.Tensor;
  labels?: tf.Tensor;
  paths?: string[];
  classNames?: string[];
}

/** What {@link predictDataset} accepts: a batch source, cached features (paths kept), `{x, y?}`, `[x, y]`, or `x` alone. */
export type PredictInput = BatchSource | LabeledFeatures | { x: tf.Tensor; y?: tf.Tensor } | [tf.Tensor, tf.Tensor] | tf.Tensor;

/** Options of {@link predictDataset}. */
export interface PredictOptions {
  /** Samples per forward pass for tensor input. Default 32. Batch sources batch themselves. */
  batchSize?: number;
  /** For a single sigmoid output: probability at or above which class 1 is predicted. Default 0.5. */
  threshold?: number;
}

/** Predictions for a whole evaluation set, in the order the samples came. */
export interface PredictionResult {
  /** One row of class probabilities per sample. A single sigmoid output p becomes [1 - p, p]. */
  probs: Float32Array[];
  /** True class per sample (argmax of one-hot targets); empty when no targets were given. */
  yTrue: number[];
  /** Predicted class per sample (argmax, or p >= threshold for a sigmoid output). */
  yPred: number[];
  /** File path per sample for batch sources that give paths; empty otherwise. */
  paths: string[];
  /** Number of classes (2 for a sigmoid output). */
  numClasses: number;
  /** Class names from the batch source, if it has them. */
  classNames?: string[];
}

function isBatchSource(x: object): x is BatchSource {
  return 'batches' in x && typeof x.batches === 'function';
}

/** Class indices from one-hot rows, or from 0/1 (binary) and integer (sparse) targets. */
async function labelsOf(ys: tf.Tensor): Promise<number[]> {
  const t = tf.tidy(() => (ys.rank >= 2 && ys.shape[ys.rank - 1]! > 1 ? tf.argMax(ys, -1) : tf.round(ys.reshape([-1]))));
  const data = await t.data();
  t.dispose();
  return Array.from(data, Number);
}

/** Yields tensor input in slices of `batchSize`, owning (and disposing) only the slices. */
async function* tensorBatches(x: tf.Tensor, y: tf.Tensor | undefined, batchSize: number, paths?: string[]): AsyncGenerator<EvalBatch> {
  const n = x.shape[0];
  if (y != null && y.shape[0] !== n) {
    throw new DataError(`predictDataset: x has ${n} samples but y has ${y.shape[0]}; pass one target per sample.`);
  }
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    yield { xs: x.slice(start, size), ys: y?.slice(start, size), paths: paths?.slice(start, start + size) };
  }
}

/**
 * Predicts every sample of `input` batch by batch (each forward pass in `tf.tidy`, every batch
 * tensor disposed), so memory stays flat however large the set.
 * @example const result = await predictDataset(model, await flowFromDirectory(valDir, { shuffle: false }));
 * @throws ModelError when the model's output is not one probability row per sample.
 */
export async function predictDataset(model: tf.LayersModel, input: PredictInput, opts: PredictOptions = {}): Promise<PredictionResult> {
  const batchSize = opts.batchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new DataError(`predictDataset: option batchSize must be a positive integer, got ${opts.batchSize}.`);
  }
  const threshold = opts.threshold ?? 0.5;
  let batches: AsyncIterable<EvalBatch>;
  let classNames: string[] | undefined;
  if (input instanceof tf.Tensor) {
    batches = tensorBatches(input, undefined, batchSize);
  } else if (Array.isArray(input)) {
    batches = tensorBatches(input[0], input[1], batchSize);
  } else if (isBatchSource(input)) {
    batches = input.batches();
    classNames = input.classNames;
  } else if (typeof input === 'object' && input != null && 'features' in input && input.features instanceof tf.Tensor) {
    if (input.paths !== undefined && input.paths.length !== input.features.shape[0]) {
      throw new DataError(`predictDataset: features have ${input.features.shape[0]} rows but paths has ${input.paths.length}; pass one path per row.`);
    }
    batches = tensorBatches(input.features, input.labels, batchSize, input.paths);
    classNames = input.classNames;
  } else if (typeof input === 'object' && input != null && 'x' in input) {
    batches = tensorBatches(input.x, input.y, batchSize);
  } else {
    throw new DataError('predictDataset: input must be a DirectoryIterator (anything with batches()), a FeatureSet ({features, labels, paths}), {x, y}, [x, y] or a tensor.');
  }

  const result: PredictionResult = { probs: [], yTrue: [], yPred: [], paths: [], numClasses: 0, classNames };
  let sawLabels = false;
  for await (const batch of batches) {
    try {
      const out = tf.tidy(() => {
        const p = model.predict(batch.xs);
        if (Array.isArray(p) || p.rank !== 2) {
          throw new ModelError(
            `predictDataset: model '${model.name}' must output one probability row per sample ([batch, classes]), ` +
              `got ${Array.isArray(p) ? `${p.length} outputs` : `shape [${p.shape}]`}.`,
          );
        }
        return p;
      });
      const cols = out.shape[1]!;
      const data = await out.data();
      out.dispose();
      const binary = cols === 1;
      result.numClasses = binary ? 2 : cols;
      for (let r = 0; r < data.length / cols; r++) {
        const row = binary ? Float32Array.of(1 - data[r], data[r]) : Float32Array.from(data.subarray(r * cols, (r + 1) * cols));
        result.probs.push(row);
        result.yPred.push(binary ? (data[r] >= threshold ? 1 : 0) : argmax(row));
      }
      if (batch.ys != null && batch.ys.size > 0) {
        sawLabels = true;
        result.yTrue.push(...(await labelsOf(batch.ys)));
      }
      if (batch.paths != null) result.paths.push(...batch.paths);
    } finally {
      batch.xs.dispose();
      batch.ys?.dispose();
    }
  }
  if (sawLabels && result.yTrue.length !== result.yPred.length) {
    throw new DataError(`predictDataset: got ${result.yTrue.length} targets for ${result.yPred.length} samples; every batch needs targets, or none.`);
  }
  return result;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** One wrongly classified sample, for a "most confident mistakes" table or image grid. */
export interface Misclassified {
  /** Position in the evaluation set. */
  index: number;
  /** Image file, when the source gave paths. */
  path?: string;
  /** True class index. */
  yTrue: number;
  /** Predicted class index. */
  yPred: number;
  /** True class name, when class names are known. */
  trueLabel?: string;
  /** Predicted class name, when class names are known. */
  predictedLabel?: string;
  /** Probability the model gave to its (wrong) prediction. */
  confidence: number;
  /** Probability the model gave to the true class. */
  trueProbability: number;
}

/**
 * The `k` mistakes the model was most sure about, most confident first: the usual place to
 * find mislabelled images or a class the model confuses.
 * @throws DataError when the result has no true labels.
 */
export function topMisclassified(result: PredictionResult, k = 10): Misclassified[] {
  if (result.yTrue.length !== result.yPred.length) {
    throw new DataError('topMisclassified: the prediction result has no true labels; predict on data with targets (y or an iterator with classMode).');
  }
  const names = result.classNames;
  const wrong: Misclassified[] = [];
  result.yPred.forEach((p, i) => {
    const t = result.yTrue[i];
    if (p === t) return;
    wrong.push({
      index: i,
      path: result.paths[i],
      yTrue: t,
      yPred: p,
      trueLabel: names?.[t],
      predictedLabel: names?.[p],
      confidence: result.probs[i][p],
      trueProbability: result.probs[i][t] ?? 0,
    });
  });
  return wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index).slice(0, Math.max(0, k));
}
