import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MobileNet, ResNet50 } from '../../../src/models';
import { AssetError, ModelError } from '../../../src/errors';
import { isHdf5File, loadWeightsFromPath } from '../../../src/models/weights/pretrained';
import { resolveAsset } from '../../../src/assets';
import { MOBILENET_025_H5, useWasm } from '../helpers';

let tmp: string;

describe('weights: path (a tfjs model folder, its model.json, or a Keras .h5 file)', () => {
  before(async () => {
    await useWasm();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-weights-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('recognises HDF5 files by their signature', async () => {
    const text = path.join(tmp, 'not.h5');
    fs.writeFileSync(text, 'not an hdf5 file');
    assert.equal(isHdf5File(MOBILENET_025_H5), true);
    assert.equal(isHdf5File(text), false);
  });

  it('builds with weights from an .h5 path, a folder and a model.json path alike', async () => {
    const dir = await resolveAsset('mobilenet_v1_0.25_224');
    const models = [
      await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3], weights: MOBILENET_025_H5 }),
      await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3], weights: dir }),
      await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3], weights: path.join(dir, 'model.json') }),
    ];
    try {
      const kernels = models.map((m) => Array.from(m.getLayer('conv_pw_13').getWeights()[0].dataSync().slice(0, 5)));
      assert.deepEqual(kernels[1], kernels[0]);
      assert.deepEqual(kernels[2], kernels[0]);
    } finally {
      models.forEach((m) => m.dispose());
    }
  });

  it('rejects other files and folders without model.json', async () => {
    const model = await MobileNet({ alpha: 0.25, includeTop: false });
    const text = path.join(tmp, 'weights.txt');
    fs.writeFileSync(text, 'hello');
    try {
      await assert.rejects(loadWeightsFromPath(model, text, 'MobileNet'), /MobileNet: weights file '.*weights\.txt' is neither HDF5 \(Keras \.h5\) nor a tfjs model\.json/);
      await assert.rejects(loadWeightsFromPath(model, tmp, 'MobileNet'), /weights folder '.*' has no model\.json/);
    } finally {
      model.dispose();
    }
  });

  it("fails fast with resolveAsset's AssetError when Keras ImageNet weights are not available offline", async () => {
    const saved = { cache: process.env.TRANSFER_LAB_CACHE, offline: process.env.TRANSFER_LAB_OFFLINE };
    process.env.TRANSFER_LAB_CACHE = path.join(tmp, 'empty-cache');
    process.env.TRANSFER_LAB_OFFLINE = '1';
    const tensors = tf.memory().numTensors;
    try {
      await assert.rejects(ResNet50({ includeTop: false, weights: 'imagenet' }), (err: unknown) => {
        assert.ok(err instanceof AssetError);
        assert.match(err.message, /'keras_resnet50_no_top' is not in .* downloads are off/);
        return true;
      });
      assert.equal(tf.memory().numTensors, tensors, 'nothing was built');
    } finally {
      for (const [key, value] of [['TRANSFER_LAB_CACHE', saved.cache], ['TRANSFER_LAB_OFFLINE', saved.offline]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('disposes the built model when its weights do not fit', async () => {
    const tensors = tf.memory().numTensors;
    await assert.rejects(
      MobileNet({ alpha: 0.5, includeTop: false, weights: MOBILENET_025_H5 }),
      (err: unknown) => err instanceof ModelError && /layer 'conv1' .*\[3, 3, 3, 16\].*\[3, 3, 3, 8\]/.test(err.message),
    );
    assert.equal(tf.memory().numTensors, tensors);
  });
});
