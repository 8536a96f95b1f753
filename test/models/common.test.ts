import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MobileNet, MobileNetV2, VGG16, ResNet50, InceptionV3 } from '../../src/models';
import { kerasNamer, quote } from '../../src/models/common';
import { ModelError } from '../../src/errors';
import { useWasm } from './helpers';

describe('builder option validation (Keras rules, messages quote the value)', () => {
  before(useWasm);

  it("rejects weights='imagenet' with the top and classes other than 1000", async () => {
    await assert.rejects(MobileNet({ weights: 'imagenet', classes: 10 }), (err: unknown) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /^MobileNet: weights='imagenet' with includeTop=true needs classes=1000.*received classes=10/);
      return true;
    });
  });

  it("rejects an alpha without ImageNet weights and depthMultiplier != 1 with 'imagenet'", async () => {
    await assert.rejects(MobileNet({ weights: 'imagenet', alpha: 0.3 }), /alpha must be one of 0.25, 0.5, 0.75, 1.0; received alpha=0.3/);
    await assert.rejects(MobileNet({ weights: 'imagenet', depthMultiplier: 2 }), /depthMultiplier must be 1; received depthMultiplier=2/);
    await assert.rejects(MobileNetV2({ weights: 'imagenet', alpha: 0.6 }), /MobileNetV2: .*alpha must be one of 0.35, 0.5, 0.75, 1.0, 1.3, 1.4; received alpha=0.6/);
  });

  it('rejects a weights path that does not exist, quoting it', async () => {
    await assert.rejects(VGG16({ weights: '/no/such/vgg16.h5' }), /VGG16: weights must be null .* received weights='\/no\/such\/vgg16.h5'/);
  });

  it('rejects bad pooling, classes, unknown (snake_case) options and activations', async () => {
    await assert.rejects(VGG16({ includeTop: false, pooling: 'sum' as 'avg' }), /pooling must be undefined, 'avg' or 'max'; received pooling='sum'/);
    await assert.rejects(ResNet50({ classes: 0 }), /classes must be a positive integer; received classes=0/);
    await assert.rejects(ResNet50({ include_top: false } as object), /ResNet50: unknown option 'include_top'/);
    await assert.rejects(ResNet50({ weights: 'imagenet', classifierActivation: 'relu' }), /only 'softmax' or null .* received classifierActivation='relu'/);
    await assert.rejects(ResNet50({ classifierActivation: 'nope' }), /classifierActivation must be null or one of .*received classifierActivation='nope'/);
  });

  it('checks input shapes as obtain_input_shape does', async () => {
    await assert.rejects(
      ResNet50({ weights: 'imagenet', inputShape: [256, 256, 3] }),
      /with includeTop=true and weights='imagenet', inputShape must be \[224, 224, 3\]; received inputShape=\[256, 256, 3\]/,
    );
    await assert.rejects(InceptionV3({ includeTop: false, inputShape: [64, 64, 3] }), /at least 75x75; received inputShape=\[64, 64, 3\]/);
    await assert.rejects(MobileNet({ includeTop: false, weights: 'imagenet', inputShape: [224, 224, 1] }), /3 channels .*\[224, 224, 1\]/);
    await assert.rejects(MobileNet({ inputShape: [null, null, 3] }), /includeTop=true the input shape must be static/);
  });

  it('builds without the top for any input size when inputShape is not given', async () => {
    const model = await MobileNet({ alpha: 0.25, includeTop: false, pooling: 'avg' });
    try {
      assert.deepEqual(model.inputs[0].shape, [null, null, null, 3]);
      for (const size of [96, 160]) {
        const y = tf.tidy(() => model.predict(tf.zeros([1, size, size, 3])) as tf.Tensor);
        assert.deepEqual(y.shape, [1, 256]);
        y.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  it('names layers as a fresh Keras session does, and quotes values', () => {
    const name = kerasNamer();
    assert.deepEqual([name('conv2d'), name('conv2d'), name('activation'), name('conv2d')], ['conv2d', 'conv2d_1', 'activation', 'conv2d_2']);
    assert.equal(quote([224, null, 3]), '[224, null, 3]');
    assert.equal(quote('x'), "'x'");
  });
});
