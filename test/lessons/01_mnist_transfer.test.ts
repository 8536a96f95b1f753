import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import type { MnistData } from '../../src/data';
import { DataError, ModelError } from '../../src/errors';
import {
  accuracyOn,
  asPercent,
  compareCurvesFigure,
  compareSetups,
  DIGIT_CNN_BODY,
  digitCnn,
  digitTiles,
  fewShot,
  firstImages,
  gainsOverBaseline,
  labelledSet,
  shuffleLabels,
  silentFeatureFraction,
  summarizeRuns,
  trainDigits,
  transferDigitCnn,
  type SetupRun,
} from '../../src/lessons/01_mnist_transfer';

/**
 * A tiny MNIST-shaped dataset: `perDigit` images of each digit, each digit a bright square at its
 * own place (so a CNN can learn it in a few steps), with a little seeded noise.
 */
function fakeMnist(digits: number[], perDigit: number, seed = 0): MnistData {
  const labels: number[] = [];
  for (let k = 0; k < perDigit; k++) labels.push(...digits);
  const xs = tf.tidy(() => {
    const noise = tf.randomUniform([labels.length, 28, 28, 1], 0, 0.2, 'float32', seed);
    const marks = tf.buffer([labels.length, 28, 28, 1]);
    labels.forEach((d, i) => {
      const k = digits.indexOf(d);
      for (let r = 4; r < 12; r++) for (let c = 3 + 6 * k; c < 8 + 6 * k; c++) marks.set(1, i, r, c % 28, 0);
    });
    return noise.add(marks.toTensor()).clipByValue(0, 1) as tf.Tensor4D;
  });
  return { xs, ys: tf.tensor1d(labels.map((d) => digits.indexOf(d)), 'int32'), labels, digits: [...digits] };
}

const weightsOf = (model: tf.LayersModel, layer: string) => model.getLayer(layer).getWeights().map((w) => Array.from(w.dataSync()));

before(async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
});

describe('digitCnn', () => {
  it('has the documented layers and parameter counts', () => {
    const model = digitCnn();
    assert.deepEqual(model.layers.map((l) => l.name), ['conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'flatten', 'head']);
    const body = DIGIT_CNN_BODY.reduce((sum, name) => sum + model.getLayer(name).countParams(), 0);
    assert.equal(body, 5_888);
    assert.equal(model.getLayer('head').countParams(), 1_445);
    assert.deepEqual(model.outputs[0].shape, [null, 5]);
    model.dispose();
  });

  it('draws the same initial weights for the same seed, other weights for another', () => {
    const a = digitCnn({ seed: 3 }), b = digitCnn({ seed: 3 }), c = digitCnn({ seed: 4 });
    assert.deepEqual(weightsOf(a, 'conv2'), weightsOf(b, 'conv2'));
    assert.notDeepEqual(weightsOf(a, 'conv2'), weightsOf(c, 'conv2'));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('rejects a bad numClasses or filters with a message naming the value', () => {
    assert.throws(() => digitCnn({ numClasses: 1 }), (e: Error) => e instanceof ModelError && /digitCnn: numClasses .* received 1/.test(e.message));
    assert.throws(() => digitCnn({ filters: [8, 0, 32] }), /digitCnn: filters .* \[8,0,32\]/);
  });
});

describe('transferDigitCnn', () => {
  it('copies the body, builds a new head, freezes the body, and leaves the source alone', () => {
    const source = digitCnn({ seed: 9, numClasses: 5 });
    const before = weightsOf(source, 'conv3');
    const target = transferDigitCnn(source, { seed: 1, numClasses: 3 });
    for (const name of DIGIT_CNN_BODY) {
      assert.deepEqual(weightsOf(target, name), weightsOf(source, name));
      assert.equal(target.getLayer(name).trainable, false);
    }
    assert.deepEqual(target.outputs[0].shape, [null, 3]);
    assert.equal(target.getLayer('head').trainable, true);
    assert.equal(target.trainableWeights.reduce((n, w) => n + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0), 288 * 3 + 3);
    // The copy is a copy: changing the target's body must not change the source.
    target.getLayer('conv3').setWeights(target.getLayer('conv3').getWeights().map((w) => tf.zerosLike(w)));
    assert.deepEqual(weightsOf(source, 'conv3'), before);
    source.dispose();
    target.dispose();
  });

  it('keeps the body trainable with freezeBody: false and copies the filter counts', () => {
    const source = digitCnn({ filters: [4, 6, 10] });
    const target = transferDigitCnn(source, { freezeBody: false });
    assert.ok(target.layers.every((l) => l.trainable));
    assert.equal(target.getLayer('flatten').outputShape[1], 3 * 3 * 10);
    source.dispose();
    target.dispose();
  });

  it('names the missing layer when the source is not a digitCnn', () => {
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'd' })] });
    assert.throws(() => transferDigitCnn(other), (e: Error) => e instanceof ModelError && /no layer 'conv1' \(it has d\)/.test(e.message));
    other.dispose();
  });
});

