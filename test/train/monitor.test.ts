import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainError } from '../../src/errors';
import { MetricMonitor, monitorDirection } from '../../src/train/monitor';
import { capture } from './helpers';

test("mode 'auto' is 'max' for accuracy-like metrics and 'min' otherwise", () => {
  assert.equal(monitorDirection('val_acc', 'auto', 'T'), 'max');
  assert.equal(monitorDirection('val_accuracy', 'auto', 'T'), 'max');
  assert.equal(monitorDirection('val_loss', 'auto', 'T'), 'min');
  assert.equal(monitorDirection('val_acc', 'min', 'T'), 'min');
  assert.throws(() => monitorDirection('val_loss', 'down', 'EarlyStopping'), (e: unknown) => {
    assert.ok(e instanceof TrainError);
    assert.match(e.message, /^EarlyStopping: option mode must be 'auto', 'min' or 'max', got "down"/);
    return true;
  });
});

test('isImprovement respects the direction and minDelta', () => {
  const min = new MetricMonitor('T', 'val_loss', 'auto', 0.1);
  assert.equal(min.isImprovement(0.5, undefined), true);
  assert.equal(min.isImprovement(0.45, 0.5), false, 'less than minDelta better');
  assert.equal(min.isImprovement(0.35, 0.5), true);
  assert.equal(min.isImprovement(NaN, 0.5), false);
  const max = new MetricMonitor('T', 'val_acc', 'auto', -0.1); // absolute value is used
  assert.equal(max.minDelta, 0.1);
  assert.equal(max.isImprovement(0.65, 0.5), true);
  assert.equal(max.isImprovement(0.55, 0.5), false);
  assert.equal(max.worst(), -Infinity);
});

test('a missing metric warns once per run with the available ones; acc/accuracy are aliases', async () => {
  const m = new MetricMonitor('ReduceLROnPlateau', 'val_loss');
  const { warns, result } = await capture(async () => [m.read({ loss: 1, acc: 0.5 }, 0), m.read({ loss: 1, acc: 0.5 }, 1)]);
  assert.deepEqual(result, [undefined, undefined]);
  assert.equal(warns.length, 1);
  assert.match(warns[0], /^ReduceLROnPlateau: monitored metric 'val_loss' is not in the logs of epoch 1; available: loss, acc\. Pass validationData/);
  m.reset();
  const again = await capture(async () => m.read({ loss: 1 }, 2));
  assert.equal(again.warns.length, 1, 'warns again after reset (a new run)');

  const acc = new MetricMonitor('T', 'val_accuracy');
  assert.equal(acc.read({ val_acc: 0.75 }, 0), 0.75);
});
