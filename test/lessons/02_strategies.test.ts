import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import {
  compareStrategies,
  disposeStrategyInputs,
  EXPERIMENT_STRATEGIES,
  extractStrategyInputs,
  gridPoolModel,
  nearestNeighbourAccuracy,
  pixelModel,
  previewImages,
  selectRows,
  takePerClass,
  tensorImageSource,
  type StrategyInputs,
} from '../../src/lessons/02_strategies';
import { splitAt, truncateAt } from '../../src/transfer';

let cacheDir: string;

before(async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
  cacheDir = mkdtempSync(path.join(tmpdir(), 'tl-lesson02-'));
});

after(() => rmSync(cacheDir, { recursive: true, force: true }));

/** n images per class, [0,1] RGB: class 0 reddish, class 1 bluish, with noise so rows differ. */
function colourImages(perClass: number, size: number, seed: number): { xs: tf.Tensor4D; labels: number[] } {
  return tf.tidy(() => {
    const labels = Array.from({ length: 2 * perClass }, (_, i) => i % 2);
    const base = tf.tensor2d(labels.map((c) => (c === 0 ? [0.8, 0.2, 0.2] : [0.2, 0.2, 0.8])), [labels.length, 3]);
    const noise = tf.randomUniform([labels.length, size, size, 3], -0.15, 0.15, 'float32', seed);
    const xs = tf.clipByValue(base.reshape([labels.length, 1, 1, 3]).add(noise), 0, 1) as tf.Tensor4D;
    return { xs, labels };
  });
}

/** A tiny "pretrained base" with MobileNet-like names: early stage, a cut with BatchNorm, a top stage. */
function tinyBase(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  const conv = (filters: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
  let x = conv(4, 'c1').apply(input) as tf.SymbolicTensor; // 8x8x4
  x = tf.layers.reLU({ name: 'c1_relu' }).apply(x) as tf.SymbolicTensor;
  x = conv(8, 'c2').apply(x) as tf.SymbolicTensor; // 4x4x8
  x = tf.layers.reLU({ name: 'c2_relu' }).apply(x) as tf.SymbolicTensor;
  x = conv(8, 'c3').apply(x) as tf.SymbolicTensor; // 2x2x8
  x = tf.layers.batchNormalization({ name: 'c3_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'c3_relu' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny_base' });
}

describe('takePerClass', () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 0, 0];
  it('takes at most perClass rows of each class, sorted, the same for the same seed', () => {
    const rows = takePerClass(labels, 2, 7);
    assert.deepEqual(rows, [...rows].sort((a, b) => a - b));
    for (const c of [0, 1, 2]) assert.equal(rows.filter((r) => labels[r] === c).length, 2);
    assert.deepEqual(takePerClass(labels, 2, 7), rows);
    const seeds = new Set([0, 1, 2, 3, 4, 5].map((seed) => JSON.stringify(takePerClass(labels, 2, seed))));
    assert.ok(seeds.size > 1, 'different seeds should draw different subsets');
  });
  it('returns every row of a class that has fewer than perClass', () => {
    const rows = takePerClass(labels, 4, 0);
    assert.equal(rows.filter((r) => labels[r] === 2).length, 2);
    assert.equal(rows.filter((r) => labels[r] === 0).length, 4);
  });
  it('rejects a perClass below 1', () => {
    assert.throws(() => takePerClass(labels, 0), /takePerClass: perClass must be an integer >= 1; received 0/);
  });
});

describe('nearestNeighbourAccuracy', () => {
  it('is 1 for well separated classes and 0 when every neighbour has the other label', () => {
    assert.equal(nearestNeighbourAccuracy([[0], [0.1], [5], [5.2]], [0, 0, 1, 1]), 1);
    assert.equal(nearestNeighbourAccuracy([[0], [0.1], [5], [5.2]], [0, 1, 0, 1]), 0);
  });
  it('names the problem when labels do not match the rows', () => {
    assert.throws(() => nearestNeighbourAccuracy([[0], [1]], [0]), /nearestNeighbourAccuracy: .* 2 rows and 1 labels/);
  });
});

