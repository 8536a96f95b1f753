/**
 * transfer-lab's wasm gradient kernels against the cpu backend's kernels of the same name, on
 * seeded random shapes and values. Both backends live in one process; every case runs the same
 * kernel with the same inputs under 'cpu' (reference) and 'wasm' (candidate).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ModelError } from '../../src/errors';
import { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from '../../src/backend/kernels/register';
import { conv2DBackpropFilterConfig } from '../../src/backend/kernels/Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from '../../src/backend/kernels/Conv2DBackpropInput';
import { createRng } from '../../src/data/random';

const TOLERANCE = 1e-4;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];
interface Operand {
  shape: number[];
  values: Float32Array;
}

/** A seeded generator (the data area's mulberry32), so shapes and values are the same on every run. */
function rng(seed: number): () => number {
  return createRng(seed).next;
}

function randomOperand(next: () => number, shape: number[]): Operand {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = next() * 2 - 1;
  return { shape, values };
}

function randomInt(next: () => number, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** Runs one kernel on `backend` and returns its output values (inputs and output disposed). */
async function runOn(
  backend: 'cpu' | 'wasm',
  kernel: string,
  inputs: Record<string, Operand>,
  attrs: tf.NamedAttrMap,
): Promise<Operand> {
  await tf.setBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, 'float32');
  const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
  const result = { shape: out.shape, values: (await out.data()) as Float32Array };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** max|a-b| / max(1, max|b|): absolute error for small values, relative error for large ones. */
function relError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

async function assertSameAsCpu(
  kernel: string,
  inputs: Record<string, Operand>,
  attrs: tf.NamedAttrMap,
  label: string,
): Promise<void> {
  const expected = await runOn('cpu', kernel, inputs, attrs);
  const actual = await runOn('wasm', kernel, inputs, attrs);
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const err = relError(actual.values, expected.values);
  assert.ok(err < TOLERANCE, `${label}: relative error ${err.toExponential(2)} >= ${TOLERANCE}`);
}

/** A random conv problem: input shape, square filter size, so that 'valid' has >= 1 output. */
function randomGeometry(next: () => number, kernelSize: number, dilation = 1): { x: Shape4; k: number } {
  const reach = (kernelSize - 1) * dilation + 1;
  const x: Shape4 = [
    randomInt(next, 1, 3),
    randomInt(next, reach, reach + 6),
    randomInt(next, reach, reach + 6),
    randomInt(next, 1, 5),
  ];
  return { x, k: kernelSize };
}

function outShape(x: Shape4, filter: Shape4, strides: number, pad: Pad, depthwise: boolean, dilations = 1): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(x, filter, strides, dilations, pad, undefined, depthwise);
  return [info.outShape[0], info.outShape[1], info.outShape[2], info.outShape[3]];
}

/** Inserts dilation-1 zeros between filter taps: a dilated filter as a plain (larger) one. */
function dilateFilter(f: Operand, d: number): Operand {
  const [kh, kw, c, m] = f.shape;
  const eh = (kh - 1) * d + 1;
  const ew = (kw - 1) * d + 1;
  const values = new Float32Array(eh * ew * c * m);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = (i * kw + j) * c * m;
      values.set(f.values.subarray(src, src + c * m), (i * d * ew + j * d) * c * m);
    }
  }
  return { shape: [eh, ew, c, m], values };
}

/** The taps at multiples of d of a plain filter gradient: a dilated filter's gradient. */
function undilate(g: Operand, d: number, kh: number, kw: number): Operand {
  const [, ew, c, m] = g.shape;
  const values = new Float32Array(kh * kw * c * m);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = (i * d * ew + j * d) * c * m;
      values.set(g.values.subarray(src, src + c * m), (i * kw + j) * c * m);
    }
  }
  return { shape: [kh, kw, c, m], values };
}

