import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MobileNet, loadKerasH5Weights, preprocessInput } from '../../../src/models';
import { loadLayersModelFromDir, resolveAsset } from '../../../src/assets';
import { ModelError } from '../../../src/errors';
import { ANTS, MOBILENET_025_H5, loadPhoto, maxAbsDiff, useWasm } from '../helpers';
import { FixtureLayer, writeKerasH5 } from './h5_fixture';

let tmp: string;

/** A tiny functional model whose layer names we choose. */
function tinyModel(names: { conv: string; bn: string; dense: string }): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: names.conv }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: names.bn }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 2, name: names.dense }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

const ramp = (n: number, start: number) => Float32Array.from({ length: n }, (_, i) => start + i / 100);

/** Keras-layout layers for tinyModel, with distinct values, under the given file names. */
function fixtureLayers(conv: string, bn: string, dense: string): FixtureLayer[] {
  return [
    { name: 'input_1', weights: [] },
    { name: conv, weights: [
      { name: `${conv}/kernel:0`, shape: [3, 3, 3, 4], values: ramp(108, 1) },
      { name: `${conv}/bias:0`, shape: [4], values: ramp(4, 2) },
    ] },
    { name: bn, weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w, i) => ({ name: `${bn}/${w}:0`, shape: [4], values: ramp(4, 3 + i) })) },
    { name: 'gap', weights: [] },
    { name: dense, weights: [
      { name: `${dense}/kernel:0`, shape: [4, 2], values: ramp(8, 7) },
      { name: `${dense}/bias:0`, shape: [2], values: ramp(2, 8) },
    ] },
  ];
}

function firstValue(model: tf.LayersModel, layer: string, weight = 0): number {
  return model.getLayer(layer).getWeights()[weight].dataSync()[0];
}

