import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExercise, evaluateExercise, isUnanswered } from '../../src/notebook';

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
  const out = captureLog(() => assert.equal(checkExercise('Exercise 1', [[true, 'never shown']]), undefined));
  assert.equal(out, 'PASS Exercise 1');
  assert.deepEqual(evaluateExercise('Exercise 1', [[true, 'never shown']]), { title: 'Exercise 1', passed: true, problems: [] });
});

test('a failing check shows only the first failed hint', () => {
  const conditions: [boolean, string][] = [
    [true, 'fine'],
    [false, 'Set `epochs` first.'],
    [false, 'Too many epochs.'],
  ];
  const out = captureLog(() => checkExercise('Exercise 2', conditions));
  assert.deepEqual(evaluateExercise('Exercise 2', conditions), { title: 'Exercise 2', passed: false, problems: ['Set `epochs` first.'] });
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
