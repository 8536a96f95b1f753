/**
 * Issue 16's "done when": with TRANSFER_LAB_MIRROR unset and a real HTTP server on 127.0.0.1
 * standing in for every official host (serving files in the official layouts made from the
 * mirror), `transfer-lab fetch all` brings every asset the notebooks use, each verifies, and
 * the lessons' entry points find them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assetEntry, comesFromText, fileDigest, locateAsset, verifyAsset, type AssetName, type AssetSource } from '../../src/assets';
import { courseAssetNames, fetchAssets } from '../../src/cli/fetch';
import { flowers12, catsDogs100 } from '../../src/data/datasets';
import { imagenetLabels } from '../../src/models/imagenet';
import { MobileNetV2 } from '../../src/models/mobilenet_v2';
import { fixturePath, localSource, makeCatsDogsZip, makeFlowersTgz, MIRROR, serveFolder, writeKerasH5FromTfjs, zipMirrorFolder, type FixtureServer } from './official_fixtures';

function perClass(it: { classNames: string[]; classes: number[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of it.classes) out[it.classNames[c]] = (out[it.classNames[c]] ?? 0) + 1;
  return out;
}

const savedEnv = { mirror: process.env.TRANSFER_LAB_MIRROR, cache: process.env.TRANSFER_LAB_CACHE };
let tmp: string;
let cacheDir: string;
let server: FixtureServer;
const sources: Partial<Record<AssetName, AssetSource>> = {};

/** Puts the stand-in of `name`'s official file(s) under `root` and records its local source. */
async function standIn(name: AssetName, root: string, work: string): Promise<void> {
  const source = assetEntry(name).source;
  const at = (url: string) => fixturePath(root, url);
  const link = async (target: string, file: string) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.symlink(target, file);
  };
  if (source.kind === 'tfjs-model') {
    await link(path.join(MIRROR, assetEntry(name).mirrorPath), path.dirname(at(source.url)));
    sources[name] = localSource(source, 'BASE');
  } else if (source.kind === 'file' && name === 'imagenet_class_index') {
    // Not in the mirror: Keras' format, written from the mirror's MobileNet labels.
    const labels = JSON.parse(await fs.readFile(path.join(MIRROR, 'models/mobilenet_v1_0.25_224/metadata.json'), 'utf8')).labels as string[];
    const index = Object.fromEntries(labels.map((l, i) => [String(i), [`n${String(i).padStart(8, '0')}`, l.split(',')[0].replace(/ /g, '_')]]));
    await fs.mkdir(path.dirname(at(source.url)), { recursive: true });
    await fs.writeFile(at(source.url), JSON.stringify(index));
    sources[name] = localSource(source, 'BASE', { md5: await fileDigest(at(source.url), 'md5') });
  } else if (source.kind === 'file') {
    await link(path.join(MIRROR, assetEntry(name).mirrorPath), at(source.url));
    sources[name] = localSource(source, 'BASE');
  } else if (source.kind === 'archive') {
    await zipMirrorFolder(assetEntry(name).mirrorPath, at(source.url));
    sources[name] = localSource(source, 'BASE');
  } else if (source.kind === 'files') {
    // The mirror re-packs MNIST: the stand-in serves its files, checked by their own md5.
    const files = [];
    for (const f of source.files) {
      const mirrorFile = path.join(MIRROR, assetEntry(name).mirrorPath, f.file);
      await link(mirrorFile, at(f.url));
      files.push({ ...f, url: `BASE/${new URL(f.url).host}${new URL(f.url).pathname}`, digest: { md5: await fileDigest(mirrorFile, 'md5') } });
    }
    sources[name] = { kind: 'files', files };
  } else if (source.kind === 'built') {
    if (name === 'flowers12') await makeFlowersTgz(at(source.from.url), path.join(work, 'flowers'));
    else if (name === 'cats_dogs_100') await makeCatsDogsZip(at(source.from.url), path.join(work, 'cats'));
    else await writeKerasH5FromTfjs(path.join(MIRROR, 'models', 'mobilenet_v2_0.35_224_no_top'), at(source.from.url));
    const digest = source.from.digest ? { md5: await fileDigest(at(source.from.url), 'md5') } : undefined;
    sources[name] = localSource(source, 'BASE', digest);
  } else {
    assert.fail(`${name}: a notebook asset with a source kind this stand-in does not serve`);
  }
}

before(async () => {
  delete process.env.TRANSFER_LAB_MIRROR;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-selfstudy-'));
  cacheDir = path.join(tmp, 'cache');
  const root = path.join(tmp, 'served');
  for (const name of courseAssetNames(true)) await standIn(name as AssetName, root, path.join(tmp, 'work'));
  server = await serveFolder(root);
  // The sources were written with a placeholder base: the server's port is known only now.
  for (const [name, source] of Object.entries(sources)) {
    sources[name as AssetName] = JSON.parse(JSON.stringify(source).replaceAll('BASE/', `${server.base}/`)) as AssetSource;
  }
});

