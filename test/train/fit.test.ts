import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../../src/errors';
import { EarlyStopping } from '../../src/train/callbacks/early_stopping';
import { LivePlot } from '../../src/train/callbacks/live_plot';
import { ModelCheckpoint } from '../../src/train/callbacks/model_checkpoint';
import { ProgressLogger } from '../../src/train/callbacks/progress_logger';
import { ReduceLROnPlateau } from '../../src/train/callbacks/reduce_lr_on_plateau';
import { compileFor } from '../../src/train/compile';
import { fit } from '../../src/train/fit';
import { getLearningRate } from '../../src/train/learning_rate';
import { ImageDataGenerator } from '../../src/data';
import { capture, makeImageFolder, tempDir, tinyData, tinyModel, useCpu, weightValues } from './helpers';

const tmp = tempDir();
before(useCpu);
after(tmp.cleanup);

test('two calls make one history: epochs keep counting and phases mark the second call', async () => {
  const { x, y } = tinyData(20);
  const model = compileFor(tinyModel());
  const h1 = await fit(model, { x, y }, { epochs: 3, batchSize: 10, verbose: 0 });
  assert.deepEqual(h1.epoch, [0, 1, 2]);
  assert.deepEqual(h1.phases, [{ name: 'train', startEpoch: 0 }]);
  const h2 = await fit(model, [x, y], { epochs: 5, batchSize: 10, history: h1, verbose: 0 });
  assert.deepEqual(h2.epoch, [0, 1, 2, 3, 4]);
  assert.equal(h2.history.loss.length, 5);
  assert.deepEqual(h2.history.loss.slice(0, 3), h1.history.loss);
  assert.deepEqual(h2.phases, [
    { name: 'train', startEpoch: 0 },
    { name: 'fine-tune', startEpoch: 3 },
  ]);
  // Keras semantics: epochs is the final epoch; a count that is already reached is a mistake.
  await assert.rejects(fit(model, { x, y }, { epochs: 2, history: h2, verbose: 0 }), (e: unknown) => {
    assert.ok(e instanceof TrainError);
    assert.match(e.message, /^fit: epochs \(2\) is the final epoch, as in Keras, and training already starts at epoch 6; to train 2 more epochs pass epochs: 7\.$/);
    return true;
  });
});

test('bad options are rejected with the function, option and value in the message', async () => {
  const { x, y } = tinyData(10);
  await assert.rejects(fit(tinyModel(), { x, y }, { epochs: 1 }), /TrainError: fit: model '.*' is not compiled; call compileFor\(model\)/);
  const model = compileFor(tinyModel());
  await assert.rejects(fit(model, { x, y }, { epochs: 0 }), /TrainError: fit: option epochs must be a positive integer, got 0\./);
  const source = { toDataset: () => tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(5) };
  await assert.rejects(fit(model, source, { epochs: 1, batchSize: 5 }), /TrainError: fit: option batchSize \(5\) only applies to tensor data/);
  await assert.rejects(fit(model, { x, y }, { epochs: 1, validationData: source }), /TrainError: fit: with tensor data, validationData must be tensors too/);
  await assert.rejects(fit(model, 42 as never, { epochs: 1 }), /TrainError: fit: data must be \{x, y\} tensors, .* got number\./);
});

test('a DirectoryIterator-like source trains through fitDataset, with iterator validation', async () => {
  const { x, y } = tinyData(20);
  const source = { numBatches: 4, toDataset: () => tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(5) };
  const model = compileFor(tinyModel());
  const h = await fit(model, source, { epochs: 2, validationData: source, verbose: 0 });
  assert.deepEqual(h.epoch, [0, 1]);
  assert.equal(h.history.val_acc.length, 2);
});

test('a real DirectoryIterator (src/data) trains a small conv net through fit', async () => {
  const folder = await makeImageFolder(path.join(tmp.dir, 'images'));
  const iterator = await new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(folder, {
    targetSize: [8, 8],
    batchSize: 4,
    seed: 1,
    verbose: false,
  });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  compileFor(model, { optimizer: 'adam', learningRate: 0.05 });
  const dir = path.join(tmp.dir, 'iterator-ckpt');
  const h = await fit(model, iterator, { epochs: 3, validationData: iterator, callbacks: [new ModelCheckpoint({ filepath: dir })], verbose: 0 });
  assert.deepEqual(h.epoch, [0, 1, 2]);
  assert.equal(h.history.val_acc.length, 3);
  assert.ok(h.history.loss[2] < h.history.loss[0], `loss goes down: ${h.history.loss.join(', ')}`);
});

