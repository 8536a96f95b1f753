import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MobileNet, VGG19, disposeModels, loadKerasH5Weights, openKerasH5, saveKerasH5Weights } from '../../../src/models';
import { truncateAt } from '../../../src/transfer';
import { compareWithH5, listH5Weights, vgg19NoTopH5File } from '../../../src/lessons/04_dataset';
import { ModelError } from '../../../src/errors';
import { ANTS, MOBILENET_025_H5, loadPhoto, maxAbsDiff, useWasm } from '../helpers';

let tmp: string;

describe('saveKerasH5Weights, openKerasH5 and a layer-by-layer load into a truncated VGG19', () => {
  before(async () => {
    await useWasm();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-h5-save-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('VGG19 truncated at block2_pool has the 260,160 parameters of Keras', async () => {
    const vgg = await VGG19({ includeTop: false, inputShape: [256, 256, 3] });
    const early = truncateAt(vgg, 'block2_pool');
    assert.equal(early.countParams(), 260160);
    assert.deepEqual(early.outputs[0].shape, [null, 64, 64, 128]);
    assert.deepEqual(early.layers.map((l) => l.name), ['input_1', 'block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_conv2', 'block2_pool']);
    disposeModels(vgg, early);
  });

  it('writes the Keras layout, and the h5py loop over a truncated model takes exactly the file\'s weights', async () => {
    const donor = await VGG19({ includeTop: false, inputShape: [32, 32, 3] });
    const file = path.join(tmp, 'vgg19_notop.h5');
    const saved = await saveKerasH5Weights(donor, file);
    assert.deepEqual([saved.layers, saved.tensors, saved.values], [donor.layers.length, 32, 20024384]);

    const f = await openKerasH5(file);
    assert.deepEqual(f.layers[0].weights.map((w) => [w.name, w.shape]), [['block1_conv1/kernel:0', [3, 3, 3, 64]], ['block1_conv1/bias:0', [64]]]);
    assert.equal(f.layers.length, 16, 'the 16 conv layers of VGG19 have weights; inputs and pools are listed without');
    assert.equal(f.weights('block1_pool'), undefined);
    f.close();

    const early = truncateAt(await VGG19({ includeTop: false, inputShape: [256, 256, 3] }), 'block2_pool');
    const before = await compareWithH5(early, file);
    assert.deepEqual(before.map((r) => r.layer), ['block1_conv1', 'block1_conv2', 'block2_conv1', 'block2_conv2']);
    assert.ok(before.every((r) => r['in file'] === 'yes' && r['max |model - file|'] > 0), 'two random inits differ');

    const numTensors = tf.memory().numTensors;
    const g = await openKerasH5(file);
    for (const layer of early.layers) {
      const stored = g.weights(layer.name);
      if (stored) layer.setWeights(stored);
    }
    g.close();
    assert.equal(tf.memory().numTensors, numTensors, 'close() frees the tensors read from the file');
    const after = await compareWithH5(early, file);
    assert.deepEqual(after.map((r) => r['max |model - file|']), [0, 0, 0, 0]);
    assert.equal(maxAbsDiff(early.getLayer('block2_conv2').getWeights()[0], donor.getLayer('block2_conv2').getWeights()[0]), 0);
    disposeModels(donor, early);
  });

  it('round-trips MobileNet with BatchNormalization: same outputs on a real photo after save and load', async () => {
    const reference = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
    await loadKerasH5Weights(reference, MOBILENET_025_H5);
    const file = path.join(tmp, 'mobilenet_025.h5');
    await saveKerasH5Weights(reference, file);
    const copy = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
    const report = await loadKerasH5Weights(copy, file);
    assert.equal(report.loaded.length, 54);
    const photo = await loadPhoto(path.join(ANTS, fs.readdirSync(ANTS).sort()[0]));
    const x = tf.tidy(() => photo.toFloat().div(127.5).sub(1));
    const [a, b] = [reference.predict(x) as tf.Tensor, copy.predict(x) as tf.Tensor];
    assert.equal(maxAbsDiff(a, b), 0);
    tf.dispose([photo, x, a, b]);
    disposeModels(reference, copy);
  });

  it('vgg19NoTopH5File writes a real VGG19 no-top .h5 when Keras\' file is not here, and removes it on request', async () => {
    const h5 = await vgg19NoTopH5File({ mirror: path.join(tmp, 'no-mirror'), cacheDir: path.join(tmp, 'no-cache') });
    assert.equal(h5.written, true);
    assert.match(h5.note, /Keras' VGG19 file is not on this machine, so .*vgg19_random_notop.h5 was written just now from a VGG19 with random weights/);
    const listing = await listH5Weights(h5.path);
    assert.deepEqual([listing.layerCount, listing.tensorCount, listing.parameterCount], [16, 32, 20024384]);
    h5.remove();
    assert.ok(!fs.existsSync(path.dirname(h5.path)));
  });

  it('names the missing folder, and what the caller passed instead of a model', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    await assert.rejects(saveKerasH5Weights(model, path.join(tmp, 'no', 'such', 'x.h5')),
      (err: Error) => err instanceof ModelError && /saveKerasH5Weights: folder '.*no\/such' does not exist; create it first/.test(err.message));
    await assert.rejects(saveKerasH5Weights({} as tf.LayersModel, path.join(tmp, 'x.h5')),
      /saveKerasH5Weights: argument 'model' must be a tf.LayersModel, received \[object Object\]/);
    await assert.rejects(openKerasH5(path.join(tmp, 'missing.h5')), /openKerasH5: weights file '.*missing.h5' does not exist/);
    model.dispose();
  });
});

describe('disposeModels', () => {
  it('frees models that share layers once each, and their optimizers, without the double-dispose error', async () => {
    await useWasm();
    const before = tf.memory().numTensors;
    const base = await VGG19({ includeTop: false, inputShape: [32, 32, 3] });
    const early = truncateAt(base, 'block2_pool');
    early.compile({ optimizer: tf.train.sgd(1e-4), loss: 'meanSquaredError' }); // sgd: tfjs' momentum optimizer leaks a scalar of its own
    assert.equal(disposeModels(base, early, undefined), 32);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(disposeModels(base), 0, 'a second call finds nothing left to free');
    assert.throws(() => disposeModels('model' as unknown as tf.LayersModel),
      /disposeModels\(\): argument 1 must be a tf.LayersModel or undefined, received model/);
  });
});
