import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { truncateAt } from '../../src/transfer/truncate';
import { loadMirrorMobileNet, tinyBase, useCpu } from './helpers';

describe('truncateAt', () => {
  before(useCpu);

  it('cuts a tiny model at an inner layer, sharing weights', () => {
    const base = tinyBase();
    const cut = truncateAt(base, 'relu1');
    assert.deepEqual(cut.outputs[0].shape, [null, 8, 8, 4]);
    assert.deepEqual(cut.layers.map((l) => l.name), ['tiny_input', 'conv1', 'bn1', 'relu1']);
    assert.equal(cut.name, 'tiny_to_relu1');
    assert.equal(cut.getLayer('conv1').weights[0], base.getLayer('conv1').weights[0]);
    assert.equal(truncateAt(base, 'pool1', { name: 'early' }).name, 'early');
  });

  it('unknown layer names list close ones', () => {
    assert.throws(() => truncateAt(tinyBase(), 'relu_1'), /^ModelError: truncateAt\(\) layerName: 'relu_1' is not a layer of model 'tiny'.*Close names: relu1/);
    assert.throws(() => truncateAt({} as tf.LayersModel, 'x'), /truncateAt\(\): argument 'model' must be a tf\.LayersModel/);
  });

  it("MobileNet 0.25 (mirror) at conv_pw_5_relu outputs [null, 28, 28, 64]", async (t) => {
    const mobilenet = await loadMirrorMobileNet();
    if (mobilenet === null) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    const early = truncateAt(mobilenet, 'conv_pw_5_relu');
    assert.deepEqual(early.outputs[0].shape, [null, 28, 28, 64]);
    assert.deepEqual(early.inputs[0].shape, [null, 224, 224, 3]);
    assert.equal(early.layers.at(-1)?.name, 'conv_pw_5_relu');
    const base = truncateAt(mobilenet, 'conv_pw_13_relu');
    assert.deepEqual(base.outputs[0].shape, [null, 7, 7, 256]);
    // The Keras no-top MobileNet 0.25 has 218,544 parameters (mirror ASSETS.md).
    assert.equal(base.countParams(), 218544);
    assert.throws(() => truncateAt(mobilenet, 'conv_pw5_relu'), /'conv_pw5_relu' is not a layer of model .*Close names: conv_pw_5_relu/);
  });
});
