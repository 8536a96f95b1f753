import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trainableReport } from '../../src/transfer/freeze';
import { STRATEGIES, STRATEGY_NAMES, type StrategyName } from '../../src/transfer/scenarios';
import { SMALL_DATASET_THRESHOLD, applyStrategy, recommendStrategy } from '../../src/transfer/strategies';
import { loadMirrorMobileNet, tinyBase, useCpu } from './helpers';

const frozen = (names: string[], model: { getLayer(n: string): { trainable: boolean } }) =>
  names.filter((n) => !model.getLayer(n).trainable);

describe('recommendStrategy', () => {
  it('follows the 2x2 table (size x similarity) with a 1000-image threshold', () => {
    const table: [number, 'similar' | 'different', StrategyName][] = [
      [245, 'similar', 'featureExtraction'], // hymenoptera_data train
      [720, 'similar', 'featureExtraction'], // flowers12 train
      [1999, 'similar', 'fineTune'], // cats_dogs_100 train
      [4125, 'similar', 'fineTune'], // the materials' worked example
      [500, 'different', 'earlyFeatures'], // a small MNIST subset
      [60000, 'different', 'fromPretrainedInit'], // all of MNIST
      [SMALL_DATASET_THRESHOLD - 1, 'similar', 'featureExtraction'],
      [SMALL_DATASET_THRESHOLD, 'similar', 'fineTune'],
    ];
    for (const [trainImages, similarity, want] of table) {
      assert.equal(recommendStrategy({ trainImages, similarity }).strategy, want, `${trainImages} ${similarity}`);
    }
    assert.equal(recommendStrategy({ trainImages: 4125, similarity: 'similar', threshold: 5000 }).strategy, 'featureExtraction');
  });

  it('explains its choice with the strategy rationale', () => {
    const r = recommendStrategy({ trainImages: 245, similarity: 'similar' });
    assert.equal(r.size, 'small');
    assert.match(r.reason, /^245 training images is small \(threshold 1000\) and the data is similar to ImageNet: Few images/);
  });

  it('rejects bad input with the value received', () => {
    assert.throws(() => recommendStrategy({ trainImages: -3, similarity: 'similar' }), /recommendStrategy\(\): trainImages must be a whole number >= 0, received -3/);
    assert.throws(() => recommendStrategy({ trainImages: 10, similarity: 'same' as 'similar' }), /similarity must be 'similar' or 'different', received "same"/);
  });

  it('every strategy has a one-line rationale and its scenario number', () => {
    assert.deepEqual(STRATEGY_NAMES, ['featureExtraction', 'fineTune', 'earlyFeatures', 'fromPretrainedInit']);
    STRATEGY_NAMES.forEach((name, i) => {
      assert.equal(STRATEGIES[name].scenario, i + 1);
      assert.ok(STRATEGIES[name].rationale.length > 20 && !STRATEGIES[name].rationale.includes('\n'));
    });
  });
});

describe('applyStrategy', () => {
  before(useCpu);

  it('featureExtraction: base frozen, head trains, compiled with rmsprop 1e-3', () => {
    const { model, compileDefaults, description } = applyStrategy(tinyBase(), 'featureExtraction', { numClasses: 2 });
    assert.deepEqual(compileDefaults, { optimizer: 'rmsprop', learningRate: 1e-3, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    assert.equal(model.optimizer.getClassName(), 'RMSProp');
    assert.equal(trainableReport(model).totals.trainable, 128 * 256 + 256 + 256 * 2 + 2);
    assert.match(description, /^Strategy 1: featureExtraction \(small data, similar to ImageNet\)\nWhy: /);
    assert.match(description, /Params: 33,538 trainable, 456 frozen/);
  });

  it('fineTune: first layers frozen, BatchNorm frozen, SGD 1e-4 momentum 0.9', () => {
    const { model, compileDefaults } = applyStrategy(tinyBase(), 'fineTune', { numClasses: 3, freezeFirst: 2, head: 'gap' });
    assert.deepEqual(frozen(['conv1', 'bn1', 'conv2', 'bn2', 'head_predictions'], model), ['conv1', 'bn1', 'bn2']);
    assert.equal(compileDefaults.learningRate, 1e-4);
    assert.equal(compileDefaults.momentum, 0.9);
    assert.equal(model.optimizer.getClassName(), 'Momentum');
    assert.equal(model.name, 'tiny_fineTune');
  });

  it('fromPretrainedInit: everything trainable, BatchNorm included', () => {
    const { model } = applyStrategy(tinyBase(), 'fromPretrainedInit', { numClasses: 2 });
    assert.deepEqual(frozen(['conv1', 'bn1', 'conv2', 'bn2'], model), []);
    assert.equal(trainableReport(model).totals.nonTrainable, 8 + 16);
  });

  it('earlyFeatures: needs a cut point on an unknown family, honours cutAt and compile overrides', () => {
    assert.throws(() => applyStrategy(tinyBase(), 'earlyFeatures', { numClasses: 2 }), /model 'tiny' has none of the known early cut layers \(block2_pool, conv_pw_5_relu.*pass cutAt/);
    const { model, compileDefaults, description } = applyStrategy(tinyBase(), 'earlyFeatures', {
      numClasses: 2, cutAt: 'pool1', compile: { learningRate: 3e-4 },
    });
    assert.equal(model.layers.at(-5)?.name, 'pool1');
    assert.equal(compileDefaults.learningRate, 3e-4);
    assert.match(description, /cut at 'pool1'/);
    assert.throws(() => applyStrategy(tinyBase(), 'transfer' as StrategyName, { numClasses: 2 }), /applyStrategy\(\): unknown strategy "transfer"; use one of featureExtraction/);
  });

  it('earlyFeatures on MobileNet 0.25 (mirror) cuts at conv_pw_5_relu by default', async (t) => {
    const mobilenet = await loadMirrorMobileNet();
    if (mobilenet === null) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    const { model, description } = applyStrategy(mobilenet, 'earlyFeatures', { numClasses: 5 });
    assert.match(description, /cut at 'conv_pw_5_relu'/);
    const gapInput = model.getLayer('head_gap').input;
    assert.ok(!Array.isArray(gapInput));
    assert.deepEqual(gapInput.shape, [null, 28, 28, 64]);
    assert.deepEqual(model.outputs[0].shape, [null, 5]);
    // Only the head trains: GAP(64) -> Dense 256 -> Dense 5.
    assert.equal(trainableReport(model).totals.trainable, 64 * 256 + 256 + 256 * 5 + 5);
  });
});
