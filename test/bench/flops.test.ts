import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { countMacs, trainingStepMacs } from '../../src/bench/flops';
import { ModelError } from '../../src/errors';
import { foldForInference } from '../../src/parallel/fold';

/**
 * 8x8x3 → Conv2D 3x3x4 'same' (8*8*4*3*3*3 = 6912 MACs) → BN → DepthwiseConv2D 3x3 stride 2,
 * multiplier 2 (4*4*8*9 = 1152) → SeparableConv2D 3x3 → 6 'valid' on 4x4x8 (2*2*(8*9 + 8*6) = 480)
 * → Flatten (24) → Dense 5 (120). Total 8664 MACs.
 */
function knownModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, name: 'dw' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', name: 'sep' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 5, name: 'dense' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

describe('countMacs', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('counts Conv2D, DepthwiseConv2D, SeparableConv2D and Dense MACs per image', () => {
    const model = knownModel();
    const count = countMacs(model);
    assert.deepEqual(count.layers.map((l) => [l.name, l.macs]), [['conv', 6912], ['dw', 1152], ['sep', 480], ['dense', 120]]);
    assert.equal(count.macs, 8664);
    assert.equal(count.gflops, (2 * 8664) / 1e9);
    model.dispose();
  });

  it('counts the same MACs on the folded model, and inside nested models', () => {
    const model = knownModel();
    assert.equal(countMacs(foldForInference(model).model).macs, 8664);
    const outer = tf.input({ shape: [8, 8, 3] });
    const wrapped = tf.model({ inputs: outer, outputs: model.apply(outer) as tf.SymbolicTensor });
    assert.equal(countMacs(wrapped).macs, 8664);
  });

  it('training step: 3x the MACs of layers with trainable weights, 1x the rest', () => {
    const model = knownModel();
    model.getLayer('conv').trainable = false;
    model.getLayer('dw').trainable = false;
    assert.equal(trainingStepMacs(model), 6912 + 1152 + 3 * (480 + 120));
  });

  it('asks for a fixed input size', () => {
    const input = tf.input({ shape: [null, null, 3] });
    const out = tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    assert.throws(() => countMacs(tf.model({ inputs: input, outputs: out })), (e: Error) => e instanceof ModelError && /fixed inputShape/.test(e.message));
  });
});
