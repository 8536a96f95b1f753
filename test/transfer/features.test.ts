import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { ImageDataGenerator } from '../../src/data/generator';
import { defaultFeatureCacheDir, weightsFingerprint } from '../../src/transfer/cache';
import {
  cacheAugmentedFeatures, extractFeatures, featuresToDataFrame, type FeatureBatch, type FeatureSource,
} from '../../src/transfer/features';
import { freeze } from '../../src/transfer/freeze';
import { buildHeadModel, headLoss } from '../../src/transfer/heads';
import { truncateAt } from '../../src/transfer/truncate';
import { loadMirrorMobileNet, tinyBase, tinyData } from './helpers';

/**
 * A DirectoryIterator stand-in over seeded in-memory 8x8 images, with one real (tiny) file per
 * image so the cache key can stat it. `augment` adds noise drawn from (seed, epoch, batch), the
 * way a seeded DirectoryIterator derives its augmentation.
 */
class FakeIterator implements FeatureSource {
  readonly classNames = ['a', 'b'];
  readonly filepaths: string[];
  readonly classes: number[];
  readonly samples: number;
  readonly targetSize: [number, number] = [8, 8];
  epochsSeen = 0;
  private readonly xs: tf.Tensor4D;

  constructor(readonly directory: string, n: number, private readonly opts: { batchSize?: number; augment?: boolean; seed?: number; labels?: boolean } = {}) {
    const data = tinyData(n);
    data.ys.dispose();
    this.xs = data.xs;
    this.classes = data.classes;
    this.samples = n;
    this.filepaths = this.classes.map((c, i) => path.join(directory, this.classNames[c], `img_${String(i).padStart(3, '0')}.bin`));
    for (const p of this.filepaths) {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      if (!fs.existsSync(p)) fs.writeFileSync(p, 'x');
    }
  }

  async *batches(): AsyncIterableIterator<FeatureBatch> {
    const epoch = this.epochsSeen++;
    const size = this.opts.batchSize ?? 16;
    for (let start = 0, k = 0; start < this.samples; start += size, k++) {
      const count = Math.min(size, this.samples - start);
      const xs = tf.tidy(() => {
        const x = this.xs.slice([start, 0, 0, 0], [count, 8, 8, 3]);
        const seed = (this.opts.seed ?? 1) * 10007 + epoch * 101 + k;
        return this.opts.augment ? x.add(tf.randomUniform(x.shape, -2, 2, 'float32', seed)) : x;
      }) as tf.Tensor4D;
      const classes = this.classes.slice(start, start + count);
      const ys = tf.tidy(() => (this.opts.labels === false ? tf.zeros([count, 0]) : tf.oneHot(tf.tensor1d(classes, 'int32'), 2).toFloat()));
      yield { xs, ys, paths: this.filepaths.slice(start, start + count) };
    }
  }

  dispose(): void {
    this.xs.dispose();
  }
}

/** Counts `base.predict` calls: a cache hit must not run the base. */
function countPredict(base: tf.LayersModel): { calls: number } {
  const counter = { calls: 0 };
  const predict = base.predict.bind(base);
  base.predict = (x, args) => {
    counter.calls++;
    return predict(x, args);
  };
  return counter;
}

let tmp: string;
const fresh = (name: string) => fs.mkdtempSync(path.join(tmp, `${name}-`));

