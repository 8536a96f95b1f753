/**
 * End-to-end check of the wasm gradient kernels: small MobileNet-like and ResNet-like models
 * (every layer type the model zoo uses) train on the wasm backend, their gradients equal the cpu
 * backend's for the same weights and batch, and training steps leak no tensors.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/backend/kernels/register';

const L = tf.layers;
const SIZE = 32;
const CLASSES = 3;
const GRAD_TOLERANCE = 1e-3;

/** Conv (no bias: BatchNorm follows) -> BN -> ReLU6, the MobileNet unit. */
function convBn(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string): tf.SymbolicTensor {
  let y = L.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, name: `${name}_conv` }).apply(x) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  return L.reLU({ maxValue: 6, name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
}

/** Depthwise (stride 2 via ZeroPadding2D + 'valid', as Keras MobileNet does) -> pointwise. */
function dwBlock(x: tf.SymbolicTensor, filters: number, strides: number, multiplier: number, name: string): tf.SymbolicTensor {
  let y = x;
  if (strides === 2) y = L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${name}_pad` }).apply(y) as tf.SymbolicTensor;
  y = L.depthwiseConv2d({
    kernelSize: 3, strides, depthMultiplier: multiplier, useBias: false,
    padding: strides === 2 ? 'valid' : 'same', name: `${name}_dw`,
  }).apply(y) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: `${name}_dw_bn` }).apply(y) as tf.SymbolicTensor;
  y = L.reLU({ maxValue: 6, name: `${name}_dw_relu` }).apply(y) as tf.SymbolicTensor;
  return convBn(y, filters, 1, 1, `${name}_pw`);
}

function mobileNetLike(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x = convBn(input, 8, 3, 2, 'stem');
  x = dwBlock(x, 16, 1, 1, 'b1');
  x = dwBlock(x, 16, 2, 2, 'b2');
  x = dwBlock(x, 24, 1, 1, 'b3');
  x = L.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = L.reshape({ targetShape: [1, 1, 24], name: 'reshape' }).apply(x) as tf.SymbolicTensor;
  x = L.dropout({ rate: 0.2, seed: 1, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = L.conv2d({ filters: CLASSES, kernelSize: 1, name: 'logits' }).apply(x) as tf.SymbolicTensor;
  x = L.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const output = L.activation({ activation: 'softmax', name: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'mobilenet_like' });
}

/** A ResNet basic block; a 1x1 stride-2 'valid' projection when the shape changes. */
function resBlock(x: tf.SymbolicTensor, filters: number, strides: number, name: string): tf.SymbolicTensor {
  let y = L.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, name: `${name}_1_conv` }).apply(x) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: `${name}_1_bn` }).apply(y) as tf.SymbolicTensor;
  y = L.activation({ activation: 'relu', name: `${name}_1_relu` }).apply(y) as tf.SymbolicTensor;
  y = L.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_2_conv` }).apply(y) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: `${name}_2_bn` }).apply(y) as tf.SymbolicTensor;
  let shortcut = x;
  if (strides !== 1 || x.shape[3] !== filters) {
    shortcut = L.conv2d({ filters, kernelSize: 1, strides, padding: 'valid', useBias: false, name: `${name}_0_conv` }).apply(x) as tf.SymbolicTensor;
    shortcut = L.batchNormalization({ name: `${name}_0_bn` }).apply(shortcut) as tf.SymbolicTensor;
  }
  const sum = L.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
  return L.activation({ activation: 'relu', name: `${name}_out` }).apply(sum) as tf.SymbolicTensor;
}

