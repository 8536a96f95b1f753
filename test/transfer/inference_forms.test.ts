/**
 * The lean training forms of Conv2D (no bias, linear) and ReLU(maxValue): same outputs and
 * gradients as tfjs-layers' own forms, less work (no unneeded input derivative, no extra relu).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { setupBackend } from '../../src/backend';
import { applyLeanLayerForms } from '../../src/transfer/inference_forms';
import { freeze } from '../../src/transfer/freeze';

before(async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
});

function smallNet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, kernelInitializer: init(1), name: 'expand' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init(2), name: 'project' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: init(3), name: 'with_bias' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

function lossAndGrads(model: tf.LayersModel, x: tf.Tensor) {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar), vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name].dataSync())) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

test('changes the bias-free linear Conv2D layers and ReLU6, leaves the rest, idempotently', () => {
  const model = smallNet();
  assert.equal(applyLeanLayerForms(model), 3); // expand, relu6, project (with_bias keeps the fused form)
  assert.equal(applyLeanLayerForms(model), 0);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ['InputLayer', 'Conv2D', 'ReLU', 'Conv2D', 'Conv2D', 'GlobalAveragePooling2D']);
  tf.dispose(model.weights.map((w) => w.read()));
});

test('same outputs, loss and gradients as the original forms, with values above 6 and below 0', () => {
  const x = tf.mul(tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 5), 8);
  const plain = smallNet();
  const lean = smallNet();
  lean.setWeights(plain.getWeights());
  applyLeanLayerForms(lean);
  const a = lossAndGrads(plain, x);
  const b = lossAndGrads(lean, x);
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss));
  a.grads.forEach((g, i) => g.forEach((v, j) => assert.ok(Math.abs(v - b.grads[i][j]) <= 1e-4 * (1 + Math.abs(v)), `grad ${i}[${j}]`)));
  const ya = plain.predict(x) as tf.Tensor;
  const yb = lean.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(yb.dataSync()), Array.from(ya.dataSync()));
  tf.dispose([x, ya, yb]);
});

test('the first trainable conv after a frozen part computes no input gradient', async () => {
  const model = smallNet();
  freeze(model, { upTo: 'relu6' }); // freeze applies the lean forms
  const x = tf.randomNormal([2, 6, 6, 3]);
  const profile = await tf.profile(() => { lossAndGrads(model, x); });
  const names = profile.kernels.map((k) => k.name);
  assert.ok(names.includes('Conv2DBackpropFilter'));
  // 'project' is the first trainable conv: its input's gradient is not needed; with_bias' is.
  assert.equal(names.filter((n) => n === 'Conv2DBackpropInput').length, 1);
  assert.ok(!names.includes('Relu'), 'ReLU6 is one clip, no relu');
  x.dispose();
});
