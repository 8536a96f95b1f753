import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { flowFromDirectory } from '../../src/data';
import { predictDataset, topMisclassified, type EvalBatch, type PredictionResult } from '../../src/evaluate/predict';
import { ModelError } from '../../src/errors';
import { makeImageFolder, tempDir } from '../train/helpers';

const tmp = tempDir('transfer-lab-evaluate-');
after(tmp.cleanup);

before(async () => {
  await tf.setBackend('cpu');
});

/** Softmax over 10 * x: predicts the index of the largest of the 3 features. */
function argmaxModel(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'softmax', useBias: false, inputShape: [3] })] });
  model.setWeights([tf.tidy(() => tf.mul(tf.eye(3), 10))]);
  return model;
}

const rows = [
  [1, 0, 0], // 0
  [0, 1, 0], // 1
  [0, 0, 1], // 2
  [0.9, 0, 0], // 0
  [0, 0, 0.2], // 2, less sure
];

test('tensors: probabilities, argmax predictions and one-hot targets, batch by batch without leaks', async () => {
  const model = argmaxModel();
  const x = tf.tensor2d(rows);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 0], 'int32'), 3);
  const before = tf.memory().numTensors;
  const result = await predictDataset(model, { x, y }, { batchSize: 2 });
  assert.equal(tf.memory().numTensors, before, 'every batch and prediction disposed');
  assert.deepEqual(result.yPred, [0, 1, 2, 0, 2]);
  assert.deepEqual(result.yTrue, [0, 1, 1, 0, 0]);
  assert.equal(result.numClasses, 3);
  assert.equal(result.probs.length, 5);
  assert.ok(result.probs.every((p) => p instanceof Float32Array && Math.abs(p[0] + p[1] + p[2] - 1) < 1e-5));
  assert.deepEqual(result.paths, []);
  const predsOnly = await predictDataset(model, x);
  assert.deepEqual(predsOnly.yTrue, []);
  assert.deepEqual(predsOnly.yPred, result.yPred);
});

test('a DirectoryIterator-like source: paths and class names come through; batches are disposed', async () => {
  const model = argmaxModel();
  const source = {
    classNames: ['ants', 'bees', 'wasps'],
    async *batches(): AsyncGenerator<EvalBatch> {
      for (let start = 0; start < rows.length; start += 2) {
        const part = rows.slice(start, start + 2);
        yield {
          xs: tf.tensor2d(part),
          ys: tf.tidy(() => tf.oneHot(tf.tensor1d(part.map((_, i) => [0, 1, 1, 0, 0][start + i]), 'int32'), 3)),
          paths: part.map((_, i) => `img${start + i}.jpg`),
        };
      }
    },
  };
  const before = tf.memory().numTensors;
  const result = await predictDataset(model, source);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(result.paths, ['img0.jpg', 'img1.jpg', 'img2.jpg', 'img3.jpg', 'img4.jpg']);
  assert.deepEqual(result.classNames, ['ants', 'bees', 'wasps']);

  const wrong = topMisclassified(result, 5);
  // img2: true bees, predicted wasps with ~1.0; img4: true ants, predicted wasps with less confidence.
  assert.deepEqual(wrong.map((w) => w.path), ['img2.jpg', 'img4.jpg']);
  assert.equal(wrong[0].trueLabel, 'bees');
  assert.equal(wrong[0].predictedLabel, 'wasps');
  assert.ok(wrong[0].confidence > 0.99 && wrong[1].confidence < wrong[0].confidence);
  assert.ok(wrong[1].trueProbability > 0 && wrong[1].trueProbability < wrong[1].confidence);
});

test('a single sigmoid output gives [1 - p, p] rows and thresholded predictions', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [1] })] });
  model.setWeights([tf.tensor2d([[1]]), tf.tensor1d([0])]);
  const x = tf.tensor2d([[-2], [0.5], [3]]);
  const y = tf.tensor1d([0, 1, 0]); // binary targets as a flat vector
  const result = await predictDataset(model, [x, y]);
  assert.equal(result.numClasses, 2);
  assert.deepEqual(result.yPred, [0, 1, 1]);
  assert.deepEqual(result.yTrue, [0, 1, 0]);
  const p = 1 / (1 + Math.exp(-3));
  assert.ok(Math.abs(result.probs[2][1] - p) < 1e-6 && Math.abs(result.probs[2][0] - (1 - p)) < 1e-6);
  assert.deepEqual((await predictDataset(model, [x, y], { threshold: 0.7 })).yPred, [0, 0, 1]);
  assert.deepEqual(topMisclassified(result).map((w) => w.index), [2]);
});

test('topMisclassified sorts by the confidence of the wrong class; needs true labels', () => {
  const result: PredictionResult = {
    probs: [Float32Array.of(0.6, 0.4), Float32Array.of(0.1, 0.9), Float32Array.of(0.8, 0.2), Float32Array.of(0.3, 0.7)],
    yTrue: [1, 0, 0, 0],
    yPred: [0, 1, 0, 1],
    paths: [],
    numClasses: 2,
  };
  const wrong = topMisclassified(result, 2);
  assert.deepEqual(wrong.map((w) => [w.index, w.confidence]), [
    [1, Float32Array.of(0.9)[0]],
    [3, Float32Array.of(0.7)[0]],
  ]);
  assert.equal(wrong[0].path, undefined);
  assert.throws(() => topMisclassified({ ...result, yTrue: [] }), /^DataError: topMisclassified: the prediction result has no true labels/);
});

test('a model that does not output [batch, classes] is a ModelError', async () => {
  const model = tf.sequential({ layers: [tf.layers.reshape({ targetShape: [3, 1], inputShape: [3] })] });
  await assert.rejects(predictDataset(model, tf.tensor2d(rows)), (e: unknown) => {
    assert.ok(e instanceof ModelError);
    assert.match(e.message, /^predictDataset: model '.*' must output one probability row per sample \(\[batch, classes\]\), got shape \[5,3,1\]\.$/);
    return true;
  });
});

test('a real DirectoryIterator (src/data): paths, labels and class names in file order, no leaks', async () => {
  const folder = await makeImageFolder(path.join(tmp.dir, 'images'), 5);
  const iterator = await flowFromDirectory(folder, { targetSize: [8, 8], batchSize: 4, shuffle: false, verbose: false });
  // "Red" minus "blue" channel mean decides: a fixed model, no training needed.
  const model = tf.sequential({
    layers: [
      tf.layers.globalAveragePooling2d({ inputShape: [8, 8, 3] }),
      tf.layers.dense({ units: 2, activation: 'softmax', weights: [tf.tensor2d([[-0.1, 0.1], [0, 0], [0.1, -0.1]]), tf.zeros([2])] }),
    ],
  });
  const before = tf.memory().numTensors;
  const result = await predictDataset(model, iterator);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(result.classNames, ['blue', 'red']);
  assert.deepEqual(result.paths, iterator.filepaths);
  assert.deepEqual(result.yTrue, iterator.classes);
  assert.deepEqual(result.yPred, iterator.classes, 'the colour rule classifies every image');
  assert.deepEqual(topMisclassified(result), []);
});
