import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { EarlyStopping } from '../../../src/train/callbacks/early_stopping';
import { compileFor } from '../../../src/train/compile';
import { fit } from '../../../src/train/fit';
import { capture, tinyData, tinyModel, useCpu, weightValues } from '../helpers';

before(useCpu);

test('stops once patience epochs pass without improvement (epochs counted from 1 in the message)', async () => {
  const model = compileFor(tinyModel(), { optimizer: 'sgd' });
  const cb = new EarlyStopping({ patience: 2, verbose: 1 });
  cb.setModel(model);
  await cb.onTrainBegin();
  // best 0.8 at epoch 2 (index 1); 0.9 and 0.85 are two epochs without improvement.
  const losses = [1.0, 0.8, 0.9, 0.85, 0.95];
  let ran = 0;
  for (const [epoch, v] of losses.entries()) {
    await cb.onEpochEnd(epoch, { val_loss: v });
    ran++;
    if (model.stopTraining) break;
  }
  assert.equal(ran, 4);
  assert.equal(cb.stoppedEpoch, 3);
  assert.equal(cb.bestEpoch, 1);
  assert.equal(cb.best, 0.8);
  const { logs } = await capture(() => cb.onTrainEnd());
  assert.deepEqual(logs, ['Epoch 4: early stopping (val_loss did not improve for 2 epochs; best 0.80000 at epoch 2)']);

  // Reused instance: state resets at train begin.
  await cb.onTrainBegin();
  assert.equal(cb.wait, 0);
  assert.equal(cb.stoppedEpoch, -1);
  assert.equal(cb.best, Infinity);
});

test('minDelta and baseline: small gains do not reset patience', async () => {
  const model = compileFor(tinyModel(), { optimizer: 'sgd' });
  const cb = new EarlyStopping({ monitor: 'val_acc', patience: 1, minDelta: 0.05, baseline: 0.9 });
  cb.setModel(model);
  await cb.onTrainBegin();
  await cb.onEpochEnd(0, { val_acc: 0.5 }); // improves on -inf but not on the baseline: wait stays 1
  assert.equal(cb.wait, 1);
  await cb.onEpochEnd(1, { val_acc: 0.52 }); // < minDelta better
  assert.equal(model.stopTraining, true);
  assert.equal(cb.stoppedEpoch, 1);
});

test('restoreBestWeights puts back the best epoch and keeps exactly one copy', async () => {
  const model = compileFor(tinyModel(), { optimizer: 'sgd' });
  const cb = new EarlyStopping({ patience: 5, restoreBestWeights: true });
  cb.setModel(model);
  await cb.onTrainBegin();
  const before = tf.memory().numTensors;
  const nWeights = model.getWeights().length;
  const losses = [0.9, 0.3, 0.5, 0.4];
  for (const [epoch, v] of losses.entries()) {
    // Simulate training: every weight holds the epoch number.
    const fills = model.getWeights().map((w) => tf.fill(w.shape, epoch));
    model.setWeights(fills);
    tf.dispose(fills);
    await cb.onEpochEnd(epoch, { val_loss: v });
    // The variables hold the new values; the kept copy adds nWeights tensors, whatever the epoch.
    assert.equal(tf.memory().numTensors, before + nWeights, `epoch ${epoch + 1}: one copy of the weights`);
  }
  await cb.onTrainEnd();
  assert.ok(weightValues(model).every((w) => w.every((v) => v === 1)), 'weights of epoch 2 (index 1) restored');
  assert.equal(tf.memory().numTensors, before, 'the copy is disposed at train end');
});

test('through fit: stops at the right epoch and restores the best weights', async () => {
  // Validation labels are the opposite rule, so val_loss gets worse as the model learns.
  const train = tinyData(60, 7);
  const val = tinyData(30, 8, true);
  const model = compileFor(tinyModel(2), { optimizer: 'sgd', learningRate: 0.5 });
  const snapshots: number[][][] = [];
  const probe = { onEpochEnd: async () => void snapshots.push(weightValues(model)) };
  const stop = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  const history = await fit(model, train, {
    epochs: 20,
    batchSize: 10,
    shuffle: false,
    validationData: val,
    callbacks: [probe, stop],
    verbose: 0,
  });
  const valLoss = history.history.val_loss;
  const best = valLoss.indexOf(Math.min(...valLoss));
  assert.equal(history.epoch.length, best + 3, 'stopped patience (2) epochs after the best one');
  assert.equal(stop.stoppedEpoch, best + 2);
  assert.deepEqual(weightValues(model), snapshots[best]);
  assert.notDeepEqual(weightValues(model), snapshots[snapshots.length - 1]);
});
