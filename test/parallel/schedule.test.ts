import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../../src/errors';
import { chunk, concatParts } from '../../src/parallel/schedule';

describe('chunk', () => {
  it('cuts into consecutive batches, the last one shorter', () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunk([], 3), []);
  });
  it('rejects a bad size', () => {
    assert.throws(() => chunk([1], 0), (e: Error) => e instanceof DataError && /chunk\(\): size must be .* received 0/.test(e.message));
  });
});

describe('concatParts', () => {
  it('concatenates along the first axis in the order given', () => {
    const out = concatParts([
      { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] },
      { data: Float32Array.from([5, 6]), shape: [1, 2] },
    ]);
    assert.deepEqual(out.shape, [3, 2]);
    assert.deepEqual(Array.from(out.data), [1, 2, 3, 4, 5, 6]);
  });
  it('rejects parts whose row shapes differ', () => {
    assert.throws(
      () => concatParts([{ data: new Float32Array(4), shape: [2, 2] }, { data: new Float32Array(3), shape: [1, 3] }]),
      /part 1 has shape \[1, 3\], expected \[n, 2\]/,
    );
  });
  it('rejects a part whose data does not fit its shape', () => {
    assert.throws(() => concatParts([{ data: new Float32Array(3), shape: [2, 2] }]), /part 0 has 3 values for shape \[2, 2\]/);
  });
});