describe('tensorImageSource', () => {
  it('resizes grey images to RGB batches in [-1, 1] with one-hot labels and row paths', async () => {
    const xs = tf.tidy(() => tf.linspace(0, 1, 5 * 6 * 6).reshape([5, 6, 6, 1]) as tf.Tensor4D);
    const source = tensorImageSource(xs, [0, 1, 2, 1, 0], { id: 'grey', classNames: ['a', 'b', 'c'], targetSize: [8, 8], batchSize: 2 });
    assert.equal(source.samples, 5);
    assert.deepEqual(source.filepaths, ['grey/0', 'grey/1', 'grey/2', 'grey/3', 'grey/4']);
    const sizes: number[] = [];
    for await (const batch of source.batches()) {
      sizes.push(batch.xs.shape[0]);
      assert.deepEqual(batch.xs.shape.slice(1), [8, 8, 3]);
      const [min, max] = [batch.xs.min().dataSync()[0], batch.xs.max().dataSync()[0]];
      assert.ok(min >= -1 - 1e-5 && max <= 1 + 1e-5, `values ${min}..${max} outside [-1, 1]`);
      const channels = tf.split(batch.xs, 3, 3);
      assert.deepEqual(await channels[0].data(), await channels[2].data(), 'the grey channel is copied to R, G and B');
      assert.deepEqual(batch.ys?.shape, [batch.xs.shape[0], 3]);
      tf.dispose([batch.xs, batch.ys!, ...channels]);
    }
    assert.deepEqual(sizes, [2, 2, 1]);
    xs.dispose();
  });
  it('rejects labels that do not match the images', () => {
    const xs = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    assert.throws(() => tensorImageSource(xs, [0], { id: 'x', classNames: ['a'], targetSize: [4, 4] }), /tensorImageSource: 2 images but 1 labels/);
    assert.throws(() => tensorImageSource(xs, [0, 3], { id: 'x', classNames: ['a', 'b'], targetSize: [4, 4] }), /label 3 is not a class index/);
    xs.dispose();
  });
});

describe('gridPoolModel and pixelModel', () => {
  it('pools a conv output to about grid x grid cells', () => {
    const base = tinyBase();
    assert.deepEqual(gridPoolModel(truncateAt(base, 'c1_relu'), 2).outputs[0].shape, [null, 2, 2, 4]);
    assert.deepEqual(gridPoolModel(truncateAt(base, 'c1_relu'), 3).outputs[0].shape, [null, 4, 4, 4]); // pool 2 on 8x8
    assert.throws(() => gridPoolModel(base, 0), /gridPoolModel: grid must be an integer >= 1; received 0/);
  });
  it('averages blocks of pixels and rejects sizes that do not divide', () => {
    const model = pixelModel(4, 2, 1);
    const x = tf.tensor4d([1, 3, 0, 0, 5, 7, 0, 0, 2, 2, 4, 4, 2, 2, 4, 4], [1, 4, 4, 1]);
    const y = model.predict(x) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), [4, 0, 2, 4]);
    tf.dispose([x, y]);
    assert.throws(() => pixelModel(96, 40), /pixelModel: inputSize must be a multiple of outputSize; received 96 and 40/);
  });
});

