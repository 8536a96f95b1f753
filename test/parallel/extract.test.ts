import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { DataError } from '../../src/errors';
import { modelFromTransfer, modelToTransfer } from '../../src/parallel/artifacts';
import { extractFeaturesParallel } from '../../src/parallel/extract';
import { FeatureWorkerPool } from '../../src/parallel/pool';
import { tinyPooledBase, twoClassPngFolder, writeRandomPngs } from './helpers';

describe('extractFeaturesParallel', () => {
  let dir: string;
  let files: string[];
  let base: tf.LayersModel;

  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-parallel-'));
    files = await writeRandomPngs(dir, 7);
    base = tinyPooledBase();
  });
  after(() => {
    base.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives bit-identical features with 0 (this thread), 1 and 2 workers, in input order', async () => {
    const opts = { batchSize: 3, preprocess: 'tf' as const };
    const serial = await extractFeaturesParallel(base, files, { ...opts, workers: 0 });
    const one = await extractFeaturesParallel(base, files, { ...opts, workers: 1 });
    const two = await extractFeaturesParallel(base, files, { ...opts, workers: 2 });
    assert.deepEqual(serial.features.shape, [7, 4]);
    assert.equal(serial.backend, 'wasm');
    assert.equal(two.backend, 'wasm');
    assert.equal(two.workers, 2);
    assert.deepEqual(two.fold, { convs: 1, batchNorms: 1, activations: 1, paddings: 0 });
    const ref = serial.features.dataSync();
    assert.deepEqual(one.features.dataSync(), ref);
    assert.deepEqual(two.features.dataSync(), ref); // max abs diff 0, not just close
    assert.deepEqual(two.paths, files);
    // Reversed input, reversed rows: results follow the input order, not the finishing order.
    const reversed = await extractFeaturesParallel(base, [...files].reverse(), { ...opts, workers: 2, batchSize: 1 });
    const rows = reversed.features.arraySync() as number[][];
    const refRows = serial.features.arraySync() as number[][];
    assert.deepEqual(rows, [...refRows].reverse());
    tf.dispose([serial.features, one.features, two.features, reversed.features]);
  });

  it('matches the unfolded model up to rounding', async () => {
    const folded = await extractFeaturesParallel(base, files, { workers: 0, fold: true });
    const plain = await extractFeaturesParallel(base, files, { workers: 0, fold: false });
    const diff = tf.tidy(() => folded.features.sub(plain.features).abs().max().dataSync()[0]);
    assert.ok(diff < 1e-4, `max abs diff ${diff}`);
    assert.equal(plain.fold, null);
    tf.dispose([folded.features, plain.features]);
  });

  it('rethrows a worker-side decode failure as a DataError naming the file', async () => {
    const bad = path.join(dir, 'broken.png');
    fs.writeFileSync(bad, Buffer.from('not a png at all'));
    await assert.rejects(
      extractFeaturesParallel(base, [files[0], bad], { workers: 1 }),
      (err: Error) => err instanceof DataError && err.message.includes('broken.png'),
    );
  });

  it('validates its arguments', async () => {
    await assert.rejects(extractFeaturesParallel(base, []), /extractFeaturesParallel\(\): argument 'files' must be a non-empty array/);
    await assert.rejects(extractFeaturesParallel(base, files, { workers: -1 }), /options.workers must be a whole number >= 0, received -1/);
  });
});

describe('FeatureWorkerPool and model transfer', () => {
  it('round-trips a model through modelToTransfer / modelFromTransfer', async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    const model = tinyPooledBase();
    const copy = await modelFromTransfer(await modelToTransfer(model));
    const x = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 3);
    assert.deepEqual((copy.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync());
    model.dispose();
    copy.dispose();
  });

  it('runs tensor tasks on 2 workers and rejects runs after close', async () => {
    const model = tinyPooledBase();
    const pool = await FeatureWorkerPool.create(model, { workers: 2, fold: false });
    try {
      assert.equal(pool.size, 2);
      const data = Float32Array.from({ length: 2 * 12 * 12 * 3 }, (_, i) => (i % 17) / 17);
      const results = await pool.runAll([0, 1, 2].map(() => ({ kind: 'tensor' as const, data, shape: [2, 12, 12, 3] as [number, number, number, number] })));
      const want = (model.predict(tf.tensor4d(data, [2, 12, 12, 3])) as tf.Tensor).dataSync();
      for (const r of results) {
        assert.deepEqual(r.shape, [2, 4]);
        assert.deepEqual(r.data, want);
      }
    } finally {
      await pool.close();
      model.dispose();
    }
    await assert.rejects(pool.run({ kind: 'tensor', data: new Float32Array(0), shape: [0, 12, 12, 3] }), /the pool is closed/);
  });
});

