import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import {
  compareStrategies,
  decisionRule,
  judgeComparison,
  recalibrateBatchNorm,
  scenarioCells,
  scenarioTable,
  textbookStrategies,
  wholeNetworkModel,
  type ScenarioResult,
  type StrategyComparison,
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
import { MobileNet } from '../../src/models';
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

/** A tiny base for the whole-network strategies (8x8 input, conv-BN-relu twice): 'imagenet' means fixed seeded weights, null fresh random ones. */
async function tinyWholeBase(weights: 'imagenet' | null): Promise<tf.LayersModel> {
  const init = () => (weights === 'imagenet' ? tf.initializers.glorotUniform({ seed: 7 }) : tf.initializers.glorotUniform({}));
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(), name: 'w1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'w1_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'w1_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(), name: 'w2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'w2_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'w2_relu' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'tiny_whole' });
}

/** A comparison with the given accuracies and trained weights, on `testImages` test images. */
function fakeComparison(scores: Record<string, [number, number]>, testImages = 100): StrategyComparison {
  return {
    trainImages: 10, testImages,
    scores: Object.fromEntries(Object.entries(scores).map(([s, [accuracy, trainableParams]]) =>
      [s, { accuracy, std: 0, runs: [accuracy], trainableParams, seconds: 1 }])),
  };
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
      perClass: 6, repeats: 2, headEpochs: 5, headMinSteps: 100, headLearningRate: 1e-2, fineTuneEpochs: 2, batchSize: 8,
      buildBase: tinyWholeBase, wholeNetworkEpochs: 3, wholeNetworkMinSteps: 5, wholeNetworkLearningRate: 1e-2,
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

  it('asks for buildBase when the whole-network strategies run, and checks its input size', async () => {
    await assert.rejects(compareStrategies(top, train, test, { perClass: 2, strategies: ['fromRandomInit'] }),
      /compareStrategies: fromPretrainedInit and fromRandomInit need options.buildBase/);
    const input = tf.input({ shape: [16, 16, 3] });
    const sized = async () => tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c16' }).apply(input) as tf.SymbolicTensor });
    await assert.rejects(compareStrategies(top, train, test, { perClass: 2, strategies: ['fromPretrainedInit'], buildBase: sized }),
      /buildBase\("imagenet"\) takes \[16,16,3\] but the pixels input is \[8,8,3\]/);
  });

  it('rejects cut activations that do not fit the top', async () => {
    const other = splitAt(base, 'c1_relu').top;
    await assert.rejects(compareStrategies(other, train, test, { perClass: 2 }), /compareStrategies: top '.*' takes \[8,8,4\] but the cut activations are \[4,4,8\]/);
  });
});

describe('wholeNetworkModel: the pretrained and the random start build the same network', () => {
  it('same layers, configs, weight shapes and new head; different base weights; everything but BatchNorm trains', async () => {
    const build = (weights: 'imagenet' | null) => MobileNet({ alpha: 0.25, includeTop: false, weights, inputShape: [32, 32, 3] });
    const pretrained = wholeNetworkModel(await build('imagenet'), 5, 3);
    const random = wholeNetworkModel(await build(null), 5, 3);
    const describeLayer = (l: tf.layers.Layer) => JSON.stringify({ ...l.getConfig(), name: l.name, trainable: undefined });
    assert.deepEqual(random.layers.map(describeLayer), pretrained.layers.map(describeLayer));
    assert.deepEqual(random.weights.map((w) => w.shape), pretrained.weights.map((w) => w.shape));
    const values = (m: tf.LayersModel, layer: string) => Array.from(m.getLayer(layer).getWeights()[0].dataSync());
    assert.deepEqual(values(random, 'whole_predictions'), values(pretrained, 'whole_predictions'), 'the same seeded head');
    assert.notDeepEqual(values(random, 'conv1'), values(pretrained, 'conv1'), 'the base starts from different weights');
    for (const m of [pretrained, random]) {
      assert.ok(m.layers.filter((l) => l.getClassName() === 'BatchNormalization').every((l) => !l.trainable));
      assert.ok(m.layers.filter((l) => l.weights.length > 0 && l.getClassName() !== 'BatchNormalization').every((l) => l.trainable));
    }
    pretrained.dispose();
    random.dispose();
  });
});

