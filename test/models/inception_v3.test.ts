import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { InceptionV3 } from '../../src/models';
import { useWasm } from './helpers';

describe('InceptionV3', () => {
  before(useWasm);

  it('has Keras parameter counts (299x299): 23,851,784 with top, 21,802,784 without', async () => {
    for (const [includeTop, params] of [[true, 23_851_784], [false, 21_802_784]] as const) {
      const model = await InceptionV3({ includeTop, inputShape: [299, 299, 3] });
      try {
        assert.equal(model.countParams(), params);
      } finally {
        model.dispose();
      }
    }
  });

  it("has Keras' names: mixed0..mixed10, and fresh-session auto names for the rest", async () => {
    const first = await InceptionV3({ includeTop: true });
    const second = await InceptionV3({ includeTop: true }); // names must not depend on earlier builds
    try {
      for (const model of [first, second]) {
        const names = new Set(model.layers.map((l) => l.name));
        for (const n of ['mixed0', 'mixed3', 'mixed7', 'mixed9_0', 'mixed9_1', 'mixed10', 'conv2d', 'conv2d_93',
          'batch_normalization_93', 'activation_93', 'max_pooling2d_3', 'average_pooling2d_8', 'concatenate_1', 'avg_pool', 'predictions']) {
          assert.ok(names.has(n), `missing layer ${n}`);
        }
        assert.ok(!names.has('conv2d_94'), 'InceptionV3 has 94 convolutions: conv2d .. conv2d_93');
      }
      assert.deepEqual(first.getLayer('mixed10').outputShape, [null, 8, 8, 2048]);
      assert.deepEqual(first.getLayer('conv2d').outputShape, [null, 149, 149, 32]);
      assert.equal(first.getLayer('batch_normalization').weights.length, 3, 'BN without scale: beta, moving mean, variance');
    } finally {
      first.dispose();
      second.dispose();
    }
  });
});
