import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accuracy,
  classificationReport,
  f1,
  precision,
  precisionRecallF1,
  recall,
  reportToDataFrame,
} from '../../src/evaluate/metrics';

/*
 * Worked by hand: 3 classes (0 = cat, 1 = dog, 2 = bird), 10 images.
 *   yTrue = 0 0 0 0 1 1 1 2 2 2
 *   yPred = 0 0 1 2 1 1 0 2 2 1
 * Confusion matrix (rows true, columns predicted): [[2,1,1],[1,2,0],[0,1,2]].
 *   true positives (diagonal) tp = [2, 2, 2]
 *   support (row sums)           = [4, 3, 3]
 *   predicted (column sums)      = [3, 4, 3]
 *   precision = tp / predicted   = [2/3, 2/4, 2/3]
 *   recall    = tp / support     = [2/4, 2/3, 2/3]
 *   f1 = 2tp / (predicted + support) = [4/7, 4/7, 4/6]
 *   accuracy = 6/10 = 0.6
 *   macro:    precision (2/3 + 1/2 + 2/3) / 3 = 11/18, recall 11/18, f1 (4/7 + 4/7 + 2/3) / 3 = 38/63
 *   weighted: precision (4*2/3 + 3*1/2 + 3*2/3) / 10 = 37/60,
 *             recall (4*1/2 + 3*2/3 + 3*2/3) / 10 = 0.6 (always = accuracy),
 *             f1 (4*4/7 + 3*4/7 + 3*2/3) / 10 = 0.6
 *   micro:    every score = total tp / total = 0.6
 */
const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);
const allClose = (actual: number[], expected: number[], what: string): void => {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => close(v, expected[i], `${what}[${i}]`));
};

test('per-class precision, recall, f1 and support match the hand computation', () => {
  const s = precisionRecallF1(yTrue, yPred, { numClasses: 3 });
  allClose(s.precision, [2 / 3, 1 / 2, 2 / 3], 'precision');
  allClose(s.recall, [1 / 2, 2 / 3, 2 / 3], 'recall');
  allClose(s.f1, [4 / 7, 4 / 7, 2 / 3], 'f1');
  assert.deepEqual(s.support, [4, 3, 3]);
  assert.equal(accuracy(yTrue, yPred), 0.6);
});

test('macro, weighted and micro averages', () => {
  close(precision(yTrue, yPred), 11 / 18, 'macro precision (default for 3 classes)');
  close(recall(yTrue, yPred, { average: 'macro' }), 11 / 18, 'macro recall');
  close(f1(yTrue, yPred, { average: 'macro' }), 38 / 63, 'macro f1');
  close(precision(yTrue, yPred, { average: 'weighted' }), 37 / 60, 'weighted precision');
  close(recall(yTrue, yPred, { average: 'weighted' }), 0.6, 'weighted recall');
  close(f1(yTrue, yPred, { average: 'weighted' }), 0.6, 'weighted f1');
  for (const fn of [precision, recall, f1]) close(fn(yTrue, yPred, { average: 'micro' }), 0.6, `micro ${fn.name}`);
  assert.throws(() => precision(yTrue, yPred, { average: 'binary' }), /precision: average 'binary' needs 2 classes but there are 3/);
});

test("binary labels default to average 'binary' for class 1 (sklearn's default)", () => {
  // Class 1: tp 2, predicted 2, support 3 -> precision 1, recall 2/3, f1 4/5.
  const t = [0, 1, 1, 0, 1];
  const p = [0, 1, 0, 0, 1];
  assert.equal(precision(t, p), 1);
  close(recall(t, p), 2 / 3, 'recall');
  close(f1(t, p), 0.8, 'f1');
  // posLabel 0: tp 2, predicted 3, support 2 -> precision 2/3, recall 1.
  close(precision(t, p, { posLabel: 0 }), 2 / 3, 'precision of class 0');
});

test('zero division gives 0, and the report says where', () => {
  // Class 1 is never predicted (precision 0/0); class 2 never occurs nor is predicted.
  const s = precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 0], { numClasses: 3 });
  allClose(s.precision, [0.5, 0, 0], 'precision');
  allClose(s.recall, [1, 0, 0], 'recall');
  allClose(s.f1, [2 / 3, 0, 0], 'f1');
  const report = classificationReport([0, 0, 1, 1], [0, 0, 0, 0], { classNames: ['a', 'b', 'c'] });
  assert.equal(report.note, 'Reported as 0, as sklearn does: precision of b, c is 0/0 (never predicted); recall of c is 0/0 (no true samples).');
  close(report.rows[3].precision, 0.5 / 3, 'macro precision counts the empty class');
});

test('classificationReport: rows, text like sklearn, and a danfojs DataFrame', () => {
  const report = classificationReport(yTrue, yPred, { classNames: ['cat', 'dog', 'bird'] });
  assert.deepEqual(report.rows.map((r) => r.label), ['cat', 'dog', 'bird', 'macro avg', 'weighted avg']);
  assert.equal(report.accuracy, 0.6);
  assert.equal(report.support, 10);
  close(report.rows[3].f1, 38 / 63, 'macro f1');
  close(report.rows[4].precision, 37 / 60, 'weighted precision');
  assert.equal(report.note, '');
  const lines = report.text.split('\n');
  assert.match(lines[0], /^\s+precision\s+recall\s+f1-score\s+support$/);
  assert.match(lines[2], /^\s+cat\s+0\.67\s+0\.50\s+0\.57\s+4$/);
  assert.match(lines[6], /^\s+accuracy\s+0\.60\s+10$/);
  assert.match(lines[7], /^\s+macro avg\s+0\.61\s+0\.61\s+0\.60\s+10$/);
  assert.match(lines[8], /^weighted avg\s+0\.62\s+0\.60\s+0\.60\s+10$/);

  const df = reportToDataFrame(report);
  assert.deepEqual(df.shape, [6, 5]);
  assert.deepEqual(df.columns, ['label', 'precision', 'recall', 'f1', 'support']);
  assert.deepEqual(df['label'].values, ['cat', 'dog', 'bird', 'accuracy', 'macro avg', 'weighted avg']);
  assert.equal(df['f1'].values[3], 0.6);

  assert.throws(() => classificationReport([], []), /^DataError: classificationReport: yTrue and yPred are empty/);
  assert.throws(() => classificationReport(yTrue, yPred, { classNames: ['a', 'b'] }), /^DataError: classificationReport: found label 2 but numClasses is 2; labels must be < numClasses\.$/);
});