describe('recalibrateBatchNorm', () => {
  it('sets moving statistics so every BatchNorm output is standardised over the images, without leaking tensors', async () => {
    const model = wholeNetworkModel(await tinyWholeBase(null), 2);
    const images = tf.randomUniform([40, 8, 8, 3], 0, 5, 'float32', 3);
    const before = tf.memory().numTensors;
    assert.equal(recalibrateBatchNorm(model, images, 40), 2);
    assert.equal(tf.memory().numTensors, before);
    const probe = tf.model({ inputs: model.inputs, outputs: ['w1_bn', 'w2_bn'].map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
    const outs = probe.predict(images) as tf.Tensor[];
    for (const out of outs) {
      const { mean, variance } = tf.moments(out, [0, 1, 2]);
      for (const m of mean.dataSync()) assert.ok(Math.abs(m) < 1e-3, `mean ${m}`);
      for (const v of variance.dataSync()) assert.ok(Math.abs(v - 1) < 0.01, `variance ${v}`);
      tf.dispose([mean, variance]);
    }
    tf.dispose([...outs, images]);
    assert.ok(model.getLayer('w1_bn').trainable === false, 'BatchNorm is frozen again afterwards');
    model.dispose();
  });
});

describe('judgeComparison, scenarioTable and decisionRule', () => {
  it('ties strategies within two standard errors of the winner and picks the cheapest of them', () => {
    // Winner 0.8 on 100 images: standard error 0.04, so anything >= 0.72 ties.
    const v = judgeComparison(fakeComparison({ featureExtraction: [0.75, 100], earlyFeatures: [0.8, 5000], fineTune: [0.6, 90000], fromRandomInit: [0.2, 90000] }));
    assert.equal(v.winner, 'earlyFeatures');
    assert.equal(v.runnerUp, 'featureExtraction');
    assert.ok(Math.abs(v.standardError - 0.04) < 1e-9);
    assert.deepEqual(v.tied, ['earlyFeatures', 'featureExtraction']);
    assert.equal(v.firstChoice, 'featureExtraction');
    assert.equal(v.clearWin, false);
    const clear = judgeComparison(fakeComparison({ featureExtraction: [0.9, 100], fineTune: [0.7, 100] }));
    assert.equal(clear.clearWin, true);
    assert.deepEqual(clear.tied, ['featureExtraction']);
    assert.throws(() => judgeComparison(fakeComparison({ fineTune: [0.5, 1] })), /judgeComparison: need scores of at least 2 strategies to rank; received 1 \(fineTune\)/);
  });

  it('has one row per scenario and strategy, in curriculum order, and reads the rule off the numbers', () => {
    const inputs = (n: number): StrategyInputs => ({ cut: tf.zeros([n, 1, 1, 1]) as tf.Tensor4D, early: tf.zeros([n, 1, 1, 1]) as tf.Tensor4D, pixels: tf.zeros([n, 1, 1, 1]) as tf.Tensor4D, labels: [], classNames: [] });
    const data = { train: inputs(1), test: inputs(1) };
    const cells = scenarioCells({ similar: { name: 'flowers', ...data }, different: { name: 'digits', ...data } },
      { small: { perClass: 2, repeats: 3 }, large: { perClass: 20, repeats: 1 } });
    assert.deepEqual(cells.map((c) => [c.scenario, c.cell, c.perClass]),
      [[1, 'small · similar (flowers)', 2], [2, 'large · similar (flowers)', 20], [3, 'small · different (digits)', 2], [4, 'large · different (digits)', 20]]);
    const all = { featureExtraction: [0.7, 10], earlyFeatures: [0.5, 100], fineTune: [0.72, 1000], fromPretrainedInit: [0.9, 5000], fromRandomInit: [0.4, 5000] } as Record<string, [number, number]>;
    const results: ScenarioResult[] = cells.map((cell) => ({ cell, comparison: fakeComparison(all, 1000) }));
    const table = scenarioTable(results);
    assert.equal(table.length, 4 * EXPERIMENT_STRATEGIES.length);
    assert.deepEqual([...new Set(table.map((r) => r.scenario))],
      ['1 · small · similar (flowers)', '2 · large · similar (flowers)', '3 · small · different (digits)', '4 · large · different (digits)']);
    const row = table.find((r) => r.scenario.startsWith('4') && r.strategy === 'fromPretrainedInit')!;
    assert.equal(row['test accuracy'], '90.0%');
    assert.equal(row.verdict, 'best');
    assert.equal(row.textbook, 'yes');
    assert.equal(table.find((r) => r.scenario.startsWith('1') && r.strategy === 'featureExtraction')!.verdict, 'behind');
    const rule = decisionRule(results);
    assert.equal(rule.length, 5);
    assert.match(rule[0], /^Scenario 1, small · similar \(flowers\): fromPretrainedInit 90.0%, a clear win \(18.0 points ahead\); try first: fromPretrainedInit; curriculum's pick \(featureExtraction\) NOT confirmed; pretrained vs random start of the same network: \+50.0 points\.$/);
    assert.match(rule[3], /curriculum's pick \(fromPretrainedInit\) confirmed/);
    assert.equal(rule[4], "The curriculum's pick was the best or tied with it in 2 of 4 cells of this run.");
    assert.deepEqual(textbookStrategies('large', 'similar'), ['fineTune', 'fromPretrainedInit']);
    tf.dispose([data.train.cut, data.train.early, data.train.pixels, data.test.cut, data.test.early, data.test.pixels]);
  });
});
