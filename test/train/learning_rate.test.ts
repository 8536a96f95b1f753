import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../../src/errors';
import { getLearningRate, setLearningRate } from '../../src/train/learning_rate';
import { tinyData, tinyModel, useCpu, weightValues } from './helpers';

before(useCpu);

const optimizers: [string, () => tf.Optimizer][] = [
  ['sgd', () => tf.train.sgd(0.1)],
  ['momentum', () => tf.train.momentum(0.1, 0.9)],
  ['rmsprop', () => tf.train.rmsprop(0.1)],
  ['adam', () => tf.train.adam(0.1)],
  ['adamax', () => tf.train.adamax(0.1)],
  ['adagrad', () => tf.train.adagrad(0.1)],
];

for (const [name, make] of optimizers) {
  test(`setLearningRate changes what ${name} actually uses`, async () => {
    const { x, y } = tinyData(8);
    const model = tinyModel();
    const optimizer = make();
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 }); // builds slots at lr 0.1
    setLearningRate(optimizer, 0);
    assert.equal(getLearningRate(optimizer), 0);
    const before = weightValues(model);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    // With learning rate 0 no optimizer may move a weight.
    assert.deepEqual(weightValues(model), before);
    setLearningRate(optimizer, 0.05);
    assert.equal(getLearningRate(optimizer), 0.05);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    assert.notDeepEqual(weightValues(model), before);
  });
}

test('setLearningRate rejects negative rates with a clear message', () => {
  assert.throws(() => setLearningRate(tf.train.sgd(0.1), -1, 'ReduceLROnPlateau'), (e: unknown) => {
    assert.ok(e instanceof TrainError);
    assert.match(e.message, /^ReduceLROnPlateau: learning rate must be a finite number >= 0, got -1\./);
    return true;
  });
});