const GRID: { strides: number; pad: Pad }[] = [
  { strides: 1, pad: 'same' },
  { strides: 1, pad: 'valid' },
  { strides: 2, pad: 'same' },
  { strides: 2, pad: 'valid' },
  { strides: 1, pad: 1 },
  { strides: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
];
const KERNEL_SIZES = [1, 2, 3, 5];

/** One random Conv2D problem of the GRID x KERNEL_SIZES sweep. */
interface ConvCase {
  x: Shape4;
  filterShape: Shape4;
  dy: Shape4;
  strides: number;
  pad: Pad;
  label: string;
}

/** Runs `check` on a seeded random Conv2D problem for every stride/pad of GRID and every kernel size. */
async function forEachConvCase(seed: number, check: (next: () => number, c: ConvCase) => Promise<void>): Promise<void> {
  const next = rng(seed);
  for (const { strides, pad } of GRID) {
    for (const size of KERNEL_SIZES) {
      const { x, k } = randomGeometry(next, size);
      const filterShape: Shape4 = [k, k, x[3], randomInt(next, 1, 6)];
      const dy = outShape(x, filterShape, strides, pad, false);
      await check(next, { x, filterShape, dy, strides, pad, label: `x=[${x}] k=${k} s=${strides} pad=${JSON.stringify(pad)}` });
    }
  }
}

before(async () => {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

after(async () => {
  await tf.setBackend('cpu');
});

describe('registerWasmGradientKernels', () => {
  test('lists and registers the three kernels wasm 4.22 lacks and the two it replaces, idempotently', () => {
    assert.deepEqual([...WASM_GRADIENT_KERNELS].sort(), [
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'Identity',
      'TransferLabClipByValueGrad',
    ]);
    registerWasmGradientKernels();
    registerWasmGradientKernels();
    for (const name of WASM_GRADIENT_KERNELS) assert.ok(tf.getKernel(name, 'wasm'), name);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), conv2DBackpropFilterConfig);
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), conv2DBackpropInputConfig);
  });

  test("replaces wasm's own (scalar-loop) Conv2DBackpropInput, also when registered again", () => {
    const builtIn: tf.KernelConfig = { ...conv2DBackpropInputConfig, kernelFunc: () => { throw new Error('built-in'); } };
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(builtIn);
    registerWasmGradientKernels();
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), conv2DBackpropInputConfig);
  });

  test('Identity shares the data: a clone outlives its source, memory is freed with the last reference', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { refCount: number } } };
    assert.equal(backend.dataIdMap.get(x.dataId).refCount, 2, 'one buffer, two references');
    assert.equal(tf.memory().numDataBuffers, before.numDataBuffers + 1, 'no copy');
    x.dispose();
    assert.deepEqual(await y.array(), [[1, 2], [3, 4]]);
    y.dispose();
    assert.equal(tf.memory().numDataBuffers, before.numDataBuffers);
    assert.equal(tf.memory().numTensors, before.numTensors);
  });

  test('keeps a kernel wasm already has (a future tfjs wins)', () => {
    const theirs: tf.KernelConfig = { ...conv2DBackpropFilterConfig, kernelFunc: conv2DBackpropFilterConfig.kernelFunc };
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    tf.registerKernel(theirs);
    try {
      registerWasmGradientKernels();
      assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), theirs);
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      registerWasmGradientKernels();
    }
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), conv2DBackpropFilterConfig);
  });
});

