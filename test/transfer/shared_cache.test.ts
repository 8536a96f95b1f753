import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { extractFeatures, type FeatureBatch, type FeatureSource } from '../../src/transfer/features';
import { featureCacheLookupOrder, featureCacheLookups } from '../../src/transfer/shared_cache';
import { tinyBase, tinyData, useCpu } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'test-shared-cache-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A DirectoryIterator stand-in over tiny seeded images, each backed by a real file the key can stat. */
function iteratorOver(directory: string, n: number): FeatureSource & { dispose(): void } {
  const data = tinyData(n);
  data.ys.dispose();
  const classNames = ['a', 'b'];
  const filepaths = data.classes.map((c, i) => path.join(directory, classNames[c], `img_${i}.bin`));
  for (const p of filepaths) {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, 'x');
  }
  return {
    directory, classNames, filepaths, classes: data.classes, samples: n, targetSize: [8, 8],
    async *batches(): AsyncIterableIterator<FeatureBatch> {
      yield { xs: data.xs.clone(), ys: tf.oneHot(tf.tensor1d(data.classes, 'int32'), 2).toFloat(), paths: filepaths };
    },
    dispose: () => data.xs.dispose(),
  };
}

const entries = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

test('featureCacheLookupOrder reads the shared layer first, then the own cache; only the own cache without the variable', () => {
  assert.deepEqual(featureCacheLookupOrder('/home/s1/.cache/transfer-lab/features', {}), [
    { dir: '/home/s1/.cache/transfer-lab/features', source: 'own' },
  ]);
  assert.deepEqual(featureCacheLookupOrder('/home/s1/.cache/transfer-lab/features', { TRANSFER_LAB_SHARED_CACHE: '/opt/transfer-lab/shared-cache' }), [
    { dir: '/opt/transfer-lab/shared-cache/features', source: 'shared' },
    { dir: '/home/s1/.cache/transfer-lab/features', source: 'own' },
  ]);
  // The teacher warming the shared cache itself (own cache = the shared one) reads it once.
  assert.deepEqual(featureCacheLookupOrder('/opt/tl/shared-cache/features', { TRANSFER_LAB_SHARED_CACHE: '/opt/tl/shared-cache' }), [
    { dir: '/opt/tl/shared-cache/features', source: 'own' },
  ]);
});

test('a student run reads features the warm-up put in the shared cache, writes nothing, and counts a shared hit', async () => {
  await useCpu();
  const base = tinyBase('shared_cache_base');
  const it = iteratorOver(path.join(tmp, 'data'), 6);
  const sharedRoot = path.join(tmp, 'shared');
  const studentOwn = path.join(tmp, 'student', 'features');
  const saved = process.env.TRANSFER_LAB_SHARED_CACHE;
  try {
    // The teacher's warm-up: computed, written to the shared layer's features/ folder.
    const warm = await extractFeatures(base, it, { cacheDir: path.join(sharedRoot, 'features') });
    assert.equal(warm.fromCache, false);
    const expected = await warm.features.data();
    tf.dispose([warm.features, warm.labels]);
    const sharedFiles = entries(path.join(sharedRoot, 'features'));
    assert.deepEqual(sharedFiles, [`${warm.key}.f32`, `${warm.key}.json`]);

    // The student, with the shared layer set: a hit there, nothing written to their own cache, the base never runs.
    process.env.TRANSFER_LAB_SHARED_CACHE = sharedRoot;
    let predictCalls = 0;
    const predict = base.predict.bind(base);
    base.predict = (x, args) => { predictCalls += 1; return predict(x, args); };
    const before = featureCacheLookups();
    const run = await extractFeatures(base, it, { cacheDir: studentOwn });
    const after = featureCacheLookups();
    assert.equal(run.fromCache, true);
    assert.equal(run.key, warm.key);
    assert.deepEqual(Array.from(await run.features.data()), Array.from(expected));
    tf.dispose([run.features, run.labels]);
    assert.equal(predictCalls, 0);
    assert.deepEqual(entries(studentOwn), []);
    assert.deepEqual({ shared: after.shared - before.shared, own: after.own - before.own, computed: after.computed - before.computed },
      { shared: 1, own: 0, computed: 0 });

    // Without the shared layer the student computes into their own cache.
    delete process.env.TRANSFER_LAB_SHARED_CACHE;
    const alone = await extractFeatures(base, it, { cacheDir: studentOwn });
    assert.equal(alone.fromCache, false);
    tf.dispose([alone.features, alone.labels]);
    assert.deepEqual(entries(studentOwn), [`${warm.key}.f32`, `${warm.key}.json`]);
    assert.equal(featureCacheLookups().computed - after.computed, 1);
  } finally {
    if (saved === undefined) delete process.env.TRANSFER_LAB_SHARED_CACHE;
    else process.env.TRANSFER_LAB_SHARED_CACHE = saved;
    it.dispose();
    base.dispose();
  }
});