describe('loadKerasH5Weights', () => {
  before(async () => {
    await useWasm();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-h5-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads the Keras MobileNet 0.25 no-top .h5 so outputs equal the tfjs model at conv_pw_13_relu (< 1e-4)', async () => {
    const model = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
    const tfjs = await loadLayersModelFromDir(await resolveAsset('mobilenet_v1_0.25_224'));
    const truncated = tf.model({ inputs: tfjs.inputs, outputs: tfjs.getLayer('conv_pw_13_relu').output as tf.SymbolicTensor });
    try {
      const report = await loadKerasH5Weights(model, MOBILENET_025_H5);
      assert.equal(report.loaded.length, 54, '27 conv + 27 BN layers');
      assert.deepEqual(report.skipped, []);
      const photo = await loadPhoto(path.join(ANTS, fs.readdirSync(ANTS).sort()[0]));
      const x = preprocessInput(photo, 'tf');
      const [a, b] = [model.predict(x) as tf.Tensor, truncated.predict(x) as tf.Tensor];
      assert.deepEqual(a.shape, [1, 7, 7, 256]);
      assert.ok(b.abs().max().dataSync()[0] > 0.5, 'a real activation map, not zeros');
      assert.ok(maxAbsDiff(a, b) < 1e-4, `max abs diff ${maxAbsDiff(a, b)}`);
      tf.dispose([photo, x, a, b]);
    } finally {
      model.dispose();
      tfjs.dispose();
    }
  });

  it('names the first mismatching layer and both shapes (0.25 file into alpha 0.5), leaving the model untouched', async () => {
    const model = await MobileNet({ alpha: 0.5, includeTop: false, inputShape: [224, 224, 3] });
    try {
      const before = firstValue(model, 'conv1');
      await assert.rejects(loadKerasH5Weights(model, MOBILENET_025_H5), (err: unknown) => {
        assert.ok(err instanceof ModelError);
        assert.match(
          err.message,
          /^loadKerasH5Weights: layer 'conv1' weight 'conv1\/kernel' expects shape \[3, 3, 3, 16\] but '.*mobilenet_2_5_224_tf_no_top\.h5' layer 'conv1' has 'conv1\/kernel:0' with shape \[3, 3, 3, 8\]/,
        );
        return true;
      });
      assert.equal(firstValue(model, 'conv1'), before);
      const report = await loadKerasH5Weights(model, MOBILENET_025_H5, { skipMismatch: true });
      assert.equal(report.loaded.length, 0);
      assert.equal(report.skipped[0].layer, 'conv1');
    } finally {
      model.dispose();
    }
  });

  it('requires every model layer with weights to be in the file, unless skipMismatch', async () => {
    const model = await MobileNet({ alpha: 0.25, includeTop: true });
    try {
      await assert.rejects(loadKerasH5Weights(model, MOBILENET_025_H5), /layer 'conv_preds' \(Conv2D\) has no layer of that name in '.*\.h5'/);
      const report = await loadKerasH5Weights(model, MOBILENET_025_H5, { skipMismatch: true });
      assert.equal(report.loaded.length, 54);
      assert.deepEqual(report.skipped.map((s) => s.layer), ['conv_preds']);
    } finally {
      model.dispose();
    }
  });

  it('reads full-model files (model_weights group) and assigns the values weight by weight', async () => {
    const file = path.join(tmp, 'full.h5');
    await writeKerasH5(file, fixtureLayers('conv2d', 'batch_normalization', 'dense'), { fullModel: true });
    const model = tinyModel({ conv: 'conv2d', bn: 'batch_normalization', dense: 'dense' });
    try {
      const report = await loadKerasH5Weights(model, file);
      assert.deepEqual(report.loaded, ['conv2d', 'batch_normalization', 'dense']);
      assert.ok(Math.abs(firstValue(model, 'conv2d', 0) - 1) < 1e-6);
      assert.ok(Math.abs(firstValue(model, 'conv2d', 1) - 2) < 1e-6);
      const bn = model.getLayer('batch_normalization').getWeights().map((w) => w.dataSync()[0]);
      assert.deepEqual(bn.map((v) => Math.round(v)), [3, 4, 5, 6], 'gamma, beta, moving mean, moving variance in order');
      assert.ok(Math.abs(firstValue(model, 'dense', 1) - 8) < 1e-6);
    } finally {
      model.dispose();
    }
  });

  it("maps Keras 2.0's 1-based auto names and ResNet50's old names to today's", async () => {
    const shifted = path.join(tmp, 'keras20.h5');
    await writeKerasH5(shifted, fixtureLayers('conv2d_1', 'batch_normalization_1', 'dense_1'));
    const a = tinyModel({ conv: 'conv2d', bn: 'batch_normalization', dense: 'dense' });
    const legacy = path.join(tmp, 'resnet_legacy.h5');
    await writeKerasH5(legacy, fixtureLayers('res2a_branch2a', 'bn2a_branch2a', 'fc1000'));
    const b = tinyModel({ conv: 'conv2_block1_1_conv', bn: 'conv2_block1_1_bn', dense: 'predictions' });
    try {
      assert.deepEqual((await loadKerasH5Weights(a, shifted)).loaded, ['conv2d', 'batch_normalization', 'dense']);
      assert.ok(Math.abs(firstValue(a, 'conv2d') - 1) < 1e-6);
      assert.deepEqual((await loadKerasH5Weights(b, legacy)).loaded, ['conv2_block1_1_conv', 'conv2_block1_1_bn', 'predictions']);
      assert.ok(Math.abs(firstValue(b, 'predictions') - 7) < 1e-6);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('loads by position with byName: false, checking the layer count', async () => {
    const file = path.join(tmp, 'other_names.h5');
    await writeKerasH5(file, fixtureLayers('c', 'n', 'd'));
    const model = tinyModel({ conv: 'x1', bn: 'x2', dense: 'x3' });
    try {
      await assert.rejects(loadKerasH5Weights(model, file), /layer 'x1' \(Conv2D\) has no layer of that name in .* \('c', 'n', 'd'\)/);
      assert.deepEqual((await loadKerasH5Weights(model, file, { byName: false })).loaded, ['x1', 'x2', 'x3']);
      const big = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
      await assert.rejects(loadKerasH5Weights(big, file, { byName: false }), /by position, the model has 54 layers with weights but .* has 3/);
      big.dispose();
    } finally {
      model.dispose();
    }
  });

  it('explains files that are missing or not Keras weights', async () => {
    const model = tinyModel({ conv: 'c', bn: 'n', dense: 'd' });
    const notKeras = path.join(tmp, 'plain.h5');
    const h5 = await (new Function('s', 'return import(s)') as (s: string) => Promise<typeof import('h5wasm')>)('h5wasm/node');
    await h5.ready;
    const f = new h5.File(notKeras, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array([1, 2]) });
    f.close();
    try {
      await assert.rejects(loadKerasH5Weights(model, path.join(tmp, 'missing.h5')), /weights file '.*missing\.h5' does not exist/);
      await assert.rejects(loadKerasH5Weights(model, notKeras), /is not a Keras weights file \(no 'layer_names' attribute/);
    } finally {
      model.dispose();
    }
  });
});