describe('fewShot, labelledSet, shuffleLabels, firstImages, digitTiles', () => {
  it('fewShot draws perClass images of each class, seeded, in mixed order', () => {
    const data = fakeMnist([5, 6, 7], 6);
    const a = fewShot(data, 2, 1), b = fewShot(data, 2, 1), c = fewShot(data, 2, 2);
    assert.equal(a.classes.length, 6);
    for (const k of [0, 1, 2]) assert.equal(a.classes.filter((x) => x === k).length, 2);
    assert.deepEqual(Array.from(a.xs.dataSync()), Array.from(b.xs.dataSync()));
    assert.notDeepEqual(Array.from(a.xs.dataSync()), Array.from(c.xs.dataSync()));
    assert.deepEqual(a.ys.argMax(-1).arraySync(), a.classes);
    assert.notDeepEqual(a.classes, [0, 0, 1, 1, 2, 2]);
    tf.dispose([data.xs, data.ys, a.xs, a.ys, b.xs, b.ys, c.xs, c.ys]);
  });

  it('fewShot refuses more images per class than there are', () => {
    const data = fakeMnist([5, 6], 3);
    assert.throws(() => fewShot(data, 4), (e: Error) => e instanceof DataError && /digit 5 has only 3 images, fewer than perClass \(4\)/.test(e.message));
    assert.throws(() => fewShot(data, 0), /perClass must be a positive integer; received 0/);
    tf.dispose([data.xs, data.ys]);
  });

  it('labelledSet shares xs and one-hot encodes the classes', () => {
    const data = fakeMnist([1, 2, 3], 2);
    const set = labelledSet(data);
    assert.equal(set.xs, data.xs);
    assert.deepEqual(set.ys.shape, [6, 3]);
    assert.deepEqual(set.ys.argMax(-1).arraySync(), set.classes);
    tf.dispose([data.xs, data.ys, set.ys]);
  });

  it('shuffleLabels permutes the labels (same counts, seeded) and keeps the images', () => {
    const data = fakeMnist([0, 1, 2, 3, 4], 8);
    const set = labelledSet(data);
    const a = shuffleLabels(set, 7), b = shuffleLabels(set, 7);
    assert.deepEqual(a.classes, b.classes);
    assert.notDeepEqual(a.classes, set.classes);
    assert.deepEqual([...a.classes].sort(), [...set.classes].sort());
    assert.deepEqual(a.ys.argMax(-1).arraySync(), a.classes);
    assert.deepEqual(Array.from(a.xs.dataSync()), Array.from(set.xs.dataSync()));
    assert.notEqual(a.xs, set.xs);
    tf.dispose([data.xs, data.ys, set.ys, a.xs, a.ys, b.xs, b.ys]);
  });

  it('firstImages and digitTiles take the first images, titled with their digit', () => {
    const data = fakeMnist([5, 6], 3);
    const set = labelledSet(data);
    const head = firstImages(set, 4);
    assert.deepEqual(head.xs.shape, [4, 28, 28, 1]);
    assert.deepEqual(head.classes, set.classes.slice(0, 4));
    const tiles = digitTiles(set, data.digits, 3);
    assert.deepEqual(tiles.map((t) => t.title), ['5', '6', '5']);
    assert.equal(tiles[0].data.length, 784);
    tf.dispose([data.xs, data.ys, set.ys, head.xs, head.ys]);
  });
});

describe('training and measuring', () => {
  it('trainDigits learns an easy task and repeats exactly with the same seed', async () => {
    const data = fakeMnist([0, 1, 2], 10);
    const set = labelledSet(data);
    const run = async () => {
      const model = digitCnn({ seed: 2, numClasses: 3 });
      const history = await trainDigits(model, set, { epochs: 8, learningRate: 1e-2, batchSize: 10, validation: set });
      const acc = accuracyOn(model, set);
      model.dispose();
      return { history, acc };
    };
    const first = await run(), second = await run();
    assert.equal(first.history.epoch.length, 8);
    assert.ok(first.history.history.val_acc.length === 8);
    assert.deepEqual(first.history.history.loss, second.history.history.loss);
    assert.ok(first.acc > 0.9, `accuracy ${first.acc}`);
    assert.equal(first.acc, first.history.history.val_acc[7]);
    tf.dispose([data.xs, data.ys, set.ys]);
  });

  it('trainDigits continues a history (epochs keep counting) and rejects bad epochs', async () => {
    const data = fakeMnist([0, 1], 4);
    const set = labelledSet(data);
    const model = digitCnn({ numClasses: 2 });
    const h1 = await trainDigits(model, set, { epochs: 2 });
    const h2 = await trainDigits(model, set, { epochs: 3, history: h1, learningRate: 1e-3 });
    assert.deepEqual(h2.epoch, [0, 1, 2, 3, 4]);
    assert.deepEqual(h2.phases.map((p) => p.startEpoch), [0, 2]);
    await assert.rejects(trainDigits(model, set, { epochs: 0 }), /trainDigits: epochs must be a positive integer; received 0/);
    model.dispose();
    tf.dispose([data.xs, data.ys, set.ys]);
  });

  it('silentFeatureFraction counts features that never fire', () => {
    const data = fakeMnist([0, 1], 3);
    const model = digitCnn({ numClasses: 2 });
    const normal = silentFeatureFraction(model, data.xs);
    assert.ok(normal >= 0 && normal < 1);
    const [kernel, bias] = model.getLayer('conv3').getWeights();
    model.getLayer('conv3').setWeights([kernel, tf.fill(bias.shape, -1e3)]);
    assert.equal(silentFeatureFraction(model, data.xs), 1);
    model.dispose();
    tf.dispose([data.xs, data.ys]);
  });
});

