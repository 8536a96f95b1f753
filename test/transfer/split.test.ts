import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { splitAt, joinModels } from '../../src/transfer';

function chainModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'r1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 5, kernelSize: 1, name: 'pw2' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'chain' });
}

function residualModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 4] });
  const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'b' }).apply(a) as tf.SymbolicTensor;
  const add = tf.layers.add({ name: 'block_add' }).apply([a, b]) as tf.SymbolicTensor;
  const c = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(add) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: c, name: 'res' });
}

test('bottom then top equals the whole model, and both share its weights', async () => {
  await tf.setBackend('cpu');
  const model = chainModel();
  const { bottom, top } = splitAt(model, 'r1');
  assert.deepEqual(bottom.outputs[0].shape, [null, 8, 8, 4]);
  assert.deepEqual(top.inputs[0].shape, [null, 8, 8, 4]);
  assert.deepEqual(top.layers.slice(1).map((l) => l.name), ['dw2', 'pw2', 'gap']);
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1);
  const whole = model.predict(x) as tf.Tensor;
  const parts = top.predict(bottom.predict(x) as tf.Tensor) as tf.Tensor;
  assert.ok(tf.max(tf.abs(whole.sub(parts))).dataSync()[0] < 1e-6);
  assert.equal(top.getLayer('pw2'), model.getLayer('pw2'), 'layers are shared, not copied');
  const joined = joinModels(bottom, top);
  assert.ok(tf.max(tf.abs((joined.predict(x) as tf.Tensor).sub(whole))).dataSync()[0] < 1e-6);
  tf.dispose([x, whole, parts]);
});

test('a cut at a residual block boundary works; a cut inside the block is refused clearly', () => {
  const model = residualModel();
  const { top } = splitAt(model, 'block_add');
  assert.deepEqual(top.outputs[0].shape, [null, 8, 8, 2]);
  assert.deepEqual(splitAt(model, 'a').top.layers.slice(1).map((l) => l.name), ['b', 'block_add', 'c']);
  assert.throws(() => splitAt(model, 'b'), /cannot cut 'res' after 'b': layer 'block_add' also reads 'a\/.*' from before the cut \(a skip connection\)/);
});

test('pooledFeatureModel concatenates the pooled taps and splits at a tap', async () => {
  const { pooledFeatureModel } = await import('../../src/transfer');
  const model = chainModel();
  const pooled = pooledFeatureModel(model, ['r1', 'pw2']);
  assert.deepEqual(pooled.outputs[0].shape, [null, 4 + 5]);
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2);
  const feats = pooled.predict(x) as tf.Tensor;
  const r1 = (tf.model({ inputs: model.inputs, outputs: model.getLayer('r1').output as tf.SymbolicTensor }).predict(x) as tf.Tensor).mean([1, 2]);
  assert.ok(tf.max(tf.abs(feats.slice([0, 0], [-1, 4]).sub(r1))).dataSync()[0] < 1e-6);
  // The cut tensor is itself a tap: the top pools its own input.
  const { bottom, top } = splitAt(pooled, 'r1');
  assert.ok(tf.max(tf.abs((top.predict(bottom.predict(x) as tf.Tensor) as tf.Tensor).sub(feats))).dataSync()[0] < 1e-6);
  assert.throws(() => pooledFeatureModel(model, ['gap']), /layer 'gap' outputs shape \[null,5\]; tap a conv layer/);
  tf.dispose([x, feats, r1]);
});
