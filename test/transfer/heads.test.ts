import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../src/errors';
import { trainableReport } from '../../src/transfer/freeze';
import { HEAD_NAMES, buildHeadModel, buildTransferModel, headLoss, type HeadName } from '../../src/transfer/heads';
import { tinyBase, useCpu } from './helpers';

/** [name, params] of the layers after the base (tinyBase has 8 layers; its output is [4, 4, 8] = 128 values). */
function headLayers(model: tf.LayersModel, skip: number): [string, number][] {
  return model.layers.slice(skip).map((l) => [l.name, l.countParams()]);
}

const EXPECTED: Record<HeadName, { layers: [string, number][]; output: (number | null)[] }> = {
  'flatten-dense256': {
    layers: [['head_flatten', 0], ['head_dense_1', 128 * 256 + 256], ['head_dropout', 0], ['head_predictions', 256 * 3 + 3]],
    output: [null, 3],
  },
  gap: { layers: [['head_gap', 0], ['head_predictions', 8 * 3 + 3]], output: [null, 3] },
  'gap-dense256': {
    layers: [['head_gap', 0], ['head_dense_1', 8 * 256 + 256], ['head_dropout', 0], ['head_predictions', 256 * 3 + 3]],
    output: [null, 3],
  },
  'flatten-dense1024x2': {
    layers: [
      ['head_flatten', 0], ['head_dense_1', 128 * 1024 + 1024], ['head_dropout', 0],
      ['head_dense_2', 1024 * 1024 + 1024], ['head_predictions', 1024 * 3 + 3],
    ],
    output: [null, 3],
  },
  binary: {
    layers: [['head_flatten', 0], ['head_dense_1', 128 * 256 + 256], ['head_dropout', 0], ['head_predictions', 257]],
    output: [null, 1],
  },
};

describe('heads', () => {
  before(useCpu);

  for (const head of HEAD_NAMES) {
    it(`'${head}': layer names, parameter counts, output shape`, () => {
      const model = buildTransferModel(tinyBase(), { head, numClasses: head === 'binary' ? 2 : 3 });
      assert.deepEqual(headLayers(model, 8), EXPECTED[head].layers);
      assert.deepEqual(model.outputs[0].shape, EXPECTED[head].output);
      const last = model.getLayer('head_predictions').getConfig();
      assert.equal(last.activation, head === 'binary' ? 'sigmoid' : 'softmax');
      assert.equal(headLoss(head), head === 'binary' ? 'binaryCrossentropy' : 'categoricalCrossentropy');
    });
  }

  it('dropout rate is 0.5 by default and can be set', () => {
    assert.equal(buildTransferModel(tinyBase(), { numClasses: 2 }).getLayer('head_dropout').getConfig().rate, 0.5);
    assert.equal(buildTransferModel(tinyBase(), { numClasses: 2, dropout: 0.2 }).getLayer('head_dropout').getConfig().rate, 0.2);
  });

  it('shares the base layers (no copy) and keeps its input', () => {
    const base = tinyBase();
    const model = buildTransferModel(base, { head: 'gap', numClasses: 2 });
    assert.equal(model.getLayer('conv1'), base.getLayer('conv1'));
    assert.deepEqual(model.inputs[0].shape, [null, 8, 8, 3]);
    assert.equal(model.name, 'tiny_transfer');
  });

  it('with a strategy: the base is frozen and the strategy head is the default', () => {
    const model = buildTransferModel(tinyBase(), { numClasses: 2, strategy: 'featureExtraction' });
    assert.equal(model.getLayer('head_flatten').name, 'head_flatten');
    const head = 128 * 256 + 256 + 256 * 2 + 2;
    assert.equal(trainableReport(model).totals.trainable, head);
  });

  it('cutAt builds on an inner layer', () => {
    const model = buildTransferModel(tinyBase(), { head: 'gap', numClasses: 2, cutAt: 'pool1' });
    assert.deepEqual(model.layers.map((l) => l.name), ['tiny_input', 'conv1', 'bn1', 'relu1', 'pool1', 'head_gap', 'head_predictions']);
  });

  it('a base that already outputs a vector gets no Flatten/GAP layer', () => {
    const input = tf.input({ shape: [6] });
    const base = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 5, name: 'feat' }).apply(input) as tf.SymbolicTensor });
    const model = buildTransferModel(base, { head: 'gap', numClasses: 2 });
    assert.deepEqual(model.layers.slice(2).map((l) => l.name), ['head_predictions']);
  });

  it('buildHeadModel takes cached features and uses the same names', () => {
    const head = buildHeadModel([4, 4, 8], { head: 'flatten-dense256', numClasses: 3 });
    assert.deepEqual(headLayers(head, 1), EXPECTED['flatten-dense256'].layers);
    assert.deepEqual(head.inputs[0].shape, [null, 4, 4, 8]);
    assert.throws(() => buildHeadModel([0, 3], { numClasses: 2 }), /buildHeadModel\(\): featureShape must be positive whole numbers.*received \[0,3\]/);
  });

  it('bad options are ModelErrors that quote the value', () => {
    const base = tinyBase();
    assert.throws(() => buildTransferModel(base, { head: 'mlp' as HeadName, numClasses: 2 }), /buildTransferModel\(\): unknown head "mlp"; use one of flatten-dense256, gap/);
    assert.throws(() => buildTransferModel(base, { numClasses: 1 }), /numClasses must be a whole number >= 2, received 1/);
    assert.throws(() => buildTransferModel(base, { head: 'binary', numClasses: 3 }), /numClasses must be 1 or 2 for the binary head, received 3/);
    assert.throws(() => buildTransferModel(base, { numClasses: 2, dropout: 1 }), /dropout must be in \[0, 1\), received 1/);
    assert.throws(() => buildTransferModel(base, { numClasses: 2, cutAt: 'pool' }), (err: unknown) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /truncateAt\(\) layerName: 'pool' is not a layer of model 'tiny'.*Close names: pool1/);
      return true;
    });
    const withHead = buildTransferModel(base, { head: 'gap', numClasses: 2 });
    assert.throws(() => buildTransferModel(withHead, { numClasses: 2 }), /already has a layer named 'head_gap'/);
  });
});
