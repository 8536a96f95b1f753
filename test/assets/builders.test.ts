/**
 * The builders of flowers12, cats_dogs_100 and the MobileNetV2 0.35 base, each fed from a
 * stand-in of its official host (a real HTTP server on 127.0.0.1 serving archives in the
 * official layouts made from the mirror's files), through resolveAsset with no mirror.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { assetEntry, BUILD_RECORD, fileDigest, loadLayersModelFromDir, locateAsset, parseManifest, resolveAsset, verifyAsset, type AssetSource, type ResolveOptions } from '../../src/assets';
import { removeStaleStaging } from '../../src/assets/build';
import { listFiles } from '../../src/assets/builders';
import { catsDogsRecipe } from '../../src/assets/builders/cats_dogs_100';
import { flowers12Split, oxford17ClassOf, OXFORD17_CLASSES } from '../../src/assets/builders/flowers12';
import { AssetError } from '../../src/errors';
import { MobileNetV2 } from '../../src/models/mobilenet_v2';
import { fixturePath, localSource, makeCatsDogsZip, makeFlowersTgz, MIRROR, serveFolder, writeKerasH5FromTfjs, type FixtureServer } from './official_fixtures';

const quiet = () => {};
let tmp: string;
let root: string;
let server: FixtureServer;

function officialSource(name: string): Extract<AssetSource, { kind: 'built' }> {
  const source = assetEntry(name).source;
  assert.equal(source.kind, 'built', name);
  return source as Extract<AssetSource, { kind: 'built' }>;
}

/** Resolve options with no mirror, a fresh cache and the fixture server standing in for `name`'s host. */
async function standIn(name: 'flowers12' | 'cats_dogs_100' | 'mobilenet_v2_0.35_224_no_top', digest?: { md5: string } | null): Promise<ResolveOptions> {
  const cacheDir = await fs.mkdtemp(path.join(tmp, 'cache-'));
  return {
    cacheDir,
    mirror: path.join(tmp, 'no-mirror'),
    download: { onProgress: quiet, retries: 1 },
    sources: { [name]: localSource(officialSource(name), server.base, digest) },
  };
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-builders-'));
  root = path.join(tmp, 'served');
  await makeFlowersTgz(fixturePath(root, officialSource('flowers12').from.url), path.join(tmp, 'flowers-work'));
  await makeCatsDogsZip(fixturePath(root, officialSource('cats_dogs_100').from.url), path.join(tmp, 'cats-work'));
  await writeKerasH5FromTfjs(
    path.join(MIRROR, 'models', 'mobilenet_v2_0.35_224_no_top'),
    fixturePath(root, officialSource('mobilenet_v2_0.35_224_no_top').from.url),
  );
  server = await serveFolder(root);
});

