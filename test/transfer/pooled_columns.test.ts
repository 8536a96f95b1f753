import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { modelShapes } from '../../src/models';
import { lastColumns, pooledFeatureModel, splitAt } from '../../src/transfer';
import { tinyBase, useCpu } from './helpers';

test('lastColumns gives the last tap of concatenated pooled features, and names a bad width', async () => {
  await useCpu();
  const base = tinyBase();
  const features = pooledFeatureModel(base, ['relu1', 'relu2']); // 4 + 8 channels
  const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 5);
  const both = features.predict(x) as tf.Tensor2D;
  const alone = pooledFeatureModel(base, ['relu2']).predict(x) as tf.Tensor2D;
  const last = lastColumns(both, 8);
  assert.deepEqual(last.shape, [3, 8]);
  assert.deepEqual(Array.from(last.dataSync()), Array.from(alone.dataSync()));
  assert.throws(() => lastColumns(both, 13), /lastColumns\(\): n must be a whole number from 1 to 12 \(the feature width\); received 13\./);
  assert.throws(() => lastColumns(x, 2), /lastColumns\(\): features must be \[rows, d\] \(pooled features\); received shape \[3,8,8,3\]\./);
  tf.dispose([x, both, alone, last]);
});

test('modelShapes writes input -> output shapes of both parts of a split', () => {
  const { bottom, top } = splitAt(tinyBase(), 'pool1');
  assert.equal(modelShapes(bottom), '[null,8,8,3] -> [null,4,4,4]');
  assert.equal(modelShapes(top), '[null,4,4,4] -> [null,4,4,8]');
});
