import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { ModelError } from '../../src/errors';
import { foldForInference } from '../../src/parallel/fold';
import { samePads } from '../../src/parallel/folded_conv';
import { foldableModel } from './helpers';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

describe('foldForInference', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
  });

  it('folds BN / activations / padding and predicts what the original predicts', () => {
    const model = foldableModel();
    const { model: folded, report } = foldForInference(model);
    // pad1+c1+bn+relu6, dw1+bn+relu, pw1+bn, pad2+dw2+bn+relu6; inner_conv (own relu) is left alone.
    assert.deepEqual(report, { convs: 4, batchNorms: 4, activations: 3, paddings: 2 });
    const names = folded.layers.map((l) => l.name);
    assert.ok(!names.includes('c1_bn') && !names.includes('pad1') && !names.includes('pad2') && names.includes('add1'));
    const x = tf.randomUniform([3, 16, 16, 3], -1, 1, 'float32', 1);
    const want = model.predict(x) as tf.Tensor;
    const got = folded.predict(x) as tf.Tensor;
    assert.deepEqual(got.shape, [3, 5]);
    assert.ok(maxAbsDiff(want, got) < 1e-4, `max abs diff ${maxAbsDiff(want, got)}`);
    folded.dispose();
    // The original keeps its (shared) weights after the folded copy is disposed.
    const again = model.predict(x) as tf.Tensor;
    assert.equal(maxAbsDiff(want, again), 0);
    tf.dispose([x, want, got, again]);
    model.dispose();
  });

  it('gives the same result on the cpu backend (explicit padding path included)', async () => {
    const model = foldableModel();
    const x = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 2);
    const want = model.predict(x) as tf.Tensor;
    await tf.setBackend('cpu');
    try {
      const folded = foldForInference(model).model;
      const got = folded.predict(x) as tf.Tensor;
      assert.ok(maxAbsDiff(want, got) < 1e-4);
      tf.dispose([got]);
      folded.dispose();
    } finally {
      await setupBackend({ prefer: 'wasm', quiet: true });
    }
    tf.dispose([x, want]);
  });

  it('samePads matches TF "same" padding', () => {
    assert.deepEqual(samePads(112, 3, 2, 1), [0, 1]); // Keras' correct_pad before stride 2
    assert.deepEqual(samePads(7, 3, 1, 1), [1, 1]);
    assert.deepEqual(samePads(7, 3, 2, 1), [1, 1]);
    assert.deepEqual(samePads(8, 1, 1, 1), [0, 0]);
  });

  it('rejects a non-model with a ModelError naming the function', () => {
    assert.throws(() => foldForInference({} as tf.LayersModel), (err: Error) => err instanceof ModelError && /foldForInference\(\): argument 'model'/.test(err.message));
  });
});