after(async () => {
  await server?.close();
  await fs.rm(tmp, { recursive: true, force: true });
  if (savedEnv.mirror !== undefined) process.env.TRANSFER_LAB_MIRROR = savedEnv.mirror;
  if (savedEnv.cache !== undefined) process.env.TRANSFER_LAB_CACHE = savedEnv.cache;
  else delete process.env.TRANSFER_LAB_CACHE;
});

test('with no mirror, doctor says each asset will be downloaded or built from its official file', () => {
  assert.equal(comesFromText('flowers12', { cacheDir }), 'from: build from official 17flowers.tgz');
  assert.equal(comesFromText('cats_dogs_100', { cacheDir }), 'from: build from official cats_and_dogs_filtered.zip');
  assert.equal(comesFromText('mobilenet_v2_0.35_224_no_top', { cacheDir }), 'from: build from official mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5');
  assert.equal(comesFromText('hymenoptera_data', { cacheDir }), 'from: download');
  assert.equal(comesFromText('hymenoptera_data', { cacheDir, mirror: MIRROR }), 'from: mirror');
});

test("fetch all with no mirror brings every notebook asset from the official hosts' stand-in, and each verifies", async () => {
  const names = courseAssetNames(true);
  assert.deepEqual(
    [...names].sort(),
    ['cats_dogs_100', 'flowers12', 'hymenoptera_data', 'imagenet_class_index', 'keras_mobilenet_2_5_224_tf_no_top', 'mnist', 'mobilenet_v1_0.25_224', 'mobilenet_v1_0.75_224', 'mobilenet_v2_0.35_224_no_top'],
  );
  const { lines, failed } = await fetchAssets(['all'], { cacheDir, sources, download: { onProgress: () => {}, retries: 1 } });
  assert.equal(failed, 0, lines.join('\n'));
  assert.equal(lines.length, names.length);
  for (const line of lines) {
    const built = ['flowers12', 'cats_dogs_100', 'mobilenet_v2_0.35_224_no_top'].includes(line.split(':')[0]);
    assert.match(line, built ? /: built from its official download and checked at / : /: downloaded and verified at /);
  }
  for (const name of names) {
    assert.equal(locateAsset(name, { cacheDir })?.origin, 'cache', name);
    const status = await verifyAsset(name as AssetName, { cacheDir, sample: 24 });
    if (name === 'imagenet_class_index') {
      // Its stand-in is written by this test (the official file is not on this machine), so every
      // later check rightly finds it is not the official file (Keras' md5).
      assert.equal(status.state, 'corrupt');
      assert.match(status.detail, /imagenet_class_index\.json is damaged: expected md5 c2c37ea517e94d9795004a39431a14cb, got [0-9a-f]{32}\. Run 'transfer-lab fetch imagenet_class_index'/);
    } else {
      assert.ok(status.state === 'ok' || status.state === 'unchecked', `${name}: ${status.state} ${status.detail}`);
    }
    assert.equal(comesFromText(name, { cacheDir }), 'from: cache');
  }
  // Every request went to the stand-in server, one per file (no retries were needed).
  assert.ok(server.requests.some((r) => r.endsWith('/17flowers.tgz')));
  assert.ok(server.requests.some((r) => r.endsWith('/cats_and_dogs_filtered.zip')));
});

test('the lessons find the fetched assets with no mirror (datasets, the MobileNetV2 0.35 base) and check the ImageNet names file on use', async () => {
  process.env.TRANSFER_LAB_CACHE = cacheDir;
  const flowers = await flowers12({ targetSize: [16, 16], verbose: false });
  assert.equal(flowers.train.classNames.length, 12);
  assert.deepEqual(new Set(Object.values(perClass(flowers.train))), new Set([60]));
  assert.deepEqual(new Set(Object.values(perClass(flowers.test))), new Set([20]));
  const cats = await catsDogs100({ targetSize: [16, 16], classMode: 'binary', verbose: false });
  assert.deepEqual(perClass(cats.train), { cats: 999, dogs: 1000 });
  assert.deepEqual(perClass(cats.test), { cats: 100, dogs: 100 });
  assert.deepEqual([cats.train.skipped.length, flowers.train.skipped.length], [0, 0]);
  const base = await MobileNetV2({ alpha: 0.35, includeTop: false, weights: 'imagenet', inputShape: [224, 224, 3] });
  assert.equal(base.countParams(), 410208);
  base.dispose();
  // The ImageNet names are looked up in the fetched Keras class index, which is checked on use:
  // this test's stand-in is not the official file, so the lesson refuses it, naming the file.
  await assert.rejects(imagenetLabels(), /resolveAsset\('imagenet_class_index'\): \S+imagenet_class_index\.json is damaged: expected md5 c2c37ea517e94d9795004a39431a14cb/);
});
