/**
 * Classification metrics with sklearn's definitions: accuracy, per-class precision / recall /
 * F1 with macro, weighted and micro averages, and a classification report usable as a table
 * or a danfojs DataFrame.
 *
 * Zero division: when a class is never predicted its precision is 0/0, when it never occurs its
 * recall is 0/0; like sklearn (`zero_division="warn"`, which returns 0) we report 0 there, and the
 * report's `note` says which classes it happened for.
 */
import type * as dfd from 'danfojs-node';
import { loadDanfo } from '../danfo';
import { DataError } from '../errors';
import { checkLabels, confusionMatrix, type Labels } from './confusion';

/**
 * Fraction of correct predictions (sklearn's `accuracy_score`).
 * @throws DataError for empty or mismatched label arrays.
 */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkLabels(yTrue, yPred, undefined, 'accuracy');
  if (yTrue.length === 0) throw new DataError('accuracy: yTrue and yPred are empty; pass at least one label.');
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** Per-class scores, index = class (sklearn's `precision_recall_fscore_support(average=None)`). */
export interface PerClassScores {
  /** tp / (tp + fp): of the samples predicted as the class, the fraction that are it. */
  precision: number[];
  /** tp / (tp + fn): of the samples of the class, the fraction found. */
  recall: number[];
  /** Harmonic mean of precision and recall = 2tp / (2tp + fp + fn). */
  f1: number[];
  /** Number of true samples of the class. */
  support: number[];
  /** Per class, which ratios were 0/0 and reported as 0. */
  zeroDivision: { precision: boolean; recall: boolean }[];
  /** Number of times each class was predicted (tp + fp). */
  predicted: number[];
  /** True positives per class (the confusion matrix' diagonal). */
  truePositives: number[];
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/**
 * Precision, recall, F1 and support for every class 0..numClasses-1 (default: largest label + 1).
 * @example precisionRecallF1([0, 1, 2, 2], [0, 2, 2, 1], { numClasses: 3 }).recall  // [1, 0, 0.5]
 */
export function precisionRecallF1(yTrue: Labels, yPred: Labels, opts: { numClasses?: number } = {}): PerClassScores {
  return scores(yTrue, yPred, opts.numClasses, 'precisionRecallF1');
}

/** The per-class scores, with errors naming the public function the user called. */
function scores(yTrue: Labels, yPred: Labels, numClasses: number | undefined, caller: string): PerClassScores {
  const n = checkLabels(yTrue, yPred, numClasses, caller);
  const m = confusionMatrix(yTrue, yPred, n);
  const tp = m.map((row, i) => row[i]);
  const support = m.map((row) => row.reduce((a, b) => a + b, 0));
  const predicted = m[0].map((_, j) => m.reduce((a, row) => a + row[j], 0));
  return {
    precision: tp.map((t, i) => ratio(t, predicted[i])),
    recall: tp.map((t, i) => ratio(t, support[i])),
    f1: tp.map((t, i) => ratio(2 * t, predicted[i] + support[i])),
    support,
    zeroDivision: tp.map((_, i) => ({ precision: predicted[i] === 0, recall: support[i] === 0 })),
    predicted,
    truePositives: tp,
  };
}

/** How per-class scores are combined into one number (sklearn's `average`). */
export type Average = 'binary' | 'macro' | 'weighted' | 'micro';

/** Options of {@link precision}, {@link recall} and {@link f1}. */
export interface ScoreOptions {
  /** Number of classes. Default: largest label + 1. */
  numClasses?: number;
  /**
   * 'binary': the score of class `posLabel` only; 'macro': unweighted mean over classes;
   * 'weighted': mean weighted by support; 'micro': from the total counts (= accuracy for
   * single-label data). Default 'binary' for 2 classes, 'macro' otherwise (sklearn raises
   * instead of choosing for more than 2 classes).
   */
  average?: Average;
  /** The positive class for average 'binary'. Default 1. */
  posLabel?: number;
}

type Metric = 'precision' | 'recall' | 'f1';

function averaged(metric: Metric, caller: string, yTrue: Labels, yPred: Labels, opts: ScoreOptions): number {
  const s = scores(yTrue, yPred, opts.numClasses, caller);
  const n = s.support.length;
  const average = opts.average ?? (n <= 2 ? 'binary' : 'macro');
  const values = s[metric];
  switch (average) {
    case 'binary': {
      if (n > 2) {
        throw new DataError(`${caller}: average 'binary' needs 2 classes but there are ${n}; use average 'macro', 'weighted' or 'micro'.`);
      }
      const pos = opts.posLabel ?? 1;
      if (!(Number.isInteger(pos) && pos >= 0 && pos < Math.max(n, 2))) {
        throw new DataError(`${caller}: posLabel must be 0 or 1 for binary labels, got ${pos}.`);
      }
      return values[pos] ?? 0;
    }
    case 'macro':
      return values.reduce((a, b) => a + b, 0) / n;
    case 'weighted': {
      const total = s.support.reduce((a, b) => a + b, 0);
      return ratio(values.reduce((a, v, i) => a + v * s.support[i], 0), total);
    }
    case 'micro': {
      const tp = s.truePositives.reduce((a, b) => a + b, 0);
      const pred = s.predicted.reduce((a, b) => a + b, 0);
      const sup = s.support.reduce((a, b) => a + b, 0);
      if (metric === 'precision') return ratio(tp, pred);
      if (metric === 'recall') return ratio(tp, sup);
      return ratio(2 * tp, pred + sup);
    }
    default:
      throw new DataError(`${caller}: option average must be 'binary', 'macro', 'weighted' or 'micro', got ${JSON.stringify(average)}.`);
  }
}

/** Precision averaged as `opts.average` says (sklearn's `precision_score`). Zero division counts as 0. */
export function precision(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): number {
  return averaged('precision', 'precision', yTrue, yPred, opts);
}

/** Recall averaged as `opts.average` says (sklearn's `recall_score`). Zero division counts as 0. */
export function recall(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): number {
  return averaged('recall', 'recall', yTrue, yPred, opts);
}

/** F1 averaged as `opts.average` says (sklearn's `f1_score`; macro F1 is the mean of per-class F1). */
export function f1(yTrue: Labels, yPred: Labels, opts: ScoreOptions = {}): number {
  return averaged('f1', 'f1', yTrue, yPred, opts);
}

/** One row of a classification report: a class, 'macro avg' or 'weighted avg'. */
export type ReportRow = {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
};

/** Options of {@link classificationReport}. */
export interface ReportOptions {
  /** Class names, index = class. Default: '0', '1', ... */
  classNames?: string[];
  /** Number of classes. Default: classNames.length, else largest label + 1. */
  numClasses?: number;
  /** Decimals in `text`. Default 2 (as sklearn). */
  digits?: number;
}

/** sklearn's `classification_report`, as data and as text. */
export interface ClassificationReport {
  /** One row per class, then 'macro avg' and 'weighted avg'. Pass to `toHtmlTable` (src/viz). */
  rows: ReportRow[];
  /** Fraction of correct predictions. */
  accuracy: number;
  /** Number of samples. */
  support: number;
  /** The report formatted like sklearn's. */
  text: string;
  /** Which 0/0 ratios were reported as 0 (empty when none). */
  note: string;
}

/**
 * Per-class precision, recall, F1 and support with macro and weighted averages and accuracy,
 * as sklearn's `classification_report`. Classes that never occur still get a row (support 0)
 * and count in the macro average, as with sklearn's `labels=range(numClasses)`.
 * @example console.log(classificationReport(result.yTrue, result.yPred, { classNames: ['ants', 'bees'] }).text);
 */
export function classificationReport(yTrue: Labels, yPred: Labels, opts: ReportOptions = {}): ClassificationReport {
  if (yTrue.length === 0) throw new DataError('classificationReport: yTrue and yPred are empty; pass at least one label.');
  const numClasses = opts.numClasses ?? opts.classNames?.length;
  const s = scores(yTrue, yPred, numClasses, 'classificationReport');
  const n = s.support.length;
  const names = opts.classNames ?? Array.from({ length: n }, (_, i) => String(i));
  if (names.length !== n) {
    throw new DataError(`classificationReport: ${names.length} classNames for ${n} classes; pass one name per class index.`);
  }
  const total = yTrue.length;
  const rows: ReportRow[] = names.map((label, i) => ({
    label,
    precision: s.precision[i],
    recall: s.recall[i],
    f1: s.f1[i],
    support: s.support[i],
  }));
  const mean = (k: Metric): number => rows.reduce((a, r) => a + r[k], 0) / n;
  const weighted = (k: Metric): number => rows.reduce((a, r) => a + r[k] * r.support, 0) / total;
  const acc = s.truePositives.reduce((a, b) => a + b, 0) / total;
  const averages: ReportRow[] = [
    { label: 'macro avg', precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: total },
    { label: 'weighted avg', precision: weighted('precision'), recall: weighted('recall'), f1: weighted('f1'), support: total },
  ];
  const noPred = names.filter((_, i) => s.zeroDivision[i].precision);
  const noTrue = names.filter((_, i) => s.zeroDivision[i].recall);
  const notes: string[] = [];
  if (noPred.length > 0) notes.push(`precision of ${noPred.join(', ')} is 0/0 (never predicted)`);
  if (noTrue.length > 0) notes.push(`recall of ${noTrue.join(', ')} is 0/0 (no true samples)`);
  const note = notes.length > 0 ? `Reported as 0, as sklearn does: ${notes.join('; ')}.` : '';
  const all = [...rows, ...averages];
  return { rows: all, accuracy: acc, support: total, text: formatReport(rows, averages, acc, total, opts.digits ?? 2, note), note };
}

function formatReport(rows: ReportRow[], averages: ReportRow[], acc: number, total: number, digits: number, note: string): string {
  const width = Math.max(12, ...rows.map((r) => r.label.length));
  const col = Math.max(9, digits + 2);
  const num = (v: number): string => v.toFixed(digits).padStart(col);
  const head = `${''.padStart(width)} ${'precision'.padStart(col)} ${'recall'.padStart(col)} ${'f1-score'.padStart(col)} ${'support'.padStart(col)}`;
  const line = (r: ReportRow): string =>
    `${r.label.padStart(width)} ${num(r.precision)} ${num(r.recall)} ${num(r.f1)} ${String(r.support).padStart(col)}`;
  const accLine = `${'accuracy'.padStart(width)} ${''.padStart(col)} ${''.padStart(col)} ${num(acc)} ${String(total).padStart(col)}`;
  const parts = [head, '', ...rows.map(line), '', accLine, ...averages.map(line)];
  if (note) parts.push('', note);
  return parts.join('\n');
}

/**
 * The report as a danfojs DataFrame with columns label, precision, recall, f1, support: the class
 * rows, 'accuracy' (accuracy in the f1 column, as sklearn prints it; NaN precision/recall), and
 * the two averages. `df.print()` shows it in a terminal.
 */
export function reportToDataFrame(report: ClassificationReport): dfd.DataFrame {
  const classRows = report.rows.slice(0, -2);
  const averages = report.rows.slice(-2);
  const accuracyRow: ReportRow = { label: 'accuracy', precision: Number.NaN, recall: Number.NaN, f1: report.accuracy, support: report.support };
  return new (loadDanfo().DataFrame)([...classRows, accuracyRow, ...averages]);
}