describe('Conv2DBackpropFilter matches cpu', () => {
  test('strides 1/2, same/valid/number/explicit pad, filter sizes 1,2,3,5', async () => {
    await forEachConvCase(1, (next, c) => assertSameAsCpu(
      'Conv2DBackpropFilter',
      { x: randomOperand(next, c.x), dy: randomOperand(next, c.dy) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filterShape },
      c.label,
    ));
  });

  test('rectangular filter and strides, dimRoundingMode ceil', async () => {
    const next = rng(2);
    const x: Shape4 = [2, 9, 8, 3];
    const filterShape: Shape4 = [3, 2, 3, 4];
    const info = tf.backend_util.computeConv2DInfo(x, filterShape, [2, 1], 1, 1, 'ceil');
    await assertSameAsCpu(
      'Conv2DBackpropFilter',
      { x: randomOperand(next, x), dy: randomOperand(next, info.outShape) },
      { strides: [2, 1], pad: 1, dimRoundingMode: 'ceil', dataFormat: 'NHWC', filterShape },
      'rectangular',
    );
  });

  test('MobileNet-sized 1x1 expansion and projection (either operand packed), also used twice on one x', async () => {
    const next = rng(12);
    const x = randomOperand(next, [2, 7, 7, 24]);
    for (const [cin, cout] of [[24, 144], [24, 16]]) {
      await assertSameAsCpu(
        'Conv2DBackpropFilter',
        { x, dy: randomOperand(next, [2, 7, 7, cout]) },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, cin, cout] },
        `1x1 ${cin}->${cout}`,
      );
    }
    // Two filter gradients of the same input tensor in one scope (a ResNet shortcut and main branch).
    await tf.setBackend('wasm');
    const xt = tf.tensor(x.values, x.shape);
    const grads = [144, 72].map((cout) => {
      const dy = tf.tensor(randomOperand(next, [2, 7, 7, cout]).values, [2, 7, 7, cout]);
      const got = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy }, { strides: 1, pad: 'valid', filterShape: [1, 1, 24, cout] }) as tf.Tensor;
      return { dy, got };
    });
    for (const { dy, got } of grads) {
      const want = tf.matMul(xt.reshape([98, 24]), dy.reshape([98, dy.shape[3]!]), true, false);
      assert.ok(tf.max(tf.abs(tf.sub(got.reshape(want.shape), want))).dataSync()[0] < 1e-4);
    }
    tf.dispose([xt, ...grads.flatMap((g) => [g.dy, g.got])]);
  });

  test('refuses NCHW with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 3, 5, 5]);
    const dy = tf.zeros([1, 2, 5, 5]);
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 2] }),
      (err: unknown) => err instanceof ModelError && /Conv2DBackpropFilter .*does not support dataFormat 'NCHW'.*channelsLast/.test(err.message),
    );
    tf.dispose([x, dy]);
  });
});

describe('Conv2DBackpropInput matches cpu', () => {
  test('strides 1/2, same/valid/number/explicit pad, filter sizes 1,2,3,5', async () => {
    await forEachConvCase(6, (next, c) => assertSameAsCpu(
      'Conv2DBackpropInput',
      { dy: randomOperand(next, c.dy), filter: randomOperand(next, c.filterShape) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
      c.label,
    ));
  });

  test('a MobileNet-sized 1x1 projection and rectangular filter with ceil rounding', async () => {
    const next = rng(7);
    await assertSameAsCpu(
      'Conv2DBackpropInput',
      { dy: randomOperand(next, [2, 7, 7, 96]), filter: randomOperand(next, [1, 1, 64, 96]) },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 7, 7, 64] },
      '1x1 projection',
    );
    const x: Shape4 = [2, 9, 8, 3];
    const filterShape: Shape4 = [3, 2, 3, 4];
    const info = tf.backend_util.computeConv2DInfo(x, filterShape, [2, 1], 1, 1, 'ceil');
    await assertSameAsCpu(
      'Conv2DBackpropInput',
      { dy: randomOperand(next, info.outShape), filter: randomOperand(next, filterShape) },
      { strides: [2, 1], pad: 1, dimRoundingMode: 'ceil', dataFormat: 'NHWC', inputShape: x },
      'rectangular',
    );
  });
});

