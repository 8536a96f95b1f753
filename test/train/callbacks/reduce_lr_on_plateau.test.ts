import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { TrainError } from '../../../src/errors';
import { ReduceLROnPlateau } from '../../../src/train/callbacks/reduce_lr_on_plateau';
import { compileFor } from '../../../src/train/compile';
import { fit } from '../../../src/train/fit';
import { getLearningRate } from '../../../src/train/learning_rate';
import { capture, tinyData, tinyModel, useCpu } from '../helpers';

before(useCpu);

async function drive(cb: ReduceLROnPlateau, optimizer: 'sgd' | 'adam', values: number[]): Promise<number[]> {
  const model = compileFor(tinyModel(), { optimizer, learningRate: 0.1 });
  cb.setModel(model);
  await cb.onTrainBegin();
  const lrs: number[] = [];
  for (const [epoch, v] of values.entries()) {
    const logs: Record<string, number> = { val_loss: v };
    await cb.onEpochEnd(epoch, logs);
    assert.equal(logs.learning_rate, lrs.length === 0 ? 0.1 : lrs[lrs.length - 1], 'logs get the rate used during the epoch');
    lrs.push(getLearningRate(model.optimizer));
  }
  return lrs;
}

test('the learning rate is multiplied by factor after patience epochs without improvement', async () => {
  const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 2, verbose: 1 });
  const { result, logs } = await capture(() => drive(cb, 'sgd', [1, 1, 1, 0.5, 0.5, 0.5, 0.5]));
  // Epochs 2-3 do not improve on 1 -> reduce after epoch 3; epoch 4 improves; 5-6 -> reduce after epoch 6.
  assert.deepEqual(result, [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]);
  assert.deepEqual(logs, [
    'Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0500.',
    'Epoch 6: ReduceLROnPlateau reducing learning rate to 0.0250.',
  ]);
});

test('cooldown pauses watching; minLr is a floor; works for Adam too', async () => {
  const cooled = await drive(new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2 }), 'adam', [1, 1, 1, 1, 1, 1]);
  // Keras semantics: reduce after epoch 2; the counter runs down over epochs 3 and 4, and epoch 4
  // (counter back to 0) already counts as a plateau epoch again; same for epochs 5-6.
  assert.deepEqual(cooled, [0.1, 0.05, 0.05, 0.025, 0.025, 0.0125]);
  const floored = await drive(new ReduceLROnPlateau({ factor: 0.1, patience: 1, minLr: 0.005 }), 'sgd', [1, 1, 1, 1]);
  assert.deepEqual(floored, [0.1, 0.010000000000000002, 0.005, 0.005]);
  assert.throws(() => new ReduceLROnPlateau({ factor: 1.5 }), TrainError);
});

test('through fit: a stuck loss lowers the rate and the history records learning_rate', async () => {
  const { x, y } = tinyData(20);
  // A rate so small that the loss cannot improve by minDelta: a plateau by construction.
  const model = compileFor(tinyModel(), { optimizer: 'sgd', learningRate: 1e-9 });
  const cb = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1 });
  const history = await fit(model, { x, y }, { epochs: 4, batchSize: 10, callbacks: [cb], verbose: 0 });
  // Epoch 1 sets the best; each later epoch is a plateau epoch and halves the rate for the next one.
  assert.deepEqual(history.history.learning_rate, [1e-9, 1e-9, 5e-10, 2.5e-10]);
  assert.equal(getLearningRate(model.optimizer), 1.25e-10);
});
