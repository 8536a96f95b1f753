import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confusionMatrix } from '../../src/evaluate/confusion';
import { DataError } from '../../src/errors';

// The 3-class example worked by hand in metrics.test.ts (0 = cat, 1 = dog, 2 = bird).
const yTrue = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const yPred = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

test('rows are true classes, columns predicted classes (sklearn convention)', () => {
  assert.deepEqual(confusionMatrix(yTrue, yPred, 3), [
    [2, 1, 1],
    [1, 2, 0],
    [0, 1, 2],
  ]);
  // A class that never occurs still gets its row and column.
  assert.deepEqual(confusionMatrix([0, 1], [1, 1], 3), [
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
  // numClasses defaults to the largest label + 1; typed arrays work too.
  assert.deepEqual(confusionMatrix(Int32Array.of(1, 0), Int32Array.of(1, 1)), [
    [0, 1],
    [0, 1],
  ]);
});

test("normalize 'true' | 'pred' | 'all' as sklearn; empty rows stay 0", () => {
  const byTrue = confusionMatrix(yTrue, yPred, 3, { normalize: 'true' });
  assert.deepEqual(byTrue[0], [0.5, 0.25, 0.25]);
  assert.deepEqual(byTrue[1], [1 / 3, 2 / 3, 0]);
  const byPred = confusionMatrix(yTrue, yPred, 3, { normalize: 'pred' });
  assert.deepEqual(byPred.map((r) => r[1]), [0.25, 0.5, 0.25]);
  assert.equal(confusionMatrix(yTrue, yPred, 3, { normalize: 'all' })[2][2], 0.2);
  assert.deepEqual(confusionMatrix([0], [0], 2, { normalize: 'true' })[1], [0, 0]);
});

test('bad labels are rejected with the position and value', () => {
  assert.throws(() => confusionMatrix([0, 1], [0], 2), /^DataError: confusionMatrix: yTrue has 2 labels but yPred has 1/);
  assert.throws(() => confusionMatrix([0, 1.5], [0, 1], 2), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /^confusionMatrix: yTrue\[1\] is 1\.5; labels must be class indices/);
    return true;
  });
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /confusionMatrix: found label 3 but numClasses is 3/);
});
