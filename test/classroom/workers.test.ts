import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultWorkersPerStudent, parseWorkersPerStudent } from '../../src/classroom/workers';

test('defaultWorkersPerStudent shares the cores among the students, at least one each', () => {
  assert.equal(defaultWorkersPerStudent(2, 40), 1);
  assert.equal(defaultWorkersPerStudent(2, 4), 1);
  assert.equal(defaultWorkersPerStudent(64, 40), 1);
  assert.equal(defaultWorkersPerStudent(64, 16), 4);
  assert.equal(defaultWorkersPerStudent(8, 1), 8);
  assert.throws(() => defaultWorkersPerStudent(2, 0), { name: 'ClassroomError', message: /received cores 2, students 0/ });
});

test('parseWorkersPerStudent takes 1..cores and names the flag otherwise', () => {
  assert.equal(parseWorkersPerStudent('2', 4), 2);
  assert.throws(() => parseWorkersPerStudent('5', 4), { message: /^classroom setup: --workers-per-student must be a whole number from 1 to 4 \(the cores of this machine\), received "5"\./ });
  assert.throws(() => parseWorkersPerStudent('0', 4), { message: /received "0"/ });
});
