import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { resolveAsset } from '../../src/assets';
import { MobileNet } from '../../src/models';
import { benchmarkZoo, imagenetAgreement, measureInferenceSpeed, OTHER_KERAS_MODELS } from '../../src/lessons/03_zoo';

before(async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
});

/** A tiny conv net with a fixed or free input size. */
function tinyNet(size: number | null): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled });
}

describe('measureInferenceSpeed', () => {
  it('times a model at its own input size and leaks no tensor', async () => {
    const model = tinyNet(16);
    const before = tf.memory().numTensors;
    const speed = await measureInferenceSpeed(model, { batchSize: 2, warmup: 1, repeats: 3 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(speed.inputSize, 16);
    assert.equal(speed.batchSize, 2);
    assert.ok(speed.msPerBatch > 0);
    assert.ok(Math.abs(speed.imagesPerSecond - 2000 / speed.msPerBatch) < 1e-9);
    model.dispose();
  });

  it('needs inputSize for a model that accepts any size, and checks its options', async () => {
    const model = tinyNet(null);
    await assert.rejects(measureInferenceSpeed(model), /measureInferenceSpeed: model '.*' has input shape \[null,null,null,3\]; pass inputSize/);
    await assert.rejects(measureInferenceSpeed(model, { inputSize: 8, repeats: 0 }), /repeats must be an integer >= 1; received repeats=0/);
    const speed = await measureInferenceSpeed(model, { inputSize: 8, batchSize: 1, repeats: 1 });
    assert.equal(speed.inputSize, 8);
    model.dispose();
  });
});

describe('benchmarkZoo', () => {
  it('counts MobileNetV2 as Keras does and measures the base at the requested size', async () => {
    const seen: string[] = [];
    const [row] = await benchmarkZoo({
      families: ['MobileNetV2'], speedInputSize: 32, batchSize: 1, warmup: 0, repeats: 1,
      onFamily: (name) => seen.push(name),
    });
    assert.deepEqual(seen, ['MobileNetV2']);
    assert.equal(row.paramsWithTop, 3_538_984);
    assert.equal(row.paramsNoTop, 2_257_984);
    assert.equal(row.topParams, 3_538_984 - 2_257_984);
    assert.equal(row.paramsWithTop, row.kerasParams);
    assert.equal(row.depth, row.kerasDepth); // 105 layers with weights
    assert.ok(row.layers > row.depth);
    assert.equal(row.speedInputSize, 32);
    assert.equal(row.inputSize, 224);
    assert.equal(row.preprocessMode, 'tf');
    assert.ok(row.imagesPerSecond > 0);
  });

  it('rejects unknown families and too small sizes', async () => {
    await assert.rejects(benchmarkZoo({ families: ['AlexNet' as 'VGG16'] }), /benchmarkZoo: unknown families \["AlexNet"\]/);
    await assert.rejects(benchmarkZoo({ speedInputSize: 16 }), /speedInputSize must be an integer >= 32; received speedInputSize=16/);
  });
});

describe('OTHER_KERAS_MODELS', () => {
  it('lists the four families the course describes without building', () => {
    assert.deepEqual(OTHER_KERAS_MODELS.map((m) => m.name), ['Xception', 'DenseNet121', 'NASNetMobile', 'EfficientNetB0']);
    for (const m of OTHER_KERAS_MODELS) assert.ok(m.top5 > m.top1 && m.top1 > 0.7 && m.top5 < 1);
  });
});

describe('imagenetAgreement', () => {
  it('counts how often pretrained MobileNet names real ant photos "ant"', async () => {
    const mobilenet = await MobileNet({ alpha: 0.25, weights: 'imagenet' });
    const root = await resolveAsset('hymenoptera_data');
    const r = await imagenetAgreement(mobilenet, path.join(root, 'val', 'ants'), 'ant', { limit: 6 });
    assert.equal(r.folder, 'ants');
    assert.equal(r.photos, 6);
    assert.ok(r.top1 <= r.top5 && r.top5 <= 6);
    assert.ok(r.top5 >= 3, `expected 'ant' in the top 5 for most ant photos, got ${r.top5}/6`);
    assert.equal(r.commonMistakes === '', r.top1 === 6);
    await assert.rejects(imagenetAgreement(mobilenet, root, 'sunflower'), /'sunflower' is not the first name of an ImageNet class/);
    await assert.rejects(imagenetAgreement(mobilenet, path.join(root, 'nope'), 'ant'), /cannot read the folder '.*nope'/);
    mobilenet.dispose();
  });
});