describe('the ReLU6 (clipByValue) gradient', () => {
  // Values on both bounds (0 and 6) and either side of them: the gradient passes on the bounds.
  const xs = [-1, 0, 0.5, 3, 5.999, 6, 6.001, 9, -0.001, 2];
  const reluSixGrad = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const x = tf.tensor2d(xs, [2, 5]);
    const dy = tf.tensor2d(xs.map((_, i) => i + 1), [2, 5]);
    const g = tf.grad((t: tf.Tensor) => tf.clipByValue(t, 0, 6))(x, dy);
    const values = Array.from(await g.data());
    tf.dispose([x, dy, g]);
    return values;
  };

  test('runs as one wasm kernel and equals the cpu formula, bounds included', async () => {
    const cpu = await reluSixGrad('cpu');
    assert.deepEqual(cpu, [0, 2, 3, 4, 5, 6, 0, 0, 0, 10]);
    await tf.setBackend('wasm');
    const profile = await tf.profile(async () => { await reluSixGrad('wasm'); });
    assert.ok(profile.kernels.some((k) => k.name === 'TransferLabClipByValueGrad'), 'the one-pass kernel ran');
    assert.ok(!profile.kernels.some((k) => k.name === 'LogicalAnd'), "tfjs' five-kernel formula did not run");
    assert.deepEqual(await reluSixGrad('wasm'), cpu);
  });

  test('a model with ReLU(maxValue 6) trains the same on wasm as on cpu (one step)', async () => {
    const step = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 6, inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.reLU({ maxValue: 6 }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ] });
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
      const x = tf.tensor2d([[3, -2, 5, 1], [-4, 2, 8, 0.5]]);
      const y = tf.tensor2d([[1, 0], [0, 1]]);
      await model.trainOnBatch(x, y);
      const w = Array.from(await model.layers[0].getWeights()[0].data());
      tf.dispose([x, y]);
      model.dispose();
      return w;
    };
    const cpu = await step('cpu');
    const wasm = await step('wasm');
    assert.ok(relError(Float32Array.from(wasm), Float32Array.from(cpu)) < TOLERANCE);
  });
});

describe('DepthwiseConv2dNative gradients match cpu', () => {
  test('filter and input gradients: strides 1/2, all pads, multiplier 1 and 2', async () => {
    const next = rng(3);
    for (const { strides, pad } of GRID) {
      for (const multiplier of [1, 2]) {
        for (const size of [1, 3, 5]) {
          const { x, k } = randomGeometry(next, size);
          const filterShape: Shape4 = [k, k, x[3], multiplier];
          const dy = randomOperand(next, outShape(x, filterShape, strides, pad, true));
          const label = `x=[${x}] k=${k} M=${multiplier} s=${strides} pad=${JSON.stringify(pad)}`;
          await assertSameAsCpu(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: randomOperand(next, x), dy },
            { strides, pad, dilations: 1, filterShape },
            `filter grad ${label}`,
          );
          await assertSameAsCpu(
            'DepthwiseConv2dNativeBackpropInput',
            { dy, filter: randomOperand(next, filterShape) },
            { strides, pad, dilations: 1, inputShape: x },
            `input grad ${label}`,
          );
        }
      }
    }
  });

  test('MobileNet-sized filter gradients (the SIMD heap kernel), channel counts with a remainder of 4', async () => {
    const next = rng(11);
    for (const { x, strides, pad } of [
      { x: [4, 14, 14, 38], strides: 2, pad: 'same' as Pad },
      { x: [3, 7, 7, 161], strides: 1, pad: 'same' as Pad },
      { x: [2, 15, 13, 20], strides: 2, pad: 'valid' as Pad },
    ]) {
      const filterShape: Shape4 = [3, 3, x[3], 1];
      const dy = randomOperand(next, outShape(x as Shape4, filterShape, strides, pad, true));
      await assertSameAsCpu(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: randomOperand(next, x), dy },
        { strides, pad, dilations: 1, filterShape },
        `filter grad x=[${x}] s=${strides} pad=${pad}`,
      );
    }
  });

  // The cpu kernels accept `dilations` but their loops ignore it, so the reference for dilation 2
  // is the cpu kernel on the equivalent plain filter (zeros between the taps).
  test('dilation 2, against the cpu kernels on the zero-dilated filter', async () => {
    const next = rng(4);
    const d = 2;
    for (const pad of ['same', 'valid'] as const) {
      for (const multiplier of [1, 2]) {
        const { x, k } = randomGeometry(next, 3, d);
        const filter = randomOperand(next, [k, k, x[3], multiplier]);
        const plain = dilateFilter(filter, d);
        const dy = randomOperand(next, outShape(x, shape4(filter.shape), 1, pad, true, d));
        const xs = randomOperand(next, x);
        const label = `x=[${x}] d=${d} M=${multiplier} pad=${pad}`;

        const refFilter = await runOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x: xs, dy }, { strides: 1, pad, dilations: 1, filterShape: plain.shape });
        const gotFilter = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x: xs, dy }, { strides: 1, pad, dilations: d, filterShape: filter.shape });
        const expected = undilate(refFilter, d, k, k);
        assert.deepEqual(gotFilter.shape, expected.shape);
        const errF = relError(gotFilter.values, expected.values);
        assert.ok(errF < TOLERANCE, `filter grad ${label}: ${errF}`);

        const refInput = await runOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: plain }, { strides: 1, pad, dilations: 1, inputShape: x });
        const gotInput = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: 1, pad, dilations: d, inputShape: x });
        assert.deepEqual(gotInput.shape, refInput.shape);
        const errI = relError(gotInput.values, refInput.values);
        assert.ok(errI < TOLERANCE, `input grad ${label}: ${errI}`);
      }
    }
  });

  test('refuses NCHW with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 5, 5, 3]);
    const dy = tf.zeros([1, 5, 5, 3]);
    assert.throws(
      () =>
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
          strides: 1, pad: 'same', dilations: 1, dataFormat: 'NCHW', filterShape: [3, 3, 3, 1],
        }),
      (err: unknown) => err instanceof ModelError && /DepthwiseConv2dNativeBackpropFilter .*dataFormat 'NCHW'/.test(err.message),
    );
    tf.dispose([x, dy]);
  });
});