function resNetLike(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x = L.zeroPadding2d({ padding: 1, name: 'conv1_pad' }).apply(input) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 8, kernelSize: 3, padding: 'valid', name: 'conv1_conv' }).apply(x) as tf.SymbolicTensor;
  x = L.activation({ activation: 'relu', name: 'conv1_relu' }).apply(x) as tf.SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = resBlock(x, 8, 1, 'conv2_block1');
  x = resBlock(x, 16, 2, 'conv3_block1');
  const avg = L.averagePooling2d({ poolSize: 2, padding: 'same', name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  const gap = L.globalAveragePooling2d({ name: 'gap' }).apply(avg) as tf.SymbolicTensor;
  const gmp = L.globalMaxPooling2d({ name: 'gmp' }).apply(x) as tf.SymbolicTensor;
  let h = L.concatenate({ name: 'concat' }).apply([gap, gmp]) as tf.SymbolicTensor;
  h = L.dense({ units: 16, activation: 'relu', name: 'fc' }).apply(h) as tf.SymbolicTensor;
  h = L.dropout({ rate: 0.2, seed: 2, name: 'dropout' }).apply(h) as tf.SymbolicTensor;
  const output = L.dense({ units: CLASSES, activation: 'softmax', name: 'predictions' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'resnet_like' });
}

/** A learnable toy task: the class says which third of the image is brighter. Seeded. */
function batch(n: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => i % CLASSES);
    const noise = tf.randomUniform([n, SIZE, SIZE, 3], 0, 1, 'float32', seed);
    const col = tf.range(0, SIZE).div(SIZE / CLASSES).floor().reshape([1, 1, SIZE, 1]);
    const target = tf.tensor1d(labels, 'float32').reshape([n, 1, 1, 1]);
    const bright = tf.equal(col, target).cast('float32');
    const xs = noise.add(bright.mul(1.5)) as tf.Tensor4D;
    // Built from numbers, not oneHot().cast(): the cpu backend's int32->float32 cast keeps int32
    // storage, which tfjs then copies bit for bit when the tensor moves to wasm (tfjs 4.22).
    const ys = tf.tensor2d(labels.map((c) => Array.from({ length: CLASSES }, (_, k) => (k === c ? 1 : 0))), [n, CLASSES], 'float32');
    return { xs, ys };
  });
}

/** Loss gradients of every trainable weight, in training mode (BatchNorm batch statistics). */
function gradients(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): Map<string, Float32Array> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(xs, { training: true }) as tf.Tensor;
    return tf.metrics.categoricalCrossentropy(ys, probs).mean() as tf.Scalar;
  }, vars);
  const out = new Map<string, Float32Array>();
  for (const v of vars) out.set(v.name, grads[v.name].dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Per weight: max|a-b| / max|b| (each weight here has a real, non-vanishing gradient). */
function worstGradError(wasm: Map<string, Float32Array>, cpu: Map<string, Float32Array>): { name: string; err: number } {
  let worst = { name: '', err: 0 };
  for (const [name, ref] of cpu) {
    const got = wasm.get(name);
    assert.ok(got, `missing gradient for ${name}`);
    let diff = 0;
    let scale = 1e-12;
    for (let i = 0; i < ref.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - ref[i]));
      scale = Math.max(scale, Math.abs(ref[i]));
    }
    if (diff / scale > worst.err) worst = { name, err: diff / scale };
  }
  return worst;
}

before(async () => {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

for (const [label, build] of [['MobileNet-like', mobileNetLike], ['ResNet-like', resNetLike]] as const) {
  describe(`${label} model on wasm`, () => {
    test('gradients equal the cpu backend\'s for the same weights and batch', async () => {
      await tf.setBackend('cpu');
      const model = build();
      const { xs, ys } = batch(6, 11);
      const cpu = gradients(model, xs, ys);
      await tf.setBackend('wasm'); // weights and batch move over to wasm unchanged
      const wasm = gradients(model, xs, ys);
      const worst = worstGradError(wasm, cpu);
      assert.ok(worst.err < GRAD_TOLERANCE, `${worst.name}: relative error ${worst.err.toExponential(2)}`);
      tf.dispose([xs, ys]);
      model.dispose();
    });

    test('trains: no missing kernel, loss decreases, no tensor leak', async () => {
      await tf.setBackend('wasm');
      const model = build();
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      const { xs, ys } = batch(8, 12);
      const losses: number[] = [];
      const usage: string[] = []; // tensors / bytes / wasm buffers after each step
      for (let step = 0; step < 6; step++) {
        const loss = (await model.trainOnBatch(xs, ys)) as number;
        losses.push(loss);
        const memory = tf.memory();
        usage.push(`${memory.numTensors}/${memory.numBytes}/${tf.backend().numDataIds()}`);
      }
      assert.ok(losses.every(Number.isFinite), `losses: ${losses}`);
      assert.ok(losses[5] < losses[0], `loss did not decrease: ${losses.map((l) => l.toFixed(4)).join(', ')}`);
      // After the first step (optimizer slots created), every step leaves memory unchanged.
      assert.deepEqual(usage.slice(2), usage.slice(1, -1), `memory per step: ${usage.join(', ')}`);
      const fit = await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
      assert.equal(fit.history.loss.length, 2);
      tf.dispose([xs, ys]);
      model.dispose();
    });
  });
}