test('resume: a run that throws at epoch 3 continues from its checkpoint, each epoch once', async () => {
  const { x, y } = tinyData(30);
  const dir = path.join(tmp.dir, 'resume');
  const options = (model: tf.LayersModel, extra: tf.CustomCallbackArgs[] = []) => ({
    epochs: 6,
    batchSize: 10,
    shuffle: false,
    validationData: [x, y] as [tf.Tensor, tf.Tensor],
    resumeFrom: dir,
    // A quiet ProgressLogger replaces the default one; resume messages still go to console.log.
    callbacks: [new ModelCheckpoint({ filepath: dir }), new ProgressLogger({ stream: { write: () => undefined } }), ...extra],
  });
  const first = compileFor(tinyModel(1), { optimizer: 'sgd', learningRate: 0.05 });
  let savedAfterEpoch2: number[][] = [];
  const crash = {
    onEpochEnd: async (epoch: number) => {
      if (epoch === 1) savedAfterEpoch2 = weightValues(first);
    },
    onEpochBegin: async (epoch: number) => {
      if (epoch === 2) throw new Error('power cut');
    },
  };
  const run1 = await capture(() => fit(first, { x, y }, options(first, [crash])).then(() => 'finished', (e: Error) => e.message));
  assert.equal(run1.result, 'power cut');
  assert.match(run1.logs[0], /^No checkpoint in .*resume yet: starting at epoch 1\/6\.$/);

  // A new session: the model is rebuilt (new random weights, new layer names), the same call runs again.
  const second = compileFor(tinyModel(42), { optimizer: 'sgd', learningRate: 0.05 });
  let atStart: number[][] = [];
  const begun: number[] = [];
  const probe = {
    onTrainBegin: async () => void (atStart = weightValues(second)),
    onEpochBegin: async (epoch: number) => void begun.push(epoch),
  };
  const run2 = await capture(() => fit(second, { x, y }, options(second, [probe])));
  assert.match(run2.logs[0], /^Resuming from .*resume: weights of epoch 2, best val_loss \d\.\d{4}; continuing at epoch 3\/6 \(weights matched by position, optimizer state restored\)\.$/);
  assert.deepEqual(atStart, savedAfterEpoch2, 'training continued from the saved weights');
  assert.deepEqual(begun, [2, 3, 4, 5], 'epochs 1-2 are not trained again');
  const h = run2.result;
  assert.deepEqual(h.epoch, [0, 1, 2, 3, 4, 5]);
  assert.equal(h.history.val_loss.length, 6);
  assert.deepEqual(h.phases, [{ name: 'train', startEpoch: 0 }]);

  // Running it once more finds nothing left to do.
  const third = compileFor(tinyModel(1), { optimizer: 'sgd', learningRate: 0.01 });
  const run3 = await capture(() => fit(third, { x, y }, options(third)));
  assert.match(run3.logs[0], /: weights of epoch 6, best val_loss \d\.\d{4}; nothing left to train \(epochs: 6\) \(weights matched by position, optimizer state restored, learning rate 0\.05 restored\)\.$/);
  assert.equal(run3.logs.length, 1);
  assert.deepEqual(run3.result.epoch, [0, 1, 2, 3, 4, 5]);
  assert.equal(getLearningRate(third.optimizer), 0.05);
});

