/**
 * Confusion matrix (sklearn's convention: rows are true classes, columns predicted classes),
 * and the label checks every metric shares.
 */
import { DataError } from '../errors';

/** Class indices as plain arrays or typed arrays (what `predictDataset` returns). */
export type Labels = ArrayLike<number>;

/**
 * Checks that both label arrays have the same length and hold integers in [0, numClasses);
 * returns numClasses (default: the largest label + 1).
 * @throws DataError naming the caller, the offending position and value.
 */
export function checkLabels(yTrue: Labels, yPred: Labels, numClasses: number | undefined, caller: string): number {
  if (yTrue.length !== yPred.length) {
    throw new DataError(`${caller}: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}; pass one prediction per true label.`);
  }
  let max = -1;
  for (const [name, labels] of [['yTrue', yTrue], ['yPred', yPred]] as const) {
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i];
      if (!(Number.isInteger(v) && v >= 0)) {
        throw new DataError(`${caller}: ${name}[${i}] is ${v}; labels must be class indices 0, 1, 2, ... (argmax of one-hot rows).`);
      }
      if (v > max) max = v;
    }
  }
  const n = numClasses ?? max + 1;
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new DataError(`${caller}: numClasses must be an integer >= 1, got ${numClasses}${yTrue.length === 0 ? ' (and there are no labels to infer it from)' : ''}.`);
  }
  if (max >= n) {
    throw new DataError(`${caller}: found label ${max} but numClasses is ${n}; labels must be < numClasses.`);
  }
  return n;
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionOptions {
  /**
   * As sklearn: 'true' divides each row by its true-class count, 'pred' each column by its
   * predicted count, 'all' by the total; rows/columns with no samples stay 0. Default: raw counts.
   */
  normalize?: 'true' | 'pred' | 'all';
}

/**
 * `matrix[t][p]` = number of samples of true class t predicted as p (sklearn's
 * `confusion_matrix`). The diagonal holds the correct predictions.
 * @example confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], 3)  // [[1,0,0],[0,0,1],[0,1,1]]
 * @throws DataError for labels outside [0, numClasses) or arrays of different lengths.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses?: number, opts: ConfusionOptions = {}): number[][] {
  const n = checkLabels(yTrue, yPred, numClasses, 'confusionMatrix');
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]] += 1;
  switch (opts.normalize) {
    case undefined:
      return m;
    case 'true':
      return m.map((row) => {
        const sum = row.reduce((a, b) => a + b, 0);
        return row.map((v) => (sum > 0 ? v / sum : 0));
      });
    case 'pred': {
      const sums = m[0].map((_, j) => m.reduce((a, row) => a + row[j], 0));
      return m.map((row) => row.map((v, j) => (sums[j] > 0 ? v / sums[j] : 0)));
    }
    case 'all': {
      const total = yTrue.length;
      return m.map((row) => row.map((v) => (total > 0 ? v / total : 0)));
    }
    default:
      throw new DataError(`confusionMatrix: option normalize must be 'true', 'pred' or 'all', got ${JSON.stringify(opts.normalize)}.`);
  }
}
