import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../../src/errors';
import { median, timeRepeated } from '../../src/bench/stats';
import { mulberry32, seededLabels, seededUniform } from '../../src/bench/random';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
  it('rejects an empty list', () => {
    assert.throws(() => median([]), (e: Error) => e instanceof DataError && /median\(\): no values/.test(e.message));
  });
});

describe('timeRepeated', () => {
  it('runs warm-up + reps times and times only the reps', async () => {
    let calls = 0;
    const t = await timeRepeated(() => { calls++; }, { warmup: 2, reps: 3 });
    assert.equal(calls, 5);
    assert.equal(t.seconds.length, 3);
    assert.equal(t.median, median(t.seconds));
  });
  it('rejects zero repetitions', async () => {
    await assert.rejects(timeRepeated(() => 0, { reps: 0 }), /reps must be a whole number >= 1, received 0/);
  });
});

describe('seeded inputs', () => {
  it('are reproducible and in range', () => {
    const a = seededUniform(1000, 42, -1, 1);
    assert.deepEqual(a, seededUniform(1000, 42, -1, 1));
    assert.notDeepEqual(a, seededUniform(1000, 43, -1, 1));
    assert.ok(a.every((v) => v >= -1 && v < 1));
    const labels = seededLabels(100, 10, 1);
    assert.ok(labels.every((v) => v >= 0 && v < 10));
    assert.equal(new Set(labels).size, 10);
    const next = mulberry32(7);
    assert.equal(next(), mulberry32(7)());
  });
});