after(async () => {
  await server?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

test('flowers12.split is exactly the file list and split of the mirror manifest, each image under its 17flowers class', async () => {
  const split = await flowers12Split();
  const manifest = parseManifest(await fs.readFile(path.join(__dirname, '../../datasets/manifests/flowers12.sha256'), 'utf8'));
  assert.deepEqual([...split].sort(), manifest.map((m) => m.file).sort());
  assert.equal(split.filter((l) => l.startsWith('train/')).length, 720);
  assert.equal(split.filter((l) => l.startsWith('test/')).length, 240);
  // The 12 folders of the mirror are 12 of the 17 archive classes; each image number lies in its class's block of 80.
  const folders = new Set(split.map((l) => l.split('/')[1]));
  assert.equal(folders.size, 12);
  for (const folder of folders) assert.ok((OXFORD17_CLASSES as readonly string[]).includes(folder), folder);
  assert.equal(oxford17ClassOf('image_0801.jpg'), 'daisy');
  assert.equal(oxford17ClassOf('image_0001.jpg'), 'daffodil');
  assert.equal(oxford17ClassOf('image_1360.jpg'), 'pansy');
  assert.equal(oxford17ClassOf('image_1361.jpg'), undefined);
});

test('flowers12 builds from a 17flowers-shaped archive: exactly the mirror\'s files and split, 224x224 JPEGs, verified by doctor', async () => {
  const archive = fixturePath(root, officialSource('flowers12').from.url);
  const options = await standIn('flowers12', { md5: await fileDigest(archive, 'md5') });
  const dir = await resolveAsset('flowers12', options);
  assert.equal(dir, path.join(options.cacheDir!, 'datasets', 'flowers12'));
  const mirrorList = (await listFiles(path.join(MIRROR, 'datasets', 'flowers12'))).sort();
  const built = await listFiles(dir);
  assert.deepEqual(built, mirrorList, 'the built folder has the mirror\'s files (and not the other classes of the archive)');
  for (const rel of [built[0], built[500], built[959]]) {
    const meta = await sharp(path.join(dir, rel)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 224, 224], rel);
  }
  assert.ok(existsSync(path.join(dir, BUILD_RECORD)));
  const status = await verifyAsset('flowers12', { cacheDir: options.cacheDir, mirror: options.mirror });
  assert.equal(status.state, 'ok', status.detail);
  assert.equal(status.detail, '960 file(s) verified');
  assert.deepEqual(await fs.readdir(path.dirname(dir)), ['flowers12'], 'no staging folder is left');
});

test('flowers12 refuses an archive whose md5 is not the official one, and keeps nothing', async () => {
  // The registry's own digest (the official archive's md5) against the stand-in archive.
  const options = await standIn('flowers12');
  await assert.rejects(resolveAsset('flowers12', options), (err: Error) => {
    assert.ok(err instanceof AssetError);
    assert.match(err.message, /could not download .*17flowers\.tgz after 1 attempts \(.*checksum mismatch .*expected md5 b59a65d8d1a99cd66944d474e1289eab/);
    return true;
  });
  assert.equal(locateAsset('flowers12', options), undefined);
  assert.deepEqual(await fs.readdir(path.join(options.cacheDir!, 'datasets')), []);
});

test('flowers12 refuses an archive that lacks an image of the split, and keeps nothing', async () => {
  const archive = path.join(root, 'damaged', '17flowers.tgz');
  await makeFlowersTgz(archive, path.join(tmp, 'flowers-damaged-work'), { omit: ['image_0801.jpg'] });
  const options = await standIn('flowers12', { md5: await fileDigest(archive, 'md5') });
  const source = options.sources!.flowers12 as Extract<AssetSource, { kind: 'built' }>;
  source.from.url = `${server.base}/damaged/17flowers.tgz`;
  await assert.rejects(resolveAsset('flowers12', options), /buildFlowers12: 17flowers\.tgz lacks 1 file\(s\) the recipe needs \(first: jpg\/image_0801\.jpg\)/);
  assert.equal(locateAsset('flowers12', options), undefined);
  assert.deepEqual(await fs.readdir(path.join(options.cacheDir!, 'datasets')), []);
});

test('a fetch killed mid-build leaves no asset, and removeStaleStaging (run by every fetch) removes its staging folder', async () => {
  const archive = fixturePath(root, officialSource('flowers12').from.url);
  const options = await standIn('flowers12', { md5: await fileDigest(archive, 'md5') });
  const script = path.join(tmp, 'fetch-flowers.ts');
  await fs.writeFile(
    script,
    `import { resolveAsset } from ${JSON.stringify(path.resolve(__dirname, '../../src/assets'))};\n` +
      `resolveAsset('flowers12', JSON.parse(process.env.OPTIONS!)).then(() => console.log('done'));\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, OPTIONS: JSON.stringify({ ...options, download: { retries: 1 } }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let childExit: string | undefined;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => {
      childExit = `code ${code}, signal ${signal}`;
      resolve(signal);
    }),
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const staging = path.join(options.cacheDir!, 'datasets', `flowers12.staging-${child.pid}`);
  const out = path.join(staging, 'out');
  // Kill it once the builder has written some (not all) images.
  const deadline = Date.now() + 120_000;
  let written = 0;
  while (Date.now() < deadline && childExit === undefined) {
    written = existsSync(out) ? (await listFiles(out)).length : 0;
    if (written >= 20) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(written >= 20 && written < 960, `the build was caught mid-way (${written} images written; child ${childExit ?? 'running'}: ${stderr})`);
  process.kill(child.pid!, 'SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.equal(locateAsset('flowers12', options), undefined, 'no half-built asset is found');
  assert.ok(!existsSync(path.join(options.cacheDir!, 'datasets', 'flowers12')));
  assert.ok(existsSync(staging));
  await removeStaleStaging(path.join(options.cacheDir!, 'datasets', 'flowers12'));
  assert.deepEqual(await fs.readdir(path.join(options.cacheDir!, 'datasets')), []);
});

test('cats_dogs_100 builds from a cats_and_dogs_filtered-shaped zip: the recipe\'s 999+1000 / 100+100 files at 100x100', async () => {
  const options = await standIn('cats_dogs_100');
  const dir = await resolveAsset('cats_dogs_100', options);
  const built = await listFiles(dir);
  const list = (await fs.readFile(path.join(__dirname, '../../datasets/manifests/cats_dogs_100.built.list'), 'utf8'))
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(built, [...list].sort());
  const count = (prefix: string) => built.filter((f) => f.startsWith(prefix)).length;
  assert.deepEqual([count('train/cats/'), count('train/dogs/'), count('test/cats/'), count('test/dogs/')], [999, 1000, 100, 100]);
  assert.ok(built.includes('train/cats/cat.0.jpg') && !built.includes('train/cats/cat.999.jpg'));
  assert.ok(built.includes('test/dogs/dog.2099.jpg') && !built.includes('test/dogs/dog.2100.jpg'), 'the 101st validation image is not taken');
  assert.equal(catsDogsRecipe().length, 2199);
  const meta = await sharp(path.join(dir, 'test/cats/cat.2000.jpg')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 100, 100]);
  const status = await verifyAsset('cats_dogs_100', { cacheDir: options.cacheDir, mirror: options.mirror, sample: 30 });
  assert.equal(status.state, 'ok', status.detail);
});

test('the MobileNetV2 0.35 base built from a Keras-layout .h5 gives the outputs of the mirror\'s TF.js copy', async (t) => {
  const options = await standIn('mobilenet_v2_0.35_224_no_top');
  const dir = await resolveAsset('mobilenet_v2_0.35_224_no_top', options);
  assert.deepEqual((await fs.readdir(dir)).filter((f) => !f.startsWith('.')).sort(), ['model.json', 'weights.bin']);
  const fromBuild = await MobileNetV2({ alpha: 0.35, includeTop: false, weights: dir, inputShape: [224, 224, 3] });
  const fromMirror = await MobileNetV2({
    alpha: 0.35,
    includeTop: false,
    weights: path.join(MIRROR, 'models', 'mobilenet_v2_0.35_224_no_top'),
    inputShape: [224, 224, 3],
  });
  const images = ['train/daisy/image_0801.jpg', 'test/iris/image_0406.jpg', 'train/pansy/image_1281.jpg'];
  const pixels = await Promise.all(
    images.map((rel) => sharp(path.join(MIRROR, 'datasets', 'flowers12', rel)).removeAlpha().raw().toBuffer()),
  );
  const batch = tf.tidy(() => tf.stack(pixels.map((p) => tf.tensor3d(new Uint8Array(p), [224, 224, 3], 'int32'))).toFloat().div(127.5).sub(1));
  const a = fromBuild.predict(batch) as tf.Tensor;
  const b = fromMirror.predict(batch) as tf.Tensor;
  assert.deepEqual(a.shape, [3, 7, 7, 1280]);
  const maxDiff = tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
  const scale = tf.tidy(() => b.abs().max().dataSync()[0]);
  assert.ok(scale > 1, `the outputs are not trivial (max ${scale})`);
  t.diagnostic(`max |built - mirror| = ${maxDiff} (largest output ${scale})`);
  assert.ok(maxDiff <= 1e-4, `outputs differ by ${maxDiff}`);
  // Each folder as saved, with its own model.json: the mirror's topology came from Teachable Machine.
  const savedBuilt = await loadLayersModelFromDir(dir);
  const savedMirror = await loadLayersModelFromDir(path.join(MIRROR, 'models', 'mobilenet_v2_0.35_224_no_top'));
  const c = savedBuilt.predict(batch) as tf.Tensor;
  const d = savedMirror.predict(batch) as tf.Tensor;
  assert.deepEqual(c.shape, d.shape);
  const savedDiff = tf.tidy(() => c.sub(d).abs().max().dataSync()[0]);
  t.diagnostic(`max |built model.json - mirror model.json| = ${savedDiff}`);
  assert.ok(savedDiff <= 1e-4, `the saved models' outputs differ by ${savedDiff}`);
  tf.dispose([batch, a, b, c, d]);
  savedBuilt.dispose();
  savedMirror.dispose();
  fromBuild.dispose();
  fromMirror.dispose();
  const status = await verifyAsset('mobilenet_v2_0.35_224_no_top', { cacheDir: options.cacheDir, mirror: options.mirror });
  assert.equal(status.state, 'ok', status.detail);
});

test('an .h5 that is not the MobileNetV2 0.35 file is refused by name, and nothing is kept', async () => {
  const wrong = path.join(root, 'wrong', 'weights.h5');
  await fs.mkdir(path.dirname(wrong), { recursive: true });
  await fs.copyFile(path.join(MIRROR, 'models', 'keras', 'mobilenet_2_5_224_tf_no_top.h5'), wrong);
  const options = await standIn('mobilenet_v2_0.35_224_no_top');
  (options.sources!['mobilenet_v2_0.35_224_no_top'] as Extract<AssetSource, { kind: 'built' }>).from.url = `${server.base}/wrong/weights.h5`;
  await assert.rejects(
    resolveAsset('mobilenet_v2_0.35_224_no_top', options),
    /buildMobileNetV2035: .*mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0\.35_224_no_top\.h5 does not load into MobileNetV2 alpha 0\.35 without top \(loadKerasH5Weights: layer 'Conv1'/,
  );
  assert.equal(locateAsset('mobilenet_v2_0.35_224_no_top', options), undefined);
  assert.deepEqual(await fs.readdir(path.join(options.cacheDir!, 'models')), []);
});
