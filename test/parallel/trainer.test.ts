import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { TrainError } from '../../src/errors';
import { DataParallelTrainer } from '../../src/parallel/trainer';
import { freeze } from '../../src/transfer/freeze';
import { createRng } from '../../src/data/random';
import { createExchange, ExchangeMember } from '../../src/parallel/allreduce';

/** A frozen first Dense + BN, then a trainable Dense with an L2 penalty and a softmax Dense. */
function smallModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({ name: 'dp_small', layers: [
    tf.layers.dense({ units: 6, inputShape: [5], activation: 'relu', name: 'frozen_dense', kernelInitializer: init(1) }),
    tf.layers.batchNormalization({ name: 'frozen_bn' }),
    tf.layers.dense({ units: 6, activation: 'relu', name: 'train_dense', kernelInitializer: init(2), kernelRegularizer: tf.regularizers.l2({ l2: 1e-2 }) }),
    tf.layers.dense({ units: 3, activation: 'softmax', name: 'train_out', kernelInitializer: init(3) }),
  ] });
  freeze(model, { upTo: 'frozen_bn' });
  return model;
}

function batch(seed: number, rows: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const next = createRng(seed).next;
  const x = tf.tensor2d(Array.from({ length: rows * 5 }, () => next() * 2 - 1), [rows, 5]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: rows }, () => Math.floor(next() * 3)), 'int32'), 3) as tf.Tensor2D;
  return { x, y };
}

describe('DataParallelTrainer', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
  });
  after(async () => {
    await setupBackend({ prefer: 'cpu', quiet: true });
  });

  it('2 workers take the same steps as trainOnBatch in one thread (uneven shards, frozen layers, L2 penalty)', async () => {
    const reference = smallModel();
    reference.compile({ optimizer: tf.train.sgd(0.2), loss: 'categoricalCrossentropy' });
    const model = smallModel();
    const frozenBefore = model.getLayer('frozen_dense').getWeights()[0].dataSync().slice();
    const trainer = await DataParallelTrainer.create(model, { workers: 2, optimizer: tf.train.sgd(0.2) });
    try {
      assert.equal(trainer.size, 2);
      assert.equal(trainer.backend, 'wasm');
      for (let step = 0; step < 4; step++) {
        const { x, y } = batch(step, 11); // 11 rows: shards of 6 and 5
        const expected = (await reference.trainOnBatch(x, y)) as number;
        const { loss, accuracy } = await trainer.trainOnBatch(x, y);
        assert.ok(Math.abs(loss - expected) < 1e-5, `step ${step}: loss ${loss} vs ${expected}`);
        assert.ok(accuracy >= 0 && accuracy <= 1 && Number.isInteger(accuracy * 11), `accuracy ${accuracy} counts rows of 11`);
        tf.dispose([x, y]);
      }
      await trainer.copyStateTo(model);
    } finally {
      await trainer.close();
    }
    const got = model.getWeights().map((w) => w.dataSync());
    const want = reference.getWeights().map((w) => w.dataSync());
    got.forEach((g, i) => {
      let diff = 0;
      for (let j = 0; j < g.length; j++) diff = Math.max(diff, Math.abs(g[j] - want[i][j]));
      assert.ok(diff < 1e-5, `weight ${i}: max diff ${diff}`);
    });
    assert.deepEqual(model.getLayer('frozen_dense').getWeights()[0].dataSync(), frozenBefore, 'frozen layers do not train');
    assert.notDeepEqual(model.getLayer('train_out').getWeights()[0].dataSync(), smallModel().getLayer('train_out').getWeights()[0].dataSync());
    reference.dispose();
    model.dispose();
  });

  it('a batch smaller than the workers, and a failed step that applies nothing and leaves the trainer usable', async () => {
    const reference = smallModel();
    reference.compile({ optimizer: tf.train.sgd(0.2), loss: 'categoricalCrossentropy' });
    const model = smallModel();
    const trainer = await DataParallelTrainer.create(model, { workers: 2, optimizer: tf.train.sgd(0.2) });
    try {
      const one = batch(7, 1); // worker 1 gets no rows and weight 0
      const expected = (await reference.trainOnBatch(one.x, one.y)) as number;
      assert.ok(Math.abs((await trainer.trainOnBatch(one.x, one.y)).loss - expected) < 1e-5);
      const bad = tf.zeros([4, 7]); // the model takes 5 features
      await assert.rejects(trainer.trainOnBatch(bad, tf.zeros([4, 3])), /5|7|shape/);
      const next = batch(8, 6);
      const expectedNext = (await reference.trainOnBatch(next.x, next.y)) as number;
      assert.ok(Math.abs((await trainer.trainOnBatch(next.x, next.y)).loss - expectedNext) < 1e-5, 'the failed step changed nothing');
      tf.dispose([one.x, one.y, bad, next.x, next.y]);
    } finally {
      await trainer.close();
    }
    reference.dispose();
    model.dispose();
  });

  it('the exchange averages by weight, each member one slice, in rank order', () => {
    const exchange = createExchange(2, 5);
    const [a, b] = [0, 1].map((rank) => new ExchangeMember(exchange, rank));
    a.own.set([1, 2, 3, 4, 5]);
    b.own.set([10, 20, 30, 40, 50]);
    a.average([0.25, 0.75]);
    assert.deepEqual(Array.from(a.mean), [7.75, 15.5, 0, 0, 0], 'member 0 writes the first two');
    b.average([0.25, 0.75]);
    assert.deepEqual(Array.from(b.mean), [7.75, 15.5, 23.25, 31, 38.75]);
    b.average([1, 0]); // a member without rows (weight 0) is skipped
    assert.deepEqual(Array.from(b.mean).slice(2), [3, 4, 5]);
    assert.throws(() => new ExchangeMember(exchange, 2), /rank must be 0..1/);
    assert.throws(() => a.average([1]), /1 weights for 2 workers/);
    const solo = new ExchangeMember(createExchange(1, 1), 0);
    solo.barrier(); // one member: never waits
    solo.fail();
    assert.equal(solo.failed(), true);
  });

  it('refuses a model with nothing to train, and mismatched rows', async () => {
    const frozen = smallModel();
    freeze(frozen, 'all');
    await assert.rejects(DataParallelTrainer.create(frozen, { workers: 1 }), (e: unknown) => e instanceof TrainError && /has no trainable weights/.test(e.message));
    const model = smallModel();
    const trainer = await DataParallelTrainer.create(model, { workers: 1 });
    try {
      const { x } = batch(1, 4);
      const { y } = batch(2, 3);
      await assert.rejects(trainer.trainOnBatch(x, y), /x has 4 rows but y has 3/);
      tf.dispose([x, y]);
    } finally {
      await trainer.close();
    }
    await assert.rejects(trainer.trainOnBatch(tf.zeros([1, 5]), tf.zeros([1, 3])), /closed/);
    frozen.dispose();
    model.dispose();
  });
});