function shape4(shape: number[]): Shape4 {
  return [shape[0], shape[1], shape[2], shape[3]];
}

describe('memory', () => {
  test('repeated gradient calls leave tensor count, bytes and wasm buffers unchanged', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const next = rng(5);
    const x = tf.tensor(randomOperand(next, [2, 9, 9, 4]).values, [2, 9, 9, 4]);
    const dyConv = tf.tensor(randomOperand(next, [2, 5, 5, 6]).values, [2, 5, 5, 6]);
    const dyDw = tf.tensor(randomOperand(next, [2, 5, 5, 8]).values, [2, 5, 5, 8]);
    const filterDw = tf.tensor(randomOperand(next, [3, 3, 4, 2]).values, [3, 3, 4, 2]);
    const filterConv = tf.tensor(randomOperand(next, [3, 3, 4, 6]).values, [3, 3, 4, 6]);
    const dyPw = tf.tensor(randomOperand(next, [2, 9, 9, 6]).values, [2, 9, 9, 6]);
    const filterPw = tf.tensor(randomOperand(next, [1, 1, 4, 6]).values, [1, 1, 4, 6]);
    const step = () => {
      const outs = [
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyConv }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 4, 6] }),
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyDw }, { strides: 2, pad: 'same', dilations: 1, filterShape: [3, 3, 4, 2] }),
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyDw, filter: filterDw }, { strides: 2, pad: 'same', dilations: 1, inputShape: [2, 9, 9, 4] }),
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dyConv, filter: filterConv }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 9, 4] }),
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dyPw, filter: filterPw }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 9, 9, 4] }),
      ] as tf.Tensor[];
      tf.dispose(outs);
    };
    step();
    const before = { ...tf.memory(), ids: backend.numDataIds() };
    for (let i = 0; i < 3; i++) step();
    const after = { ...tf.memory(), ids: backend.numDataIds() };
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numBytes, before.numBytes);
    assert.equal(after.ids, before.ids);
    tf.dispose([x, dyConv, dyDw, filterDw, filterConv, dyPw, filterPw]);
  });
});
