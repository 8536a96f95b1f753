import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { MobileNetV2 } from '../../src/models';
import { useWasm } from './helpers';

describe('MobileNetV2', () => {
  before(useWasm);

  it('has Keras parameter counts (1.0, 224x224): 3,538,984 with top, 2,257,984 without', async () => {
    for (const [includeTop, params] of [[true, 3_538_984], [false, 2_257_984]] as const) {
      const model = await MobileNetV2({ includeTop, inputShape: [224, 224, 3] });
      try {
        assert.equal(model.countParams(), params);
      } finally {
        model.dispose();
      }
    }
  });

  it('matches the Keras no-top count for alpha 0.35 (410,208, as the course asset)', async () => {
    const model = await MobileNetV2({ alpha: 0.35, includeTop: false, inputShape: [224, 224, 3] });
    try {
      assert.equal(model.countParams(), 410_208);
      assert.equal(model.name, 'mobilenetv2_0.35_224');
    } finally {
      model.dispose();
    }
  });

  it('has Keras layer names, per block', async () => {
    const model = await MobileNetV2({ includeTop: true });
    try {
      const names = new Set(model.layers.map((l) => l.name));
      for (const n of [
        'Conv1', 'bn_Conv1', 'Conv1_relu', 'expanded_conv_depthwise', 'expanded_conv_project_BN',
        'block_1_pad', 'block_3_expand', 'block_13_expand_relu', 'block_15_add', 'block_16_project_BN',
        'Conv_1', 'Conv_1_bn', 'out_relu', 'predictions',
      ]) {
        assert.ok(names.has(n), `missing layer ${n}`);
      }
      assert.ok(!names.has('block_16_add'), 'block 16 changes width: no residual add');
      assert.deepEqual(model.getLayer('block_16_project_BN').outputShape, [null, 7, 7, 320]);
      assert.deepEqual(model.getLayer('out_relu').outputShape, [null, 7, 7, 1280]);
    } finally {
      model.dispose();
    }
  });
});