describe('extractFeatures cache', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-features-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a miss runs the base once per batch and writes .f32 + .json; a hit reads them without the base', async () => {
    const base = freeze(tinyBase(), 'all');
    const counter = countPredict(base);
    const it = new FakeIterator(fresh('data'), 40);
    const cacheDir = fresh('cache');
    const first = await extractFeatures(base, it, { cacheDir, datasetId: 'fake', preprocessing: 'none' });
    assert.equal(first.fromCache, false);
    assert.equal(counter.calls, 3);
    assert.deepEqual(first.features.shape, [40, 4, 4, 8]);
    assert.deepEqual(first.labels.shape, [40, 2]);
    assert.deepEqual(first.labelIndices, it.classes);
    assert.deepEqual(first.paths, it.filepaths);
    assert.deepEqual(fs.readdirSync(cacheDir).sort(), [`${first.key}.f32`, `${first.key}.json`]);
    const meta = JSON.parse(fs.readFileSync(path.join(cacheDir, `${first.key}.json`), 'utf8'));
    assert.deepEqual(meta.shape, [40, 4, 4, 8]);
    assert.deepEqual(meta.classNames, ['a', 'b']);
    assert.equal(meta.about.fileCount, 40);

    const progress: string[] = [];
    const second = await extractFeatures(base, it, { cacheDir, datasetId: 'fake', preprocessing: 'none', progress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`) });
    assert.equal(second.fromCache, true);
    assert.equal(counter.calls, 3, 'the base was not called on a hit');
    assert.deepEqual(progress, ['cached 40/40']);
    assert.equal(second.key, first.key);
    assert.deepEqual(second.features.dataSync(), first.features.dataSync());
    assert.deepEqual(second.labels.dataSync(), first.labels.dataSync());
    assert.deepEqual(second.paths, first.paths);
    tf.dispose([first.features, first.labels, second.features, second.labels]);
    it.dispose();
  });

  it('the key changes with preprocessing, weights, file stamps and copy index; cache: false neither reads nor writes', async () => {
    const base = freeze(tinyBase(), 'all');
    const counter = countPredict(base);
    const it = new FakeIterator(fresh('data'), 16);
    const cacheDir = fresh('cache');
    const run = async (opts: object = {}) => {
      const set = await extractFeatures(base, it, { cacheDir, ...opts });
      tf.dispose([set.features, set.labels]);
      return set;
    };
    const a = await run();
    assert.equal((await run()).fromCache, true);
    const b = await run({ preprocessing: 'mobilenet' });
    assert.equal(b.fromCache, false);
    assert.notEqual(b.key, a.key);
    assert.equal((await run({ copy: 1, augmentation: 'flip' })).fromCache, false);

    fs.appendFileSync(it.filepaths[3], 'more bytes');
    assert.equal((await run()).fromCache, false, 'a changed file is a miss');

    const before = weightsFingerprint(base);
    const conv = base.getLayer('conv1');
    conv.setWeights(conv.getWeights().map((w) => w.mul(1.01)));
    assert.notEqual(weightsFingerprint(base), before);
    assert.equal((await run()).fromCache, false, 'changed weights are a miss');

    const calls = counter.calls;
    const files = fs.readdirSync(cacheDir).length;
    assert.equal((await run({ cache: false })).fromCache, false);
    assert.equal(counter.calls, calls + 1);
    assert.equal(fs.readdirSync(cacheDir).length, files);
    it.dispose();
  });

  it('leaves no tensors behind (miss, hit, augmented copies)', async () => {
    const base = freeze(tinyBase(), 'all');
    const it = new FakeIterator(fresh('data'), 20, { augment: true });
    const cacheDir = fresh('cache');
    await extractFeatures(base, it, { cacheDir }).then((s) => tf.dispose([s.features, s.labels]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const set = await extractFeatures(base, it, { cacheDir, preprocessing: `p${i}` });
      tf.dispose([set.features, set.labels]);
    }
    const aug = await cacheAugmentedFeatures(base, it, { cacheDir, copies: 2, augmentation: 'noise' });
    tf.dispose([aug.features, aug.labels]);
    assert.equal(tf.memory().numTensors, before);
    it.dispose();
  });

  it('an iterator without labels (classMode null) gives int32 class indices', async () => {
    const it = new FakeIterator(fresh('data'), 10, { labels: false });
    const set = await extractFeatures(freeze(tinyBase(), 'all'), it, { cacheDir: fresh('cache') });
    assert.equal(set.labels.dtype, 'int32');
    assert.deepEqual(Array.from(set.labels.dataSync()), it.classes);
    tf.dispose([set.features, set.labels]);
    it.dispose();
  });

  it('featuresToDataFrame: one row per image, columns f0..fN and label', async () => {
    const it = new FakeIterator(fresh('data'), 12);
    const set = await extractFeatures(freeze(tinyBase(), 'all'), it, { cacheDir: fresh('cache') });
    const df = featuresToDataFrame(set);
    assert.deepEqual(df.shape, [12, 4 * 4 * 8 + 1]);
    assert.deepEqual(df.columns.slice(0, 2), ['f0', 'f1']);
    assert.deepEqual(df.columns.at(-1), 'label');
    assert.deepEqual(df.column('label').values, it.classes);
    assert.equal(df.iat(1, 5), set.features.dataSync()[128 + 5]);
    assert.deepEqual(featuresToDataFrame(set, { labelAs: 'name' }).column('label').values.slice(0, 3), ['a', 'b', 'a']);
    tf.dispose([set.features, set.labels]);
    it.dispose();
  });

  it('cacheAugmentedFeatures: copies are cached one by one, and a new copy never repeats an old one', async () => {
    const base = freeze(tinyBase(), 'all');
    const counter = countPredict(base);
    const dir = fresh('data');
    const cacheDir = fresh('cache');
    const opts = { cacheDir, augmentation: 'noise±2', datasetId: 'fake' };
    const it1 = new FakeIterator(dir, 8, { augment: true, seed: 5 });
    const two = await cacheAugmentedFeatures(base, it1, { ...opts, copies: 2 });
    assert.deepEqual(two.features.shape, [16, 4, 4, 8]);
    assert.deepEqual(two.copyIndices, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(counter.calls, 2);
    const rows = (t: tf.Tensor, copy: number) => Array.from(t.dataSync().slice(copy * 8 * 128, (copy + 1) * 8 * 128));
    assert.notDeepEqual(rows(two.features, 0), rows(two.features, 1));

    // A new session: same seed, iterator back at epoch 0. Copies 0 and 1 come from disk.
    const it2 = new FakeIterator(dir, 8, { augment: true, seed: 5 });
    const three = await cacheAugmentedFeatures(base, it2, { ...opts, copies: 3 });
    assert.equal(counter.calls, 3, 'only copy 2 ran the base');
    assert.equal(it2.epochsSeen, 3, 'epochs 0 and 1 were skipped so copy 2 uses a fresh augmentation stream');
    assert.deepEqual(rows(three.features, 0), rows(two.features, 0));
    assert.notDeepEqual(rows(three.features, 2), rows(two.features, 0));
    assert.notDeepEqual(rows(three.features, 2), rows(two.features, 1));
    await assert.rejects(cacheAugmentedFeatures(base, it2, { ...opts, copies: 0 }), /cacheAugmentedFeatures\(\): copies must be a whole number >= 1, received 0/);
    await assert.rejects(cacheAugmentedFeatures(base, it2, { cacheDir, copies: 2, augmentation: '' }), /augmentation must describe the augmentation settings/);
    tf.dispose([two.features, two.labels, three.features, three.labels]);
    it1.dispose();
    it2.dispose();
  });

  it('defaultFeatureCacheDir honours TRANSFER_LAB_CACHE, then XDG_CACHE_HOME', () => {
    const saved = { cache: process.env.TRANSFER_LAB_CACHE, xdg: process.env.XDG_CACHE_HOME };
    try {
      process.env.TRANSFER_LAB_CACHE = '/tmp/tl-cache';
      assert.equal(defaultFeatureCacheDir(), path.resolve('/tmp/tl-cache/features'));
      delete process.env.TRANSFER_LAB_CACHE;
      process.env.XDG_CACHE_HOME = '/tmp/xdg';
      assert.equal(defaultFeatureCacheDir(), '/tmp/xdg/transfer-lab/features');
      delete process.env.XDG_CACHE_HOME;
      assert.equal(defaultFeatureCacheDir(), path.join(os.homedir(), '.cache', 'transfer-lab', 'features'));
    } finally {
      for (const [k, v] of [['TRANSFER_LAB_CACHE', saved.cache], ['XDG_CACHE_HOME', saved.xdg]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a Dense head trains on cached features of 200 samples in seconds', async () => {
    const it = new FakeIterator(fresh('data'), 200, { batchSize: 50 });
    const set = await extractFeatures(freeze(tinyBase(), 'all'), it, { cacheDir: fresh('cache') });
    const head = buildHeadModel([4, 4, 8], { head: 'flatten-dense256', numClasses: 2 });
    head.compile({ optimizer: tf.train.adam(1e-3), loss: headLoss('flatten-dense256'), metrics: ['accuracy'] });
    const t0 = Date.now();
    const history = await head.fit(set.features, set.labels, { epochs: 20, batchSize: 32, verbose: 0 });
    const seconds = (Date.now() - t0) / 1000;
    const loss = history.history.loss as number[];
    console.log(`head on cached features: 200 samples x 20 epochs in ${seconds.toFixed(2)} s (${tf.getBackend()}), loss ${loss[0].toFixed(3)} -> ${loss.at(-1)?.toFixed(3)}, acc ${(history.history.acc as number[]).at(-1)}`);
    assert.ok((loss.at(-1) ?? Infinity) < loss[0]);
    tf.dispose([set.features, set.labels]);
    it.dispose();
  });
});

describe('extractFeatures on real data (mirror: MobileNet 0.25, hymenoptera val)', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-features-'));
  });

  it('extracts [153, 7, 7, 256] features once through a real DirectoryIterator, then hits the cache', async (t) => {
    const mirror = process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets';
    const dir = path.join(mirror, 'datasets', 'hymenoptera_data', 'val');
    const mobilenet = await loadMirrorMobileNet();
    if (mobilenet === null || !fs.existsSync(dir)) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    const base = freeze(truncateAt(mobilenet, 'conv_pw_13_relu'), 'all');
    const counter = countPredict(base);
    const gen = new ImageDataGenerator({ preprocessingFunction: (x) => tf.tidy(() => x.div(127.5).sub(1)) });
    const iterator = await gen.flowFromDirectory(dir, { targetSize: [224, 224], batchSize: 32, shuffle: false, verbose: false });
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-features-real-'));
    try {
      const opts = { cacheDir, modelName: 'mobilenet_v1_0.25_224', preprocessing: 'tf' };
      const first = await extractFeatures(base, iterator, opts);
      console.log(`MobileNet 0.25 features: ${first.paths.length} images in ${first.seconds.toFixed(1)} s (${tf.getBackend()})`);
      assert.deepEqual(first.features.shape, [153, 7, 7, 256]);
      assert.deepEqual(first.classNames, ['ants', 'bees']);
      assert.equal(counter.calls, 5);
      const second = await extractFeatures(base, iterator, opts);
      assert.equal(second.fromCache, true);
      assert.equal(counter.calls, 5);
      console.log(`cache hit in ${second.seconds.toFixed(2)} s`);

      const head = buildHeadModel([7, 7, 256], { head: 'gap', numClasses: 2 });
      head.compile({ optimizer: tf.train.rmsprop(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const t0 = Date.now();
      const h = await head.fit(second.features, second.labels, { epochs: 10, batchSize: 32, verbose: 0 });
      console.log(`gap head on 153 cached features, 10 epochs: ${((Date.now() - t0) / 1000).toFixed(2)} s, train acc ${(h.history.acc as number[]).at(-1)}`);
      tf.dispose([first.features, first.labels, second.features, second.labels]);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
