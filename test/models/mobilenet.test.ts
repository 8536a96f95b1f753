import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { MobileNet } from '../../src/models';
import { useWasm } from './helpers';

describe('MobileNet', () => {
  before(useWasm);

  it('has Keras parameter counts (1.0, 224x224): 4,253,864 with top, 3,228,864 without', async () => {
    for (const [includeTop, params] of [[true, 4_253_864], [false, 3_228_864]] as const) {
      const model = await MobileNet({ includeTop, inputShape: [224, 224, 3] });
      try {
        assert.equal(model.countParams(), params);
        assert.equal(model.name, 'mobilenet_1.00_224');
      } finally {
        model.dispose();
      }
    }
  });

  it("has Keras layer names, and Keras 2's top (reshape_1, dropout, conv_preds, reshape_2, predictions)", async () => {
    const model = await MobileNet({ alpha: 0.25 });
    try {
      const names = model.layers.map((l) => l.name);
      for (const n of ['input_1', 'conv1', 'conv1_bn', 'conv1_relu', 'conv_pad_2', 'conv_dw_1_relu', 'conv_pw_13_relu']) {
        assert.ok(names.includes(n), `missing layer ${n}`);
      }
      assert.deepEqual(names.slice(-6), ['global_average_pooling2d', 'reshape_1', 'dropout', 'conv_preds', 'reshape_2', 'predictions']);
      assert.equal(model.getLayer('conv_pw_13_relu').getClassName(), 'ReLU');
      assert.deepEqual(model.getLayer('conv_pw_13_relu').outputShape, [null, 7, 7, 256]);
      assert.deepEqual(model.getLayer('conv_preds').outputShape, [null, 1, 1, 1000]);
      assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    } finally {
      model.dispose();
    }
  });

  it('applies pooling without the top and classes with it', async () => {
    const pooled = await MobileNet({ alpha: 0.5, includeTop: false, pooling: 'max', inputShape: [128, 128, 3] });
    const five = await MobileNet({ alpha: 0.5, classes: 5, classifierActivation: null });
    try {
      assert.deepEqual(pooled.outputs[0].shape, [null, 512]);
      assert.equal(pooled.layers[pooled.layers.length - 1].name, 'global_max_pooling2d');
      assert.deepEqual(five.outputs[0].shape, [null, 5]);
      assert.equal(five.getLayer('predictions').getConfig().activation, 'linear');
    } finally {
      pooled.dispose();
      five.dispose();
    }
  });
});
