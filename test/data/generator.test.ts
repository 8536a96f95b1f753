import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { IDENTITY_TRANSFORM, TransformParams } from '../../src/data/augment';
import { ImageDataGenerator } from '../../src/data/generator';
import { DataError } from '../../src/errors';

/** A 1-channel image [h, w, 1] holding 1, 2, 3, ... row by row. */
function counting(h: number, w: number): tf.Tensor3D {
  return tf.tensor3d(Array.from({ length: h * w }, (_, i) => i + 1), [h, w, 1]);
}

function params(p: Partial<TransformParams>): TransformParams {
  return { ...IDENTITY_TRANSFORM, ...p };
}

/** Runs a transform and returns its values rounded to 4 decimals (bilinear at whole pixels is exact up to float error). */
function run(gen: ImageDataGenerator, x: tf.Tensor3D, p: TransformParams): number[] {
  const out = gen.applyTransform(x, p);
  const values = Array.from(out.dataSync(), (v) => Math.round(v * 1e4) / 1e4);
  out.dispose();
  return values;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ImageDataGenerator transforms (${backend} backend)`, () => {
    before(async () => {
      const report = await setupBackend({ prefer: backend, quiet: true });
      assert.equal(report.name, backend);
    });

    it("fills shifted-in columns per fillMode, as Keras documents (kkk|abcd, aaa|abcd, dcba|abcd, abcd|abcd)", () => {
      const x = counting(3, 4);
      const shift = params({ ty: 2 }); // output column c samples input column c + 2
      const expected: Record<string, number[]> = {
        constant: [3, 4, -1, -1, 7, 8, -1, -1, 11, 12, -1, -1],
        nearest: [3, 4, 4, 4, 7, 8, 8, 8, 11, 12, 12, 12],
        reflect: [3, 4, 4, 3, 7, 8, 8, 7, 11, 12, 12, 11],
        wrap: [3, 4, 1, 2, 7, 8, 5, 6, 11, 12, 9, 10],
      };
      for (const fillMode of ['constant', 'nearest', 'reflect', 'wrap'] as const) {
        assert.deepEqual(run(new ImageDataGenerator({ fillMode, cval: -1 }), x, shift), expected[fillMode], fillMode);
      }
      // tx shifts rows: output row r samples input row r + 1.
      assert.deepEqual(run(new ImageDataGenerator(), x, params({ tx: 1 })), [5, 6, 7, 8, 9, 10, 11, 12, 9, 10, 11, 12]);
      x.dispose();
    });

    it("rotates, flips and zooms about the image centre with Keras' matrices", () => {
      const gen = new ImageDataGenerator();
      const x = counting(3, 3);
      assert.deepEqual(run(gen, x, params({ theta: 90 })), [7, 4, 1, 8, 5, 2, 9, 6, 3]);
      assert.deepEqual(run(gen, x, params({ theta: 180 })), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(run(gen, x, params({ flipHorizontal: true })), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
      assert.deepEqual(run(gen, x, params({ flipVertical: true })), [7, 8, 9, 4, 5, 6, 1, 2, 3]);
      const big = counting(5, 5);
      const zoomed = run(gen, big, params({ zx: 0.5, zy: 0.5 })); // zoom in 2x about the centre
      assert.equal(zoomed[12], 13, 'centre pixel stays');
      assert.equal(zoomed[0], 7, 'corner samples input (1, 1)');
      assert.equal(zoomed[4], 9, 'top-right samples input (1, 3)');
      x.dispose();
      big.dispose();
    });

    it('transforms each image of a batch with its own parameters (batched on wasm, one by one on cpu)', () => {
      const gen = new ImageDataGenerator();
      const x = tf.stack([counting(3, 3), counting(3, 3), counting(3, 3)]) as tf.Tensor4D;
      const out = gen.applyTransform(x, [params({ flipHorizontal: true }), params({}), params({ theta: 180 })]);
      assert.deepEqual(Array.from(out.dataSync()), [3, 2, 1, 6, 5, 4, 9, 8, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      tf.dispose([x, out]);
    });

    it('applies brightness and channel shift with clipping', () => {
      const gen = new ImageDataGenerator();
      const x = tf.tensor3d([0, 100, 200, 50], [2, 2, 1]);
      assert.deepEqual(run(gen, x, params({ brightness: 2 })), [0, 200, 255, 100]);
      assert.deepEqual(run(gen, x, params({ channelShiftIntensity: 30 })), [30, 130, 200, 80], 'clipped to the image max');
      x.dispose();
    });

    it('is reproducible with a seed and leaks no tensors', () => {
      const gen = new ImageDataGenerator({ rotationRange: 30, widthShiftRange: 0.3, heightShiftRange: 0.3, zoomRange: 0.3, horizontalFlip: true });
      const x = tf.randomUniform([2, 16, 16, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const a = gen.randomTransform(x, 7);
      const b = gen.randomTransform(x, 7);
      const c = gen.randomTransform(x, 8);
      assert.deepEqual(a.dataSync(), b.dataSync());
      assert.notDeepEqual(a.dataSync(), c.dataSync());
      tf.dispose([a, b, c]);
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
    });
  });
}

describe('ImageDataGenerator options', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
  });

  it('draws parameters inside the configured ranges (the curriculum 7.4 setup)', () => {
    const gen = new ImageDataGenerator({
      rescale: 1 / 255, horizontalFlip: true, zoomRange: 0.3, widthShiftRange: 0.3, heightShiftRange: 0.3,
      rotationRange: 30, fillMode: 'nearest',
    });
    assert.deepEqual(gen.zoomRange, [0.7, 1.3]);
    let flips = 0;
    for (let seed = 0; seed < 200; seed++) {
      const p = gen.getRandomTransform([100, 200], seed);
      assert.ok(Math.abs(p.theta) <= 30);
      assert.ok(Math.abs(p.tx) <= 30 && Math.abs(p.ty) <= 60, 'shifts are fractions of height / width');
      assert.ok(p.zx >= 0.7 && p.zx <= 1.3 && p.zy >= 0.7 && p.zy <= 1.3);
      assert.equal(p.flipVertical, false);
      assert.equal(p.brightness, null);
      if (p.flipHorizontal) flips++;
    }
    assert.ok(flips > 70 && flips < 130, `about half flipped, got ${flips}`);
    assert.deepEqual(gen.getRandomTransform([10, 10], 3), gen.getRandomTransform([10, 10], 3));
  });

  it('reads shift ranges like Keras: < 1 fraction, >= 1 pixels, list = choices with a random sign', () => {
    const pixels = new ImageDataGenerator({ widthShiftRange: 3 });
    const choices = new ImageDataGenerator({ widthShiftRange: [2] });
    for (let seed = 0; seed < 50; seed++) {
      assert.ok(Math.abs(pixels.getRandomTransform([100, 100], seed).ty) <= 3);
      assert.ok([-2, 2].includes(choices.getRandomTransform([100, 100], seed).ty));
    }
    assert.deepEqual(new ImageDataGenerator({ zoomRange: [0.5, 0.9] }).zoomRange, [0.5, 0.9]);
  });

  it('standardizes like Keras: preprocessingFunction first, then rescale', () => {
    const gen = new ImageDataGenerator({ preprocessingFunction: (x) => tf.sub(x, 100) as tf.Tensor4D, rescale: 0.5 });
    const x = tf.tensor4d([100, 300], [1, 1, 2, 1]);
    const out = gen.standardize(x);
    assert.deepEqual(Array.from(out.dataSync()), [0, 100]);
    const plain = gen.standardizeOnly();
    assert.equal(plain.augments, false);
    assert.equal(plain.rescale, 0.5);
    tf.dispose([x, out]);
  });

  it('rejects bad options with the option name and the value received', () => {
    const bad: [ConstructorParameters<typeof ImageDataGenerator>[0], RegExp][] = [
      [{ zoomRange: 1.5 }, /ImageDataGenerator: zoomRange must be such that zoom factors stay positive .*; received 1\.5/],
      [{ fillMode: 'mirror' as never }, /ImageDataGenerator: fillMode must be one of 'nearest', 'constant', 'reflect', 'wrap'; received "mirror"/],
      [{ brightnessRange: [2, 1] }, /brightnessRange must be \[lower, upper\] with 0 <= lower <= upper; received \[2,1\]/],
      [{ rotationRange: -5 }, /rotationRange must be a number >= 0; received -5/],
      [{ widthShiftRange: [] }, /widthShiftRange must be a number >= 0 or a non-empty list/],
      [{ validationSplit: 1 }, /validationSplit must be in \[0, 1\)/],
    ];
    for (const [opts, message] of bad) {
      assert.throws(() => new ImageDataGenerator(opts), (err: unknown) => err instanceof DataError && message.test(err.message));
    }
  });

  it('flow() batches in-memory tensors with their labels, any channel count', async () => {
    const n = 10;
    const xs = tf.tensor4d(Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4)), [n, 2, 2, 1]);
    const ys = tf.tensor1d(Array.from({ length: n }, (_, i) => i), 'int32');
    const it = new ImageDataGenerator({ horizontalFlip: true }).flow(xs, ys, { batchSize: 4, seed: 1 });
    assert.equal(it.numBatches, 3);
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const batch of it.batches()) {
      sizes.push(batch.xs.shape[0]);
      const pixels = batch.xs.dataSync();
      const labels = Array.from(batch.ys.dataSync());
      labels.forEach((label, i) => assert.equal(pixels[i * 4], label, 'image and label stay together'));
      assert.deepEqual(labels, batch.indices);
      seen.push(...labels);
      tf.dispose([batch.xs, batch.ys]);
    }
    assert.deepEqual(sizes, [4, 4, 2]);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    assert.notDeepEqual(seen, Array.from({ length: n }, (_, i) => i), 'shuffled');
    assert.throws(() => new ImageDataGenerator().flow(xs, tf.zeros([3])), /xs has 10 samples but ys has 3/);
    tf.dispose([xs, ys]);
  });
});

describe('reflect fill on every backend', () => {
  it('a shift mirrors the far edge the same on wasm as on cpu (tfjs-backend-wasm reflect bug)', async () => {
    const { ImageDataGenerator, IDENTITY_TRANSFORM } = await import('../../src/data');
    const { setupBackend } = await import('../../src/backend');
    const tfjs = await import('@tensorflow/tfjs');
    const column = [10, 20, 30, 40, 50, 60, 70, 80];
    const results: Record<string, number[]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await setupBackend({ prefer: backend, quiet: true });
      const gen = new ImageDataGenerator({ fillMode: 'reflect' });
      for (const ty of [-3, 3]) {
        const x = tfjs.tensor3d(column, [1, 8, 1]);
        const y = gen.applyTransform(x, { ...IDENTITY_TRANSFORM, ty });
        results[`${backend}${ty}`] = Array.from(await y.data()).map((v) => Math.round(v));
        tfjs.dispose([x, y]);
      }
    }
    assert.deepEqual(results['wasm-3'], results['cpu-3']);
    assert.deepEqual(results['wasm3'], results['cpu3']);
    assert.deepEqual(results['cpu-3'], [30, 20, 10, 10, 20, 30, 40, 50]);
  });
});
