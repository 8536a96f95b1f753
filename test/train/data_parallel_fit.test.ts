/**
 * `fit` on worker threads against `fit` in one thread: the same seed gives the same epochs to the
 * callbacks and the same weights and metrics within TOLERANCE (the workers sum gradients in
 * another order: float rounding only), checkpoints hold the workers' optimizer state, a resumed
 * data-parallel run continues an interrupted one, and tf.memory() stays flat across epochs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { compileFor } from '../../src/train/compile';
import { fit } from '../../src/train/fit';
import { dataParallelWorkers, DATA_PARALLEL_MIN_MACS } from '../../src/train/data_parallel_fit';
import { EarlyStopping, ModelCheckpoint, ReduceLROnPlateau } from '../../src/train/callbacks';
import { readTrainingState } from '../../src/train/resume';
import { getLearningRate } from '../../src/train/learning_rate';
import { WORKERS_ENV } from '../../src/parallel/workers';
import { tempDir, tinyData } from './helpers';

/** Largest difference allowed between one-thread and data-parallel weights and metrics. */
const TOLERANCE = 1e-4;

/** 4 -> 16 relu (L2) -> 3 softmax, seeded: big enough for two shards, small enough for the cpu. */
function model(seed = 3): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ units: 16, activation: 'relu', inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed }), kernelRegularizer: tf.regularizers.l2({ l2: 1e-3 }) }),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
  ] });
  compileFor(m, { optimizer: 'sgd', learningRate: 0.5, momentum: 0.9 });
  return m;
}

function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  let diff = 0;
  a.forEach((t, i) => {
    const [x, y] = [t.dataSync(), b[i].dataSync()];
    for (let j = 0; j < x.length; j++) diff = Math.max(diff, Math.abs(x[j] - y[j]));
  });
  return diff;
}

interface Seen {
  epochs: number[];
  logs: Array<Record<string, number>>;
  lrs: number[];
  tensors: number[];
}

function recorder(m: tf.LayersModel): { seen: Seen; callback: tf.CustomCallbackArgs } {
  const seen: Seen = { epochs: [], logs: [], lrs: [], tensors: [] };
  return {
    seen,
    callback: {
      onEpochEnd: async (epoch, logs) => {
        seen.epochs.push(epoch);
        seen.logs.push({ ...(logs as Record<string, number>) });
        seen.lrs.push(getLearningRate(m.optimizer));
        seen.tensors.push(tf.memory().numTensors);
      },
    },
  };
}

