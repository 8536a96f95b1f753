import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { applyFrozenBatchNormRule, isFrozenBatchNorm } from '../../src/transfer/batchnorm';
import { freeze, recompile, unfreeze } from '../../src/transfer/freeze';
import { buildTransferModel } from '../../src/transfer/heads';
import { snapshot, tinyBase, tinyData, useCpu } from './helpers';

const FIT = { epochs: 2, batchSize: 8, verbose: 0 as const, shuffle: false };

function isEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

/** [moving_mean, moving_variance] of a BN layer. */
function movingStats(model: tf.LayersModel, name: string): Float32Array[] {
  return snapshot(model, name).slice(2);
}

describe('BatchNormalization in a frozen base (the Keras training=False rule)', () => {
  before(useCpu);

  it('plain tfjs-layers 4.22 still updates the moving statistics of a trainable=false BN in fit (why the rule is needed)', async () => {
    const base = tinyBase();
    for (const layer of base.layers) layer.trainable = false; // no applyFrozenBatchNormRule
    const input = base.inputs[0];
    const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(tf.layers.flatten().apply(base.outputs[0])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const before = movingStats(model, 'bn1');
    const { xs, ys } = tinyData(16);
    await model.fit(xs, ys, FIT);
    assert.notDeepEqual(movingStats(model, 'bn1'), before);
    tf.dispose([xs, ys]);
  });

  it('fit with a frozen base: moving mean/variance bit-identical, conv frozen, head trains', async () => {
    const base = tinyBase();
    const model = buildTransferModel(base, { head: 'gap', numClasses: 2, strategy: 'featureExtraction' });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const bn1 = movingStats(model, 'bn1');
    const bn2 = movingStats(model, 'bn2');
    const conv1 = snapshot(model, 'conv1');
    const head = snapshot(model, 'head_predictions');
    const { xs, ys } = tinyData(16);
    await model.fit(xs, ys, FIT);
    assert.deepEqual(movingStats(model, 'bn1'), bn1);
    assert.deepEqual(movingStats(model, 'bn2'), bn2);
    assert.deepEqual(snapshot(model, 'conv1'), conv1);
    assert.notDeepEqual(snapshot(model, 'head_predictions'), head);
    tf.dispose([xs, ys]);
  });

  it('a frozen BN normalises with its moving statistics even when called with training=true', () => {
    const base = freeze(tinyBase(), 'all');
    const { xs, ys } = tinyData(8);
    const inTraining = base.apply(xs, { training: true }) as tf.Tensor;
    const inInference = base.predict(xs) as tf.Tensor;
    // Inside fit a frozen BN runs as x*scale+shift (a cheaper gradient): equal up to rounding.
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(inTraining, inInference))).dataSync()[0]);
    assert.ok(diff < 1e-5, `max |training - inference| = ${diff}`);
    tf.dispose([xs, ys, inTraining, inInference]);
  });

  it('the frozen affine form has the same input gradient as inference-mode batchNorm', () => {
    const bn = tf.layers.batchNormalization({ name: 'bn_grad', epsilon: 1e-3 });
    const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 7);
    bn.apply(x); // build
    bn.setWeights([tf.tensor1d([1.5, 0.5, 2, 1]), tf.tensor1d([0.1, -0.2, 0.3, 0]), tf.tensor1d([0.2, -0.1, 0, 1]), tf.tensor1d([0.5, 2, 1, 0.1])]);
    const [gamma, beta, mean, variance] = bn.getWeights();
    const reference = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.batchNorm(t, mean, variance, beta, gamma, 1e-3))))(x);
    bn.trainable = false;
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [3, 3, 4] }), bn] });
    applyFrozenBatchNormRule(model);
    const affine = tf.grad((t: tf.Tensor) => tf.sum(tf.square(bn.apply(t, { training: true }) as tf.Tensor)))(x);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(affine, reference))).dataSync()[0]);
    assert.ok(diff < 1e-4, `max gradient difference ${diff}`);
    tf.dispose([x, reference, affine]);
  });

  it('after unfreeze for fine-tuning: conv weights change, BN statistics and gamma/beta stay identical', async () => {
    const base = tinyBase();
    const model = buildTransferModel(base, { head: 'gap', numClasses: 2, strategy: 'featureExtraction' });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const { xs, ys } = tinyData(16);
    await model.fit(xs, ys, FIT);
    unfreeze(model, 'all', { recompile: { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9 } });
    assert.equal(model.getLayer('bn1').trainable, false);
    assert.equal(model.getLayer('conv1').trainable, true);
    const bn = [snapshot(model, 'bn1'), snapshot(model, 'bn2')];
    const conv = [snapshot(model, 'conv1'), snapshot(model, 'conv2')];
    await model.fit(xs, ys, FIT);
    assert.deepEqual([snapshot(model, 'bn1'), snapshot(model, 'bn2')], bn);
    assert.notDeepEqual(snapshot(model, 'conv1'), conv[0]);
    assert.notDeepEqual(snapshot(model, 'conv2'), conv[1]);
    tf.dispose([xs, ys]);
  });

  it('keepBatchNormFrozen: false lets BN train again (batch statistics, moving averages updated)', async () => {
    const base = freeze(tinyBase(), 'all');
    unfreeze(base, 'all', { keepBatchNormFrozen: false });
    assert.equal(isFrozenBatchNorm(base.getLayer('bn1')), false);
    const model = buildTransferModel(base, { head: 'gap', numClasses: 2 });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const before = movingStats(model, 'bn1');
    const { xs, ys } = tinyData(16);
    await model.fit(xs, ys, FIT);
    assert.notDeepEqual(movingStats(model, 'bn1'), before);
    tf.dispose([xs, ys]);
  });

  it('a base frozen Keras-style from outside (nested model, base.trainable = false) also keeps its statistics', async () => {
    const base = tinyBase();
    base.trainable = false; // tfjs sets the weights' flags only, not the inner layers' trainable
    const input = tf.input({ shape: [8, 8, 3] });
    const features = base.apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(features) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor });
    assert.equal(applyFrozenBatchNormRule(model), 2);
    assert.equal(isFrozenBatchNorm(base.getLayer('bn1')), true);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const before = movingStats(base, 'bn2');
    const conv = snapshot(base, 'conv2');
    const { xs, ys } = tinyData(16);
    await model.fit(xs, ys, FIT);
    assert.deepEqual(movingStats(base, 'bn2'), before);
    assert.deepEqual(snapshot(base, 'conv2'), conv);
    tf.dispose([xs, ys]);
  });

  it('in tf.sequential, base.trainable = false is undone when the model builds; freeze(base) is not', async () => {
    const run = async (freezeIt: (base: tf.LayersModel) => void) => {
      const base = tinyBase();
      freezeIt(base);
      const model = tf.sequential({ layers: [base, tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] });
      applyFrozenBatchNormRule(model);
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const conv = snapshot(base, 'conv2');
      const stats = movingStats(base, 'bn2');
      const { xs, ys } = tinyData(16);
      await model.fit(xs, ys, FIT);
      tf.dispose([xs, ys]);
      return { convSame: isEqual(snapshot(base, 'conv2'), conv), statsSame: isEqual(movingStats(base, 'bn2'), stats) };
    };
    // Sequential.build runs `this.model.trainable = true`, which re-enables every inner weight.
    assert.deepEqual(await run((base) => { base.trainable = false; }), { convSame: false, statsSame: false });
    assert.deepEqual(await run((base) => freeze(base, 'all')), { convSame: true, statsSame: true });
  });

  it('save/load keeps plain BatchNormalization with trainable: false; applyFrozenBatchNormRule restores the rule', async () => {
    const model = buildTransferModel(tinyBase(), { head: 'gap', numClasses: 2, strategy: 'featureExtraction' });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    assert.ok(artifacts);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const bn = loaded.getLayer('bn1');
    assert.equal(bn.getClassName(), 'BatchNormalization');
    assert.equal(bn.trainable, false);
    assert.equal(applyFrozenBatchNormRule(loaded), 2);
    loaded.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const before = movingStats(loaded, 'bn1');
    const { xs, ys } = tinyData(8);
    await loaded.fit(xs, ys, { ...FIT, epochs: 1 });
    assert.deepEqual(movingStats(loaded, 'bn1'), before);
    tf.dispose([xs, ys]);
  });

  it('recompile keeps the rule (the wrapper lives on the layer, not the compiled function)', async () => {
    const base = freeze(tinyBase(), 'all');
    const model = buildTransferModel(base, { head: 'gap', numClasses: 2 });
    recompile(model, { optimizer: 'adam', learningRate: 1e-2, loss: 'categoricalCrossentropy' });
    recompile(model, { optimizer: 'rmsprop', learningRate: 1e-3 });
    const before = movingStats(model, 'bn1');
    const { xs, ys } = tinyData(8);
    await model.fit(xs, ys, { ...FIT, epochs: 1 });
    assert.deepEqual(movingStats(model, 'bn1'), before);
    tf.dispose([xs, ys]);
  });
});
