import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { TrainError } from '../../../src/errors';
import { formatFilepath, ModelCheckpoint } from '../../../src/train/callbacks/model_checkpoint';
import { compileFor } from '../../../src/train/compile';
import { fit } from '../../../src/train/fit';
import { readTrainingState } from '../../../src/train/resume';
import { capture, tempDir, tinyData, tinyModel, useCpu } from '../helpers';

const tmp = tempDir();
before(useCpu);
after(tmp.cleanup);

/** Drives a checkpoint through epochs with given logs, as model.fit would. */
async function drive(cb: ModelCheckpoint, logs: Record<string, number>[], onEpoch?: (epoch: number) => void): Promise<void> {
  const model = compileFor(tinyModel(), { optimizer: 'sgd' });
  cb.setModel(model);
  await cb.onTrainBegin();
  for (let epoch = 0; epoch < logs.length; epoch++) {
    await cb.onEpochEnd(epoch, { ...logs[epoch] });
    onEpoch?.(epoch);
  }
  await cb.onTrainEnd();
}

test('saveBestOnly saves only when val_loss improves (files, inode and stored best)', async () => {
  const dir = path.join(tmp.dir, 'best-loss');
  const cb = new ModelCheckpoint({ filepath: dir, saveBestOnly: true });
  assert.equal(cb.mode, 'min');
  const seen: { epoch: number; best: number | null; ino: number }[] = [];
  await drive(cb, [{ val_loss: 1.0 }, { val_loss: 0.5 }, { val_loss: 0.7 }, { val_loss: 0.4 }, { val_loss: 0.45 }], () => {
    const state = JSON.parse(readFileSync(path.join(dir, 'training_state.json'), 'utf8'));
    seen.push({ epoch: state.epoch, best: state.best, ino: statSync(path.join(dir, 'model.json')).ino });
  });
  assert.deepEqual(seen.map((s) => s.epoch), [0, 1, 1, 3, 3]);
  assert.deepEqual(seen.map((s) => s.best), [1.0, 0.5, 0.5, 0.4, 0.4]);
  // Epochs 3 and 5 (worse) left the files untouched; improvements replaced them.
  assert.equal(seen[2].ino, seen[1].ino);
  assert.equal(seen[4].ino, seen[3].ino);
  assert.notEqual(seen[3].ino, seen[2].ino);
  assert.equal(cb.best, 0.4);
  assert.deepEqual(cb.lastSaved, { dir, epoch: 3 });
  const state = await readTrainingState(dir);
  assert.deepEqual(state?.history.epoch, [0, 1, 2, 3], 'the history stored with the best epoch runs up to it');
});

test("mode 'auto' means 'max' for val_acc: only higher accuracy is saved", async () => {
  const dir = path.join(tmp.dir, 'best-acc');
  const cb = new ModelCheckpoint({ filepath: dir, monitor: 'val_acc', saveBestOnly: true, verbose: 1 });
  assert.equal(cb.mode, 'max');
  const epochs: number[] = [];
  const { logs } = await capture(() =>
    drive(cb, [{ val_acc: 0.5 }, { val_acc: 0.4 }, { val_acc: 0.8 }], () => {
      epochs.push(JSON.parse(readFileSync(path.join(dir, 'training_state.json'), 'utf8')).epoch);
    }),
  );
  assert.deepEqual(epochs, [0, 0, 2]);
  assert.match(logs[0], /^Epoch 1: val_acc improved from -Infinity to 0\.50000, saving model to /);
  assert.match(logs[1], /^Epoch 2: val_acc did not improve from 0\.50000$/);
});

test('a missing monitored metric warns once, listing the available metrics, and saves nothing', async () => {
  const dir = path.join(tmp.dir, 'missing');
  const cb = new ModelCheckpoint({ filepath: dir, monitor: 'val_loss', saveBestOnly: true });
  const { warns } = await capture(() => drive(cb, [{ loss: 1, acc: 0.5 }, { loss: 0.9, acc: 0.6 }, { loss: 0.8, acc: 0.7 }]));
  assert.equal(warns.length, 1);
  assert.match(warns[0], /^ModelCheckpoint: monitored metric 'val_loss' is not in the logs of epoch 1; available: loss, acc\./);
  assert.equal(cb.lastSaved, undefined);
});

test('every epoch is saved without saveBestOnly, through fit; filepath placeholders are filled', async () => {
  const { x, y } = tinyData(24);
  const model = compileFor(tinyModel(), { optimizer: 'sgd' });
  const cb = new ModelCheckpoint({ filepath: path.join(tmp.dir, 'every', 'ep{epoch:02d}'), saveWeightsOnly: true });
  await fit(model, { x, y }, { epochs: 3, batchSize: 8, callbacks: [cb], verbose: 0, shuffle: false });
  for (const name of ['ep01', 'ep02', 'ep03']) {
    const state = await readTrainingState(path.join(tmp.dir, 'every', name));
    assert.equal(state?.weightsOnly, true);
    assert.equal(state?.epoch, Number(name.slice(2)) - 1);
  }
  assert.equal(formatFilepath('run/{epoch}-{val_loss:.2f}-{acc:3d}', 4, { val_loss: 0.12345, acc: 1 }), 'run/5-0.12-  1');
  assert.throws(() => formatFilepath('{val_acc}', 0, { loss: 1 }), /ModelCheckpoint: filepath '\{val_acc\}' uses \{val_acc\} but the logs of epoch 1 only have loss/);
  assert.throws(() => new ModelCheckpoint({ filepath: '' }), TrainError);
});