describe('extractFeatures with a worker pool', () => {
  it('gives the serial features (up to rounding) in the same order, labels and paths included', async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    const { ImageDataGenerator } = await import('../../src/data');
    const { extractFeatures } = await import('../../src/transfer/features');
    const root = await twoClassPngFolder('tl-pool-features-', [5, 4], 1);
    const base = tinyPooledBase();
    const iterator = () => new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(root, { targetSize: [12, 12], batchSize: 2, shuffle: false, verbose: false });
    const pool = await FeatureWorkerPool.create(base, { workers: 2 });
    try {
      const serial = await extractFeatures(base, await iterator(), { cache: false });
      const seen: number[] = [];
      const pooled = await extractFeatures(base, await iterator(), { cache: false, pool, progress: (p) => seen.push(p.done) });
      assert.deepEqual(pooled.features.shape, [9, 4]);
      assert.deepEqual(pooled.paths, serial.paths);
      assert.deepEqual(pooled.labelIndices, [0, 0, 0, 0, 0, 1, 1, 1, 1]);
      assert.deepEqual(pooled.labels.arraySync(), serial.labels.arraySync());
      assert.deepEqual(seen, [2, 4, 6, 8, 9]);
      const diff = tf.tidy(() => pooled.features.sub(serial.features).abs().max().dataSync()[0]);
      assert.ok(diff < 1e-4, `max abs diff ${diff}`);
      tf.dispose([serial.features, serial.labels, pooled.features, pooled.labels]);
    } finally {
      await pool.close();
      base.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('extractFeatures with a pool that starts on demand', () => {
  it('starts it at a cache miss only, and the cached features equal the pooled ones', async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    const { ImageDataGenerator } = await import('../../src/data');
    const { extractFeatures } = await import('../../src/transfer/features');
    const root = await twoClassPngFolder('tl-pool-lazy-', [3, 3], 5);
    const base = tinyPooledBase();
    const iterator = () => new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(root, { targetSize: [12, 12], batchSize: 2, shuffle: false, verbose: false });
    const pools: FeatureWorkerPool[] = [];
    const start = async () => {
      const pool = await FeatureWorkerPool.create(base, { workers: 1 });
      pools.push(pool);
      return pool;
    };
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-pool-lazy-cache-'));
    try {
      const first = await extractFeatures(base, await iterator(), { cacheDir, pool: start });
      assert.equal(pools.length, 1, 'a miss starts the pool');
      const second = await extractFeatures(base, await iterator(), { cacheDir, pool: start });
      assert.equal(pools.length, 1, 'a hit does not');
      assert.equal(second.fromCache, true);
      assert.deepEqual(second.features.arraySync(), first.features.arraySync());
      tf.dispose([first.features, first.labels, second.features, second.labels]);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      base.dispose();
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('extractFeatures with a failing worker pool', () => {
  it('rejects with the worker error, and batches still in flight do not crash the process', async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    const { ImageDataGenerator } = await import('../../src/data');
    const { extractFeatures } = await import('../../src/transfer/features');
    const root = await twoClassPngFolder('tl-pool-fail-', [6, 6], 3);
    const base = tinyPooledBase(); // expects 12x12 inputs
    const iterator = await new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(root, { targetSize: [16, 16], batchSize: 2, shuffle: false, verbose: false });
    const pool = await FeatureWorkerPool.create(base, { workers: 2 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(extractFeatures(base, iterator, { cache: false, pool }), /expected|shape/i);
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the other batches fail too
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await pool.close();
      base.dispose();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
