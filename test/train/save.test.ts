import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFromDir } from '../../src/assets';
import { TrainError } from '../../src/errors';
import { createHistory, recordEpoch } from '../../src/train/history';
import { loadWeightsFromDir, readTrainingState } from '../../src/train/resume';
import { orderedWeights, saveModelToDir } from '../../src/train/save';
import { tempDir, tinyModel, useCpu, weightValues } from './helpers';

const tmp = tempDir();
before(useCpu);
after(tmp.cleanup);

test('saveModelToDir writes a tfjs layers folder that loadLayersModelFromDir reads back', async () => {
  const model = tinyModel(3);
  const dir = path.join(tmp.dir, 'full');
  const info = await saveModelToDir(model, dir);
  assert.deepEqual(info.files, ['model.json', 'weights.bin']);
  assert.equal(info.weightBytes, (4 * 8 + 8 + 8 * 3 + 3) * 4);
  const loaded = await loadLayersModelFromDir(dir);
  assert.deepEqual(weightValues(loaded), weightValues(model));
  const x = tf.ones([2, 4]);
  assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
  // Nothing left behind next to the folder (temp folders are renamed or removed).
  assert.deepEqual(readdirSync(tmp.dir).filter((f) => f.startsWith('.')), []);
});

test('saving again replaces the folder atomically and stores training_state.json', async () => {
  const model = tinyModel(4);
  const dir = path.join(tmp.dir, 'state');
  await saveModelToDir(model, dir);
  const history = createHistory();
  recordEpoch(history, 0, { loss: 1, val_loss: NaN });
  history.phases.push({ name: 'train', startEpoch: 0 });
  await saveModelToDir(model, dir, {
    state: { epoch: 0, monitor: 'val_loss', mode: 'min', best: 0.5, history, optimizer: { className: 'SGD', config: { learningRate: 0.01 } } },
  });
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'training_state.json', 'weights.bin']);
  const state = await readTrainingState(dir);
  assert.ok(state);
  assert.equal(state.epoch, 0);
  assert.equal(state.best, 0.5);
  assert.deepEqual(state.history.history.val_loss, [NaN], 'NaN survives the JSON round trip');
  assert.deepEqual(state.optimizer, { className: 'SGD', config: { learningRate: 0.01 } });
  assert.equal(await readTrainingState(path.join(tmp.dir, 'nothing-here')), undefined);
});

test('saveModelToDir refuses to replace a folder holding other files', async () => {
  const dir = path.join(tmp.dir, 'foreign');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'notes.txt'), 'mine');
  await assert.rejects(saveModelToDir(tinyModel(), dir), (e: unknown) => {
    assert.ok(e instanceof TrainError);
    assert.match(e.message, /^saveModelToDir: dir '.*foreign' already holds other files \(notes\.txt\)/);
    return true;
  });
  assert.equal(readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
});

test('loadWeightsFromDir matches by name, else by position when the layers were renamed', async () => {
  const source = tinyModel(5);
  const dir = path.join(tmp.dir, 'weights-only');
  const info = await saveModelToDir(source, dir, { weightsOnly: true });
  assert.deepEqual(info.files, ['weights.bin', 'weights.json']);
  assert.ok(!existsSync(path.join(dir, 'model.json')));

  // Same names: load into the same model after scrambling its weights.
  source.setWeights(source.getWeights().map((w) => tf.zerosLike(w)));
  assert.equal((await loadWeightsFromDir(source, dir)).matchedBy, 'name');

  // A rebuilt model gets new auto names (dense_Dense3...), and frozen layers reorder model.weights.
  const rebuilt = tinyModel(99);
  rebuilt.layers[0].trainable = false;
  const loaded = await loadWeightsFromDir(rebuilt, dir);
  assert.equal(loaded.matchedBy, 'order');
  assert.equal(loaded.count, 4);
  const byOrder = (m: tf.LayersModel) => orderedWeights(m).map((w) => Array.from(w.read().dataSync()));
  assert.deepEqual(byOrder(rebuilt), byOrder(source));

  const other = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4] })] });
  await assert.rejects(loadWeightsFromDir(other, dir), /^TrainError: loadWeightsFromDir: '.*' holds 4 weight tensors but the model has 2/);
});
