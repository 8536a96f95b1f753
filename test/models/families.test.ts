import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAMILY_NAMES, MODEL_FAMILIES, preprocessInput } from '../../src/models';

describe('MODEL_FAMILIES', () => {
  it('lists the six families with their Keras preprocessing modes and input sizes', () => {
    assert.deepEqual(FAMILY_NAMES, ['VGG16', 'VGG19', 'ResNet50', 'InceptionV3', 'MobileNet', 'MobileNetV2']);
    const modes = Object.fromEntries(FAMILY_NAMES.map((n) => [n, MODEL_FAMILIES[n].preprocessMode]));
    assert.deepEqual(modes, { VGG16: 'caffe', VGG19: 'caffe', ResNet50: 'caffe', InceptionV3: 'tf', MobileNet: 'tf', MobileNetV2: 'tf' });
    assert.equal(MODEL_FAMILIES.InceptionV3.defaultInputSize, 299);
    assert.equal(MODEL_FAMILIES.VGG16.defaultInputSize, 224);
    assert.equal(MODEL_FAMILIES.ResNet50.top1, 0.749);
    assert.equal(MODEL_FAMILIES.MobileNet.params.withTop, 4_253_864);
    assert.equal(MODEL_FAMILIES.VGG19.kerasWeights.noTop, 'keras_vgg19_no_top');
  });

  it("each family's preprocess is preprocessInput in its mode", () => {
    const x = tf.tensor4d([10, 20, 30], [1, 1, 1, 3]);
    for (const name of FAMILY_NAMES) {
      const fam = MODEL_FAMILIES[name];
      const [a, b] = [fam.preprocess(x), preprocessInput(x, fam.preprocessMode)];
      assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
      tf.dispose([a, b]);
    }
    x.dispose();
  });
});
