import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createHistory,
  fineTuneEpoch,
  mergeHistories,
  nextEpoch,
  recordEpoch,
  startPhase,
  toTrainingHistory,
  truncateHistory,
} from '../../src/train/history';

test('recordEpoch keeps every metric aligned with epoch, padding with NaN', () => {
  const h = createHistory();
  recordEpoch(h, 0, { loss: 1 });
  recordEpoch(h, 1, { loss: 0.5, val_loss: 0.7 });
  recordEpoch(h, 2, { val_loss: 0.6 });
  assert.deepEqual(h.epoch, [0, 1, 2]);
  assert.deepEqual(h.history.loss, [1, 0.5, NaN]);
  assert.deepEqual(h.history.val_loss, [NaN, 0.7, 0.6]);
  // Recording an epoch again (a resumed run redoing it) replaces, not duplicates.
  recordEpoch(h, 2, { loss: 0.4, val_loss: 0.55 });
  assert.deepEqual(h.epoch, [0, 1, 2]);
  assert.deepEqual(h.history.loss, [1, 0.5, 0.4]);
  assert.equal(nextEpoch(h), 3);
});

test('phases: startPhase adds a phase only when the name changes; fineTuneEpoch is 1-based', () => {
  const h = toTrainingHistory({ epoch: [0, 1, 2], history: { loss: [3, 2, 1] } });
  assert.deepEqual(h.phases, [{ name: 'train', startEpoch: 0 }]);
  assert.equal(fineTuneEpoch(h), undefined);
  startPhase(h, 'train', 3);
  assert.equal(h.phases.length, 1);
  startPhase(h, 'fine-tune', 3);
  assert.deepEqual(h.phases[1], { name: 'fine-tune', startEpoch: 3 });
  assert.equal(fineTuneEpoch(h), 4);
});

test('toTrainingHistory maps JSON nulls back to NaN; truncate and merge keep each epoch once', () => {
  const fromJson = toTrainingHistory(JSON.parse(JSON.stringify({ epoch: [0, 1], history: { acc: [NaN, 0.5] } })));
  assert.deepEqual(fromJson.history.acc, [NaN, 0.5]);

  const a = toTrainingHistory({ epoch: [0, 1, 2, 3], history: { loss: [4, 3, 2, 1] } });
  const t = truncateHistory(a, 2);
  assert.deepEqual(t.epoch, [0, 1]);
  assert.deepEqual(t.history.loss, [4, 3]);
  assert.deepEqual(a.epoch, [0, 1, 2, 3], 'truncate copies');

  const b = toTrainingHistory({ epoch: [2, 3, 4], history: { loss: [2.5, 1.5, 0.5] }, phases: [{ name: 'fine-tune', startEpoch: 2 }] });
  const m = mergeHistories(a, b);
  assert.deepEqual(m.epoch, [0, 1, 2, 3, 4]);
  assert.deepEqual(m.history.loss, [4, 3, 2.5, 1.5, 0.5]);
  assert.deepEqual(m.phases, [
    { name: 'train', startEpoch: 0 },
    { name: 'fine-tune', startEpoch: 2 },
  ]);
});