describe('extractStrategyInputs and compareStrategies', () => {
  let base: tf.LayersModel;
  let top: tf.LayersModel;
  let train: StrategyInputs;
  let test: StrategyInputs;

  before(async () => {
    base = tinyBase();
    const split = splitAt(base, 'c2_relu');
    top = split.top;
    const models = { bottom: split.bottom, early: gridPoolModel(truncateAt(base, 'c1_relu'), 2), pixels: pixelModel(16, 8) };
    const trainData = colourImages(12, 16, 1);
    const testData = colourImages(10, 16, 2);
    const options = { classNames: ['red', 'blue'], targetSize: [16, 16] as [number, number] };
    train = await extractStrategyInputs(models, tensorImageSource(trainData.xs, trainData.labels, { id: 'colour-train', ...options }), { cacheDir });
    test = await extractStrategyInputs(models, tensorImageSource(testData.xs, testData.labels, { id: 'colour-test', ...options }), { cacheDir });
    // A second extraction reads the cache and returns the same values.
    const again = await extractStrategyInputs(models, tensorImageSource(trainData.xs, trainData.labels, { id: 'colour-train', ...options }), { cacheDir });
    assert.deepEqual(await again.cut.data(), await train.cut.data());
    disposeStrategyInputs(again);
    tf.dispose([trainData.xs, testData.xs]);
  });

  after(() => {
    disposeStrategyInputs(train);
    disposeStrategyInputs(test);
  });

  it('caches each of the three inputs and keeps labels in row order', () => {
    assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.json')).length, 6);
    assert.deepEqual(train.cut.shape, [24, 4, 4, 8]);
    assert.deepEqual(train.early.shape, [24, 2, 2, 4]);
    assert.deepEqual(train.pixels.shape, [24, 8, 8, 3]);
    assert.deepEqual(train.labels.slice(0, 4), [0, 1, 0, 1]);
  });

  it('selectRows and previewImages pick rows with their labels', () => {
    const picked = selectRows(train, [1, 2]);
    assert.deepEqual(picked.labels, [1, 0]);
    assert.deepEqual(picked.cut.shape, [2, 4, 4, 8]);
    disposeStrategyInputs(picked);
    const preview = previewImages(train, 5);
    assert.deepEqual(preview.map((p) => p.title), ['red', 'blue']);
    assert.equal(preview[0].data.length, 8 * 8 * 3);
  });

  it('scores every strategy, leaves the top unchanged and frozen, and leaks no tensors', async () => {
    const before = top.weights.map((w) => Array.from(w.read().dataSync()));
    const tensorsBefore = tf.memory().numTensors;
    const runs: string[] = [];
    const result = await compareStrategies(top, train, test, {
      perClass: 6, repeats: 2, headEpochs: 5, headMinSteps: 100, headLearningRate: 1e-2, fineTuneEpochs: 2, scratchEpochs: 5, batchSize: 8,
      onRun: (r) => runs.push(`${r.strategy}:${r.repeat}`),
    });
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.equal(result.trainImages, 12);
    assert.equal(result.testImages, 20);
    assert.equal(runs.length, 2 * EXPERIMENT_STRATEGIES.length);
    for (const s of EXPERIMENT_STRATEGIES) {
      const score = result.scores[s]!;
      assert.equal(score.runs.length, 2);
      assert.ok(score.accuracy >= 0 && score.accuracy <= 1 && score.std >= 0);
      assert.ok(score.trainableParams > 0);
    }
    // Red vs blue is trivial for heads on features of the colours.
    assert.ok(result.scores.featureExtraction!.accuracy >= 0.9, `featureExtraction ${result.scores.featureExtraction!.accuracy}`);
    assert.ok(result.scores.earlyFeatures!.accuracy >= 0.9, `earlyFeatures ${result.scores.earlyFeatures!.accuracy}`);
    top.weights.forEach((w, i) => assert.deepEqual(Array.from(w.read().dataSync()), before[i], `${w.name} changed`));
    assert.equal(top.trainableWeights.length, 0);
  });

  it('rejects cut activations that do not fit the top', async () => {
    const other = splitAt(base, 'c1_relu').top;
    await assert.rejects(compareStrategies(other, train, test, { perClass: 2 }), /compareStrategies: top '.*' takes \[8,8,4\] but the cut activations are \[4,4,8\]/);
  });
});