describe('compareSetups, summarizeRuns, gainsOverBaseline', () => {
  it('runs every setup per seed on the same images and disposes its models', async () => {
    const target = fakeMnist([5, 6, 7], 6);
    const test = labelledSet(fakeMnist([5, 6, 7], 4, 1));
    const source = digitCnn({ seed: 5, numClasses: 3 });
    const tensorsBefore = tf.memory().numTensors;
    const runs = await compareSetups(
      [
        { name: 'scratch' },
        { name: 'frozen', source, learningRate: 1e-2 },
        { name: 'tuned', source, fineTune: { afterEpochs: 1, learningRate: 1e-3 } },
      ],
      target, test, { perClass: 2, seeds: [1, 2], epochs: 2 },
    );
    assert.deepEqual(runs.map((r) => `${r.setup}/${r.seed}`), ['scratch/1', 'frozen/1', 'tuned/1', 'scratch/2', 'frozen/2', 'tuned/2']);
    assert.ok(runs.every((r) => r.accuracy >= 0 && r.accuracy <= 1));
    assert.equal(tf.memory().numTensors, tensorsBefore);
    // The source's body is copied, never trained.
    assert.deepEqual(weightsOf(source, 'conv1'), weightsOf(digitCnn({ seed: 5, numClasses: 3 }), 'conv1'));
    await assert.rejects(
      compareSetups([{ name: 'bad', source, fineTune: { afterEpochs: 2 } }], target, test, { perClass: 1, seeds: [1], epochs: 2 }),
      /setup 'bad': fineTune.afterEpochs must be an integer in 1..1; received 2/,
    );
    source.dispose();
    tf.dispose([target.xs, target.ys, test.xs, test.ys]);
  });

  it('summarizes and compares runs with the first setup as baseline', () => {
    const runs: SetupRun[] = [
      { setup: 'scratch', seed: 1, accuracy: 0.7 },
      { setup: 'transfer', seed: 1, accuracy: 0.8 },
      { setup: 'scratch', seed: 2, accuracy: 0.8 },
      { setup: 'transfer', seed: 2, accuracy: 0.75 },
    ];
    const [scratch, transfer] = summarizeRuns(runs);
    assert.equal(scratch.setup, 'scratch');
    assert.ok(Math.abs(scratch.mean - 0.75) < 1e-12);
    assert.deepEqual([transfer.min, transfer.max, transfer.runs], [0.75, 0.8, 2]);
    assert.deepEqual(gainsOverBaseline(runs), [{ setup: 'transfer', 'points vs baseline': 2.5, 'better on seeds': '1 of 2' }]);
    assert.throws(() => gainsOverBaseline(runs, 'none'), /no run of baseline setup 'none' \(setups: scratch, transfer\)/);
    assert.equal(asPercent(0.85312), '85.3%');
  });
});

describe('compareCurvesFigure', () => {
  const history = { epoch: [0, 1, 2], history: { acc: [0.5, 0.8, 1], val_acc: [0.4, 0.6, 0.7] } };

  it('draws each run in one colour, test accuracy solid and training accuracy dashed', () => {
    const fig = compareCurvesFigure([{ name: 'a', history }, { name: 'b', history }]);
    assert.equal(fig.data.length, 4);
    const [a1, a2, b1] = fig.data as { x: number[]; line: { color: string; dash: string } }[];
    assert.deepEqual(a1.x, [1, 2, 3]);
    assert.equal(a1.line.color, a2.line.color);
    assert.notEqual(a1.line.color, b1.line.color);
    assert.deepEqual([a1.line.dash, a2.line.dash], ['solid', 'dash']);
    assert.equal(compareCurvesFigure([{ name: 'a', history }], { secondary: null }).data.length, 1);
  });

  it('names the run and the metrics it has when a metric is missing', () => {
    assert.throws(
      () => compareCurvesFigure([{ name: 'x', history: { epoch: [0], history: { acc: [1] } } }]),
      (e: Error) => e instanceof DataError && /run 'x' has no metric 'val_acc' \(it has acc\)/.test(e.message),
    );
  });
});
