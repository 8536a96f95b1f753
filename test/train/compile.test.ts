import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../../src/errors';
import { compileFor } from '../../src/train/compile';
import { getLearningRate } from '../../src/train/learning_rate';
import { tinyModel, useCpu } from './helpers';

before(useCpu);

test("Keras' default learning rates: rmsprop 1e-3, sgd 1e-2, adam 1e-3", () => {
  const rmsprop = compileFor(tinyModel());
  assert.equal(rmsprop.optimizer.getClassName(), 'RMSProp');
  assert.equal(getLearningRate(rmsprop.optimizer), 1e-3);
  assert.equal(getLearningRate(compileFor(tinyModel(), { optimizer: 'sgd' }).optimizer), 1e-2);
  assert.equal(getLearningRate(compileFor(tinyModel(), { optimizer: 'adam' }).optimizer), 1e-3);
});

test('sgd with momentum is the VGG19 recipe optimizer: SGD(lr=1e-4, momentum=0.9)', () => {
  const model = compileFor(tinyModel(), { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 });
  assert.equal(model.optimizer.getClassName(), 'Momentum');
  assert.deepEqual(model.optimizer.getConfig(), { learningRate: 1e-4, momentum: 0.9, useNesterov: false });
  assert.throws(() => compileFor(tinyModel(), { optimizer: 'adam', momentum: 0.9 }), (e: unknown) => {
    assert.ok(e instanceof TrainError);
    assert.match(e.message, /^compileFor: momentum \(0\.9\) applies to optimizer 'sgd' only, got optimizer 'adam'/);
    return true;
  });
  assert.throws(() => compileFor(tinyModel(), { optimizer: 'nadam' as never }), /compileFor: optimizer must be 'rmsprop', 'sgd', 'adam' or a tf\.Optimizer, got "nadam"/);
});

test('loss defaults from the output layer; Keras loss names are accepted; metrics default to accuracy', async () => {
  const model = compileFor(tinyModel());
  assert.equal(model.loss, 'categoricalCrossentropy');
  assert.deepEqual(model.metricsNames, ['loss', 'acc']);
  const binary = compileFor(tf.sequential({ layers: [tf.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })] }));
  assert.equal(binary.loss, 'binaryCrossentropy');
  const sparse = compileFor(tinyModel(), { optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  assert.equal(sparse.loss, 'sparseCategoricalCrossentropy');
  assert.throws(
    () => compileFor(tinyModel(), { optimizer: tf.train.sgd(0.1), learningRate: 0.01 }),
    /compileFor: learningRate\/momentum were given together with an optimizer instance/,
  );
});
