import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../src/errors';
import { freeze, needsRecompile, recompile, specIndices, trainableReport, unfreeze } from '../../src/transfer/freeze';
import { makeOptimizer } from '../../src/train/optimizer';
import { snapshot, tinyBase, tinyData, useCpu } from './helpers';

// tinyBase: 0 input, 1 conv1, 2 bn1, 3 relu1, 4 pool1, 5 conv2, 6 bn2, 7 relu2.
const flags = (m: tf.LayersModel) => m.layers.map((l) => l.trainable);
// tfjs creates InputLayer with trainable = false (it has no weights), so it is left out here.
const frozenNames = (m: tf.LayersModel) =>
  m.layers.filter((l) => !l.trainable && l.getClassName() !== 'InputLayer').map((l) => l.name);

// conv1 3*3*3*4+4 = 112, bn1 4*4 = 16 (8 trainable), conv2 3*3*4*8+8 = 296, bn2 8*4 = 32 (16 trainable).
const TOTAL = 112 + 16 + 296 + 32;
const BN_STATS = 8 + 16;

describe('freeze / unfreeze specs', () => {
  before(useCpu);

  it("'all' freezes every layer", () => {
    const m = freeze(tinyBase(), 'all');
    assert.deepEqual(flags(m), Array(8).fill(false));
  });

  it('{first: N} freezes model.layers[:N] (InputLayer counts, as in Keras)', () => {
    assert.deepEqual(frozenNames(freeze(tinyBase(), { first: 3 })), ['conv1', 'bn1']);
    assert.deepEqual(frozenNames(freeze(tinyBase(), { first: 2 })), ['conv1']);
    assert.deepEqual(frozenNames(freeze(tinyBase(), { first: 0 })), []);
    assert.equal(frozenNames(freeze(tinyBase(), { first: 99 })).length, 7);
  });

  it('{upTo: name} is inclusive; {from: name} runs to the end', () => {
    assert.deepEqual(frozenNames(freeze(tinyBase(), { upTo: 'pool1' })), ['conv1', 'bn1', 'relu1', 'pool1']);
    assert.deepEqual(frozenNames(freeze(tinyBase(), { from: 'conv2' })), ['conv2', 'bn2', 'relu2']);
  });

  it('{from: N} is model.layers[N:], negative N counts from the end', () => {
    const m = tinyBase();
    assert.deepEqual(specIndices(m, { from: 5 }, 't'), [5, 6, 7]);
    assert.deepEqual(specIndices(m, { from: -2 }, 't'), [6, 7]);
    assert.deepEqual(specIndices(m, { from: -20 }, 't').length, 8);
  });

  it('only the selected layers change', () => {
    const m = freeze(tinyBase(), 'all');
    unfreeze(m, { from: 'conv2' });
    assert.deepEqual(flags(m), [false, false, false, false, false, true, false, true]); // bn2 stays frozen
  });

  it('an unknown layer name is a ModelError listing close names', () => {
    assert.throws(() => freeze(tinyBase(), { upTo: 'conv_2' }), (err: unknown) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /^freeze\(\) spec\.upTo: 'conv_2' is not a layer of model 'tiny' \(8 layers\)\. Close names: conv2/);
      return true;
    });
    assert.throws(() => unfreeze(tinyBase(), { from: 'block13' }), /unfreeze\(\) spec\.from: 'block13' is not a layer.*No layer name is close/);
  });

  it('bad specs and arguments are ModelErrors that quote the value', () => {
    const m = tinyBase();
    assert.throws(() => freeze(m, { first: -1 }), /freeze\(\): spec\.first must be a whole number >= 0, received -1/);
    assert.throws(() => freeze(m, { from: 1.5 }), /spec\.from must be a layer name or a whole number, received 1\.5/);
    assert.throws(() => freeze(m, 'none' as 'all'), /spec must be 'all', \{first: N\}.*received "none"/);
    assert.throws(() => freeze({} as tf.LayersModel, 'all'), /freeze\(\): argument 'model' must be a tf\.LayersModel, received Object/);
  });

  it('unfreeze keeps BatchNormalization frozen unless asked', () => {
    const m = unfreeze(freeze(tinyBase(), 'all'), 'all');
    assert.deepEqual(frozenNames(m), ['bn1', 'bn2']);
    unfreeze(m, 'all', { keepBatchNormFrozen: false });
    assert.deepEqual(frozenNames(m), []);
  });

  it('freezing a nested model freezes the layers inside it', () => {
    const base = tinyBase();
    const outer = tf.sequential({ layers: [base, tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    freeze(outer, { first: 1 });
    assert.equal(base.trainable, false);
    assert.deepEqual(flags(base), Array(8).fill(false));
    assert.equal(trainableReport(outer).totals.trainable, 4 * 4 * 8 * 2 + 2);
  });
});

describe('trainableReport', () => {
  before(useCpu);

  it('counts parameters like Keras summary (BN moving statistics are non-trainable)', () => {
    const r = trainableReport(tinyBase());
    assert.deepEqual(r.totals, { trainable: TOTAL - BN_STATS, nonTrainable: BN_STATS, total: TOTAL, needsRecompile: false });
    assert.deepEqual(r.rows.map((x) => x.params), [0, 112, 16, 0, 0, 296, 32, 0]);
    assert.deepEqual(r.rows[1], { index: 1, name: 'conv1', type: 'Conv2D', trainable: true, params: 112, outputShape: '[null, 8, 8, 4]', note: '' });
  });

  it('after freeze(first 3): frozen rows, BN noted as inference mode, totals moved', () => {
    const r = trainableReport(freeze(tinyBase(), { first: 3 }));
    assert.deepEqual(r.totals, { trainable: 296 + 16, nonTrainable: TOTAL - 296 - 16, total: TOTAL, needsRecompile: false });
    assert.equal(r.rows[2].note, 'inference mode');
    assert.equal(r.rows[2].trainable, false);
    assert.equal(r.rows[6].note, '');
    assert.match(r.text, /conv1 +Conv2D +\[null, 8, 8, 4\] +112 +frozen/);
    assert.match(r.text, /Trainable params: 312\nNon-trainable params: 144\nTotal params: 456/);
    assert.equal((r.html.match(/<tr style="background/g) ?? []).length, 3);
    assert.match(r.html, /<td style="padding:2px 8px">frozen \(inference mode\)<\/td>/);
  });
});

describe('recompile', () => {
  before(useCpu);

  it('an unfrozen layer only trains after recompile (tfjs collects trainable weights at compile)', async () => {
    const base = freeze(tinyBase(), 'all');
    const flat = tf.layers.flatten().apply(base.outputs[0]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: base.inputs, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(flat) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const { xs, ys } = tinyData(8);
    unfreeze(model, 'all');
    assert.equal(needsRecompile(model), true);
    assert.match(trainableReport(model).text, /call recompile\(model, \{\.\.\.\}\) before fit/);
    const conv = snapshot(model, 'conv1');
    await model.fit(xs, ys, { epochs: 1, verbose: 0 });
    assert.deepEqual(snapshot(model, 'conv1'), conv, 'without recompile the unfrozen conv layer did not train');

    recompile(model, { optimizer: 'sgd', learningRate: 0.1, momentum: 0.9 });
    assert.equal(needsRecompile(model), false);
    assert.deepEqual(model.metrics, ['accuracy']);
    assert.equal(model.loss, 'categoricalCrossentropy');
    await model.fit(xs, ys, { epochs: 1, verbose: 0 });
    assert.notDeepEqual(snapshot(model, 'conv1'), conv);
    tf.dispose([xs, ys]);
  });

  it('a never-compiled model needs a loss; optimizer configs are validated', () => {
    assert.throws(() => recompile(tinyBase(), { optimizer: 'adam', learningRate: 1e-3 }), /recompile\(\): model 'tiny' was never compiled, so config\.loss is required/);
    assert.throws(() => makeOptimizer({ optimizer: 'adagrad' as 'sgd', learningRate: 1e-3 }), /makeOptimizer\(\): optimizer must be 'sgd', 'rmsprop' or 'adam', received "adagrad"/);
    assert.throws(() => makeOptimizer({ optimizer: 'sgd', learningRate: 0 }), /learningRate must be a positive number, received 0/);
    assert.equal(makeOptimizer({ optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 }).getClassName(), 'Momentum');
  });
});
