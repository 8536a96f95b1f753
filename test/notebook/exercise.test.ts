import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExercise, isUnanswered } from '../../src/notebook';

function captureLog(fn: () => void): string {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    fn();
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}

test('a passing check says PASS', () => {
  const out = captureLog(() => assert.equal(checkExercise('Exercise 1', [[true, 'never shown']]).passed, true));
  assert.equal(out, 'PASS Exercise 1');
});

test('a failing check shows only the first failed hint', () => {
  let result;
  const out = captureLog(() => {
    result = checkExercise('Exercise 2', [
      [true, 'fine'],
      [false, 'Set `epochs` first.'],
      [false, 'Too many epochs.'],
    ]);
  });
  assert.deepEqual(result, { title: 'Exercise 2', passed: false, problems: ['Set `epochs` first.'] });
  assert.equal(out, 'NOT YET Exercise 2: Set `epochs` first.');
});

test('strict mode (the notebook runner) turns a failed check into an error', () => {
  process.env.TRANSFER_LAB_STRICT_CHECKS = '1';
  try {
    captureLog(() =>
      assert.throws(() => checkExercise('Exercise 3', [[false, 'Answer is 42.']]), /checkExercise: 'Exercise 3' failed: Answer is 42\./),
    );
  } finally {
    delete process.env.TRANSFER_LAB_STRICT_CHECKS;
  }
});

test('isUnanswered recognises the student-copy placeholders', () => {
  for (const v of [undefined, null, NaN, '', '  ', []]) assert.equal(isUnanswered(v), true, String(v));
  for (const v of [0, 'a', [1], false]) assert.equal(isUnanswered(v), false, String(v));
});
