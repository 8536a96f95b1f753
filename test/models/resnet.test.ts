import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { ResNet50 } from '../../src/models';
import { useWasm } from './helpers';

describe('ResNet50', () => {
  before(useWasm);

  it('has Keras parameter counts: 25,636,712 with top, 23,587,712 without', async () => {
    for (const [includeTop, params] of [[true, 25_636_712], [false, 23_587_712]] as const) {
      const model = await ResNet50({ includeTop, inputShape: [224, 224, 3] });
      try {
        assert.equal(model.countParams(), params);
      } finally {
        model.dispose();
      }
    }
  });

  it('has keras >= 2.2.5 layer names and pooling names avg_pool / max_pool', async () => {
    const model = await ResNet50({ includeTop: false, pooling: 'max', inputShape: [224, 224, 3] });
    try {
      const names = new Set(model.layers.map((l) => l.name));
      for (const n of ['conv1_pad', 'conv1_conv', 'conv1_bn', 'pool1_pool', 'conv2_block1_0_conv', 'conv2_block1_1_conv',
        'conv3_block4_out', 'conv4_block6_3_bn', 'conv5_block3_add', 'conv5_block3_out', 'max_pool']) {
        assert.ok(names.has(n), `missing layer ${n}`);
      }
      assert.ok(!names.has('conv2_block2_0_conv'), 'only the first block of a stage has a conv shortcut');
      assert.deepEqual(model.getLayer('conv5_block3_out').outputShape, [null, 7, 7, 2048]);
      assert.deepEqual(model.outputs[0].shape, [null, 2048]);
    } finally {
      model.dispose();
    }
  });
});