describe('fit with workers (data-parallel)', () => {
  const train = tinyData(90, 11);
  const val = tinyData(40, 12, true); // inverted labels: val_loss rises, so the plateau and the stop fire
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
  });
  after(async () => {
    tf.dispose([train.x, train.y, val.x, val.y]);
    await setupBackend({ prefer: 'cpu', quiet: true });
  });

  it('takes the steps one thread takes: same epochs to callbacks, LR schedule, early stop, restored best weights', async () => {
    const run = async (workers: number) => {
      const m = model();
      const { seen, callback } = recorder(m);
      const history = await fit(m, train, {
        epochs: 12, batchSize: 16, seed: 5, validationData: val, verbose: 0, workers,
        callbacks: [
          new ReduceLROnPlateau({ monitor: 'val_loss', patience: 1, factor: 0.5 }),
          new EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true }),
          callback,
        ],
      });
      return { m, seen, history };
    };
    const one = await run(1);
    const two = await run(2);
    assert.deepEqual(two.seen.epochs, one.seen.epochs, 'callbacks see the same epochs');
    assert.ok(one.seen.epochs.length < 12, `EarlyStopping stopped the run (epochs ${one.seen.epochs})`);
    assert.deepEqual(two.seen.lrs, one.seen.lrs, 'ReduceLROnPlateau lowers the rate at the same epochs');
    assert.ok(one.seen.lrs.at(-1)! < 0.5, 'the rate was lowered');
    for (const [i, logs] of one.seen.logs.entries()) {
      assert.deepEqual(Object.keys(two.seen.logs[i]).sort(), Object.keys(logs).sort());
      for (const key of ['loss', 'acc', 'val_loss', 'val_acc']) {
        assert.ok(Math.abs(two.seen.logs[i][key] - logs[key]) < TOLERANCE, `epoch ${i} ${key}: ${two.seen.logs[i][key]} vs ${logs[key]}`);
      }
    }
    assert.deepEqual(two.history.epoch, one.history.epoch);
    const diff = maxDiff(two.m.getWeights(), one.m.getWeights());
    assert.ok(diff < TOLERANCE, `restored best weights differ by ${diff}`);
    one.m.dispose();
    two.m.dispose();
  });

  it('ModelCheckpoint saves the workers\' optimizer state; resumeFrom continues a stopped run as if uninterrupted', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const options = (workers: number, epochs: number, extra: Partial<Parameters<typeof fit>[2]> = {}) => ({
        epochs, batchSize: 16, seed: 9, validationData: val, verbose: 0 as const, workers, ...extra,
      });
      const full = model(21);
      await fit(full, train, options(2, 4));
      const first = model(21);
      await fit(first, train, options(2, 2, { callbacks: [new ModelCheckpoint({ filepath: dir, saveWeightsOnly: true })] }));
      const state = await readTrainingState(dir);
      assert.equal(state?.epoch, 1);
      assert.equal(state?.optimizer?.className, 'Momentum');
      assert.ok((state?.optimizerWeights?.length ?? 0) > 1, 'momentum slots were saved, not only the iteration count');
      const resumed = model(21);
      const history = await fit(resumed, train, options(2, 4, { resumeFrom: dir }));
      assert.deepEqual(history.epoch, [0, 1, 2, 3]);
      const diff = maxDiff(resumed.getWeights(), full.getWeights());
      assert.ok(diff < TOLERANCE, `resumed weights differ from the uninterrupted run's by ${diff}`);
      const oneThread = model(21);
      await fit(oneThread, train, options(1, 4));
      assert.ok(maxDiff(oneThread.getWeights(), full.getWeights()) < TOLERANCE, 'and from one thread\'s');
      for (const m of [full, first, resumed, oneThread]) m.dispose();
    } finally {
      cleanup();
    }
  });

  it('keeps tf.memory() flat across epochs and continues a history', async () => {
    const m = model(31);
    const first = await fit(m, train, { epochs: 2, batchSize: 16, seed: 1, verbose: 0, workers: 2 });
    const { seen, callback } = recorder(m);
    const history = await fit(m, train, { epochs: 6, batchSize: 16, seed: 1, validationData: val, verbose: 0, workers: 2, history: first, callbacks: [callback] });
    assert.deepEqual(seen.epochs, [2, 3, 4, 5]);
    assert.deepEqual(history.epoch, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(history.phases?.map((p) => p.name), ['train', 'fine-tune']);
    assert.equal(new Set(seen.tensors).size, 1, `tensors at each epoch end: ${seen.tensors}`);
    m.dispose();
  });

  it('picks workers only for tensor data with a step big enough, unless asked; rejects a bad count', async () => {
    const saved = process.env[WORKERS_ENV];
    process.env[WORKERS_ENV] = '2';
    try {
      const small = model();
      assert.equal(dataParallelWorkers(small, { x: train.x, y: train.y }, undefined, {}), null, 'a 4-16-3 model stays in one thread by default');
      assert.equal(dataParallelWorkers(small, { x: train.x, y: train.y }, undefined, { workers: 2 }), 2, 'asked for, it gets them');
      assert.equal(dataParallelWorkers(small, { x: train.x, y: train.y }, undefined, { workers: 2, validationSplit: 0.2 }), null);
      assert.equal(dataParallelWorkers(small, null, undefined, { workers: 2 }), null, 'datasets train in one thread');
      // 3x3 conv, 64 -> 64 channels on 56x56: ~116 M MACs per row, over the threshold at batch 32.
      const big = tf.sequential({ layers: [
        tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', inputShape: [56, 56, 64] }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ] });
      compileFor(big, { optimizer: 'adam' });
      assert.ok(116e6 * 32 > DATA_PARALLEL_MIN_MACS);
      assert.equal(dataParallelWorkers(big, { x: train.x, y: train.y }, undefined, {}), 2, 'the default count, from TRANSFER_LAB_WORKERS');
      // Built for any image size (as the lab's bases): the shapes are measured on one row of the data.
      const anySize = tf.sequential({ layers: [
        tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', inputShape: [null, null, 64] as unknown as number[] }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ] });
      compileFor(anySize, { optimizer: 'adam' });
      const [large, tiny] = [tf.zeros([2, 56, 56, 64]), tf.zeros([2, 4, 4, 64])];
      assert.equal(dataParallelWorkers(anySize, { x: large, y: train.y }, undefined, {}), 2, '56x56 inputs: ~116 M MACs per row');
      assert.equal(dataParallelWorkers(anySize, { x: tiny, y: train.y }, undefined, {}), null, '4x4 inputs: ~0.6 M MACs per row');
      tf.dispose([large, tiny]);
      anySize.dispose();
      process.env[WORKERS_ENV] = '1';
      assert.equal(dataParallelWorkers(big, { x: train.x, y: train.y }, undefined, {}), null, 'TRANSFER_LAB_WORKERS=1: one thread');
      await assert.rejects(fit(small, train, { epochs: 1, verbose: 0, workers: 0 }), /fit: option workers must be a whole number >= 1, got 0; 1 trains in this thread\./);
      small.dispose();
      big.dispose();
    } finally {
      if (saved === undefined) delete process.env[WORKERS_ENV];
      else process.env[WORKERS_ENV] = saved;
    }
  });
});
