import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSETS, downloadFile, locateAsset, resolveAsset, verifyAsset, parseManifest, loadLayersModelFromDir } from '../../src/assets';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tl-assets-'));
}

/** A fetch that serves fixed bodies by URL and counts calls. */
function fakeFetch(bodies: Record<string, Buffer | (() => Buffer)>) {
  const calls: string[] = [];
  const impl = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    const body = bodies[url];
    if (!body) return new Response('missing', { status: 404, statusText: 'Not Found' });
    const bytes = typeof body === 'function' ? body() : body;
    return new Response(bytes, { headers: { 'content-length': String(bytes.length) } });
  }) as typeof fetch;
  return { impl, calls };
}

const quiet = () => {};

test('every registry entry names a source and a mirror path; names are unique', () => {
  const names = new Set(ASSETS.map((a) => a.name));
  assert.equal(names.size, ASSETS.length);
  for (const asset of ASSETS) {
    assert.ok(asset.mirrorPath.length > 0, asset.name);
    if (asset.source.kind === 'file' || asset.source.kind === 'archive' || asset.source.kind === 'tfjs-model') {
      assert.match(asset.source.url, /^https:\/\//, asset.name);
    }
    if (asset.source.kind === 'built') assert.match(asset.source.from.url, /^https:\/\//, asset.name);
  }
});

test('a checksum mismatch is a clear error, retried, and the file is not kept', async () => {
  const dir = await tempDir();
  const dest = path.join(dir, 'weights.h5');
  const { impl, calls } = fakeFetch({ 'https://example.test/w.h5': Buffer.from('not the real weights') });
  await assert.rejects(
    downloadFile('https://example.test/w.h5', dest, { digest: { sha256: 'a'.repeat(64) }, fetchImpl: impl, onProgress: quiet, backoffMs: 1 }),
    /could not download https:\/\/example\.test\/w\.h5 after 3 attempts \(downloadFile\(https:\/\/example\.test\/w\.h5\): checksum mismatch/,
  );
  assert.equal(calls.length, 3);
  assert.equal(existsSync(dest), false);
  assert.equal(existsSync(`${dest}.partial`), false);
});

test('a good download is verified and renamed into place; md5 digests work too', async () => {
  const dir = await tempDir();
  const body = Buffer.from('weights!');
  const md5 = createHash('md5').update(body).digest('hex');
  const { impl } = fakeFetch({ 'https://example.test/w.h5': body });
  await downloadFile('https://example.test/w.h5', path.join(dir, 'w.h5'), { digest: { md5 }, fetchImpl: impl, onProgress: quiet });
  assert.equal(await fs.readFile(path.join(dir, 'w.h5'), 'utf8'), 'weights!');
});

test('a failing first attempt is retried', async () => {
  const dir = await tempDir();
  let n = 0;
  const impl = (async () => {
    n += 1;
    return n === 1 ? new Response('oops', { status: 503, statusText: 'Unavailable' }) : new Response('ok');
  }) as typeof fetch;
  await downloadFile('https://example.test/x', path.join(dir, 'x'), { fetchImpl: impl, onProgress: quiet, backoffMs: 1 });
  assert.equal(n, 2);
});

test('the mirror is used first and the cache is not touched', async () => {
  const cache = await tempDir();
  const where = await resolveAsset('hymenoptera_data', { mirror: MIRROR, cacheDir: cache, offline: true });
  assert.equal(where, path.join(MIRROR, 'datasets', 'hymenoptera_data'));
  assert.deepEqual(await fs.readdir(cache), []);
  assert.equal(locateAsset('mobilenet_v1_0.25_224', { mirror: MIRROR, cacheDir: cache })?.origin, 'mirror');
});

test('offline with no mirror: a clear error that says what to do', async () => {
  const cache = await tempDir();
  await assert.rejects(
    resolveAsset('hymenoptera_data', { mirror: path.join(cache, 'nowhere'), cacheDir: cache, offline: true }),
    /'hymenoptera_data' is not in the mirror .* downloads are off \(offline\)\. Run 'transfer-lab fetch hymenoptera_data'/,
  );
  await assert.rejects(
    resolveAsset('flowers12', { mirror: path.join(cache, 'nowhere'), cacheDir: cache, offline: true }),
    /'flowers12' is not in the mirror .* downloads are off \(offline\)\. Run 'transfer-lab fetch flowers12'/,
  );
  await assert.rejects(resolveAsset('no_such_asset', { cacheDir: cache }), /unknown asset 'no_such_asset'. Known assets: mobilenet_v1_0.25_224/);
});

test('a single-file asset downloads into the cache, then comes from the cache', async () => {
  const cache = await tempDir();
  const entry = ASSETS.find((a) => a.name === 'keras_mobilenet_2_5_224_tf_no_top')!;
  assert.equal(entry.source.kind, 'file');
  const real = await fs.readFile(path.join(MIRROR, entry.mirrorPath));
  const url = entry.source.kind === 'file' ? entry.source.url : '';
  const { impl, calls } = fakeFetch({ [url]: real });
  const opts = { mirror: path.join(cache, 'nowhere'), cacheDir: cache, download: { fetchImpl: impl, onProgress: quiet } };
  const first = await resolveAsset('keras_mobilenet_2_5_224_tf_no_top', opts);
  assert.equal(first, path.join(cache, entry.mirrorPath));
  assert.equal(await resolveAsset('keras_mobilenet_2_5_224_tf_no_top', opts), first);
  assert.equal(calls.length, 1);
  assert.equal((await verifyAsset('keras_mobilenet_2_5_224_tf_no_top', opts)).state, 'ok');
});

test('a TF.js model downloads model.json and every shard, verified against the manifest', async () => {
  const cache = await tempDir();
  const dir = path.join(MIRROR, 'models', 'mobilenet_v1_0.25_224');
  const base = 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/';
  const bodies: Record<string, Buffer> = {};
  for (const file of await fs.readdir(dir)) bodies[base + file] = await fs.readFile(path.join(dir, file));
  const { impl, calls } = fakeFetch(bodies);
  const opts = { mirror: path.join(cache, 'nowhere'), cacheDir: cache, download: { fetchImpl: impl, onProgress: quiet } };
  const where = await resolveAsset('mobilenet_v1_0.25_224', opts);
  assert.equal(calls.length, 56, 'model.json + 55 shards');
  const status = await verifyAsset('mobilenet_v1_0.25_224', opts);
  assert.equal(status.state, 'ok', status.detail);
  const model = await loadLayersModelFromDir(where);
  assert.equal(model.layers.some((l) => l.name === 'conv_pw_13_relu'), true);
  model.dispose();
});

test('an interrupted folder download is not mistaken for a complete one', async () => {
  const cache = await tempDir();
  await fs.mkdir(path.join(cache, 'models', 'mobilenet_v1_0.25_224'), { recursive: true });
  assert.equal(locateAsset('mobilenet_v1_0.25_224', { mirror: path.join(cache, 'nowhere'), cacheDir: cache }), undefined);
});

test('verifyAsset checks the mirror against the committed manifests, and spots a changed file', async () => {
  const status = await verifyAsset('hymenoptera_data', { mirror: MIRROR, sample: 10 });
  assert.equal(status.state, 'ok', status.detail);
  assert.equal(status.origin, 'mirror');
  const mnist = await verifyAsset('mnist', { mirror: MIRROR });
  assert.equal(mnist.state, 'ok', mnist.detail);

  const copy = await tempDir();
  const folder = path.join(copy, 'models', 'mobilenet_v2_0.35_224_no_top');
  await fs.mkdir(folder, { recursive: true });
  await fs.copyFile(path.join(MIRROR, 'models/mobilenet_v2_0.35_224_no_top/model.json'), path.join(folder, 'model.json'));
  await fs.writeFile(path.join(folder, 'weights.bin'), 'truncated');
  const bad = await verifyAsset('mobilenet_v2_0.35_224_no_top', { mirror: copy });
  assert.equal(bad.state, 'corrupt');
  assert.match(bad.detail, /weights\.bin is damaged: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\./);
});

test('parseManifest reads sha256sum output, including names with spaces', () => {
  const entries = parseManifest(`${'a'.repeat(64)}  ./train/bees/some name.jpg\n\n# comment\n${'B'.repeat(64)}  model.json\n`);
  assert.deepEqual(entries, [
    { sha256: 'a'.repeat(64), file: 'train/bees/some name.jpg' },
    { sha256: 'b'.repeat(64), file: 'model.json' },
  ]);
  assert.throws(() => parseManifest('nonsense line'), /cannot read the line 'nonsense line'/);
});
