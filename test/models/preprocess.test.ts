import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { preprocessInput } from '../../src/models';
import { DataError } from '../../src/errors';

function close(actual: number[], expected: number[], tol = 1e-4): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < tol, `index ${i}: ${a} vs ${expected[i]}`));
}

describe('preprocessInput (Keras modes)', () => {
  it("'tf' scales [0, 255] to [-1, 1]", () => {
    const x = tf.tensor4d([255, 0, 127.5, 51, 102, 204], [1, 1, 2, 3]);
    const y = preprocessInput(x, 'tf');
    close(Array.from(y.dataSync()), [1, -1, 0, -0.6, -0.2, 0.6]);
    assert.deepEqual(y.shape, [1, 1, 2, 3]);
    tf.dispose([x, y]);
  });

  it("'caffe' swaps RGB to BGR and subtracts the ImageNet BGR mean", () => {
    const x = tf.tensor3d([10, 20, 30, 255, 255, 255], [1, 2, 3]);
    const y = preprocessInput(x, 'caffe');
    // pixel 1: BGR (30, 20, 10) - (103.939, 116.779, 123.68); pixel 2: 255 - mean
    close(Array.from(y.dataSync()), [-73.939, -96.779, -113.68, 151.061, 138.221, 131.32]);
    tf.dispose([x, y]);
  });

  it("'torch' scales to [0, 1] and normalises with the ImageNet mean and std", () => {
    const x = tf.tensor4d([255, 0, 127.5], [1, 1, 1, 3], 'float32');
    const y = preprocessInput(x, 'torch');
    // (1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.5 - 0.406) / 0.225
    close(Array.from(y.dataSync()), [2.2489083, -2.0357143, 0.4177778]);
    tf.dispose([x, y]);
  });

  it('accepts int32 images, leaves the input as it is and leaks no tensors', () => {
    const x = tf.tensor4d([0, 255, 0], [1, 1, 1, 3], 'int32');
    const before = tf.memory().numTensors;
    const y = preprocessInput(x, 'tf');
    assert.equal(tf.memory().numTensors, before + 1);
    assert.equal(y.dtype, 'float32');
    assert.deepEqual(Array.from(x.dataSync()), [0, 255, 0]);
    tf.dispose([x, y]);
  });

  it('rejects unknown modes and shapes it cannot handle', () => {
    const x = tf.zeros([2, 2, 4]) as tf.Tensor3D;
    assert.throws(() => preprocessInput(x, 'caffe'), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /preprocessInput: mode 'caffe' needs RGB images with 3 channels last; received shape \[2, 2, 4\]/);
      return true;
    });
    assert.throws(() => preprocessInput(x, 'keras' as 'tf'), /mode must be 'tf', 'caffe' or 'torch'; received mode="keras"/);
    assert.throws(() => preprocessInput(tf.zeros([3]) as unknown as tf.Tensor3D, 'tf'), /received shape \[3\]/);
    x.dispose();
  });
});