test('seed: the same seed gives the same batches and weights; another seed other ones', async () => {
  const { x, y } = tinyData(30);
  const run = async (seed: number) => {
    const model = compileFor(tinyModel(5), { optimizer: 'sgd', learningRate: 0.1 });
    const h = await fit(model, { x, y }, { epochs: 3, batchSize: 8, seed, validationData: [x, y], verbose: 0 });
    return { w: weightValues(model), loss: h.history.loss, valLoss: h.history.val_loss };
  };
  const a = await run(7);
  const b = await run(7);
  const c = await run(8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.w, c.w);
  assert.equal(a.valLoss.length, 3);
  const model = compileFor(tinyModel(5));
  await assert.rejects(fit(model, { x, y }, { epochs: 1, seed: 1, validationSplit: 0.2, verbose: 0 }), /seed cannot be combined with validationSplit/);
  await fit(model, { x, y }, { epochs: 1, batchSize: 8, seed: 1, verbose: 0 }); // creates the optimizer's slots
  const before = tf.memory().numTensors;
  await fit(model, { x, y }, { epochs: 3, batchSize: 8, seed: 1, verbose: 0, initialEpoch: 0 });
  assert.equal(tf.memory().numTensors, before, 'seeded batches are disposed');
});

test('resume restores Adam moments: an interrupted run ends with the same weights as an uninterrupted one', async () => {
  const { x, y } = tinyData(30);
  const run = async (dir: string, model: tf.LayersModel, crashAt?: number) => {
    const crash = { onEpochBegin: async (epoch: number) => { if (epoch === crashAt) throw new Error('power cut'); } };
    return capture(() => fit(model, { x, y }, {
      epochs: 5, batchSize: 10, shuffle: false, resumeFrom: dir,
      callbacks: [new ModelCheckpoint({ filepath: dir }), new ProgressLogger({ stream: { write: () => undefined } }), ...(crashAt == null ? [] : [crash])],
    }).then(() => 'finished', (e: Error) => e.message));
  };
  const straight = compileFor(tinyModel(3), { optimizer: 'adam', learningRate: 0.01 });
  await run(path.join(tmp.dir, 'adam-straight'), straight);

  const dir = path.join(tmp.dir, 'adam-resumed');
  assert.equal((await run(dir, compileFor(tinyModel(3), { optimizer: 'adam', learningRate: 0.01 }), 3)).result, 'power cut');
  const resumed = compileFor(tinyModel(9), { optimizer: 'adam', learningRate: 0.01 });
  const second = await run(dir, resumed);
  assert.equal(second.result, 'finished');
  assert.match(second.logs[0], /optimizer state restored/);
  // Bit-identical: same weights, same moments, same step count, so the same updates.
  assert.deepEqual(weightValues(resumed), weightValues(straight));
});

for (const kind of ['tensors', 'iterator'] as const) test(`no tensor leak (${kind}): the tensor count is the same after epoch 1 and epoch N with every callback active`, async () => {
  const { x, y } = tinyData(40);
  // Rows are split once, up front, so the fixture itself creates no tensors during fit.
  const [xRows, yRows] = [tf.unstack(x), tf.unstack(y)];
  const source = { numBatches: 5, toDataset: () => tf.data.zip({ xs: tf.data.array(xRows), ys: tf.data.array(yRows) }).batch(8) };
  const model = compileFor(tinyModel(), { optimizer: 'sgd', learningRate: 1e-6 });
  const counts: number[] = [];
  // Last in the list: runs after EarlyStopping has made its copy of the weights.
  const probe = { onEpochEnd: async () => void counts.push(tf.memory().numTensors) };
  const display = { update: () => undefined };
  const stream = { write: () => undefined, isTTY: true };
  const data = kind === 'tensors' ? { x, y } : source;
  const before = tf.memory().numTensors;
  await fit(model, data, {
    epochs: 6,
    ...(kind === 'tensors' ? { batchSize: 8 } : {}),
    validationData: kind === 'tensors' ? [x, y] : source,
    callbacks: [
      new ModelCheckpoint({ filepath: path.join(tmp.dir, `leak-${kind}`), saveBestOnly: true }),
      new EarlyStopping({ patience: 100, restoreBestWeights: true }),
      new ReduceLROnPlateau({ patience: 1, monitor: 'loss' }),
      new ProgressLogger({ stream, updateEveryMs: 0 }),
      new LivePlot({ display }),
      probe,
    ],
    verbose: 0,
  });
  assert.equal(counts.length, 6);
  assert.deepEqual(counts, new Array(6).fill(counts[0]), `tensor counts per epoch: ${counts.join(', ')}`);
  const copies = model.getWeights().length;
  assert.equal(counts[0], before + copies, 'during training only the one copy of the weights is extra');
  assert.equal(tf.memory().numTensors, before, 'after training the copy is gone too');
});
