// Issue 12 item 1: a damaged model file is an error before it is used, not a silently worse model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs, existsSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkModelFiles, findAsset, resolveAsset, verifyAsset, VERIFIED_MEMO_FILE } from '../../src/assets';
import { DamagedFileError } from '../../src/errors';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');
const MODEL = 'mobilenet_v1_0.25_224';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-model-files-'));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A private mirror holding a writable copy of one mirror folder or file (the real course files). */
async function copyOfMirror(rel: string): Promise<string> {
  const mirror = await fs.mkdtemp(path.join(tmp, 'mirror-'));
  await fs.cp(path.join(MIRROR, rel), path.join(mirror, rel), { recursive: true });
  await makeWritable(path.join(mirror, rel));
  return mirror;
}

/** The mirror is read-only; its copies must be writable to be damaged (and removed). */
async function makeWritable(p: string): Promise<void> {
  const st = await fs.stat(p);
  await fs.chmod(p, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const f of await fs.readdir(p)) await makeWritable(path.join(p, f));
}

/** Flips one byte in place, the damage a bad USB copy does. */
async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    const one = Buffer.alloc(1);
    await handle.read(one, 0, 1, offset);
    one[0] ^= 0x5a;
    await handle.write(one, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

test('a flipped byte in a mirror shard is an error naming the file, both hashes and the fix', async () => {
  const mirror = await copyOfMirror(`models/${MODEL}`);
  const cacheDir = await fs.mkdtemp(path.join(tmp, 'cache-'));
  const opts = { mirror, cacheDir, offline: true };
  const good = await resolveAsset(MODEL, opts);
  assert.equal(good, path.join(mirror, 'models', MODEL));

  const shard = path.join(good, 'group37-shard1of1');
  const expected = await sha256(shard);
  await flipByte(shard, 100_001);
  const actual = await sha256(shard);
  const err = await resolveAsset(MODEL, opts).then(
    () => assert.fail('a damaged shard was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DamagedFileError);
  assert.equal(err.file, shard);
  assert.equal(
    err.message,
    `resolveAsset('${MODEL}'): ${shard} is damaged: expected sha256 ${expected}, got ${actual}. ` +
      `Copy models/${MODEL} into the mirror again from a good copy of the course assets (check it there with 'sha256sum -c SHA256SUMS'), ` +
      `or unset TRANSFER_LAB_MIRROR and run 'transfer-lab fetch ${MODEL}'.`,
  );
  // doctor's check sees it too, without --full.
  const status = await verifyAsset(MODEL, { mirror, cacheDir, sample: 24 });
  assert.equal(status.state, 'corrupt');
  assert.match(status.detail, /group37-shard1of1 is damaged: expected sha256/);
});

test('building MobileNet with weights "imagenet" over a damaged mirror fails before any weight is used', async () => {
  const mirror = await copyOfMirror(`models/${MODEL}`);
  await flipByte(path.join(mirror, 'models', MODEL, 'group29-shard1of1'), 12_345);
  const saved = { mirror: process.env.TRANSFER_LAB_MIRROR, cache: process.env.TRANSFER_LAB_CACHE };
  process.env.TRANSFER_LAB_MIRROR = mirror;
  process.env.TRANSFER_LAB_CACHE = await fs.mkdtemp(path.join(tmp, 'cache-'));
  try {
    const { MobileNet } = await import('../../src/models');
    await assert.rejects(
      MobileNet({ alpha: 0.25, includeTop: false, weights: 'imagenet', inputShape: [224, 224, 3] }),
      (e: unknown) => e instanceof DamagedFileError && /group29-shard1of1 is damaged: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/.test(e.message),
    );
  } finally {
    process.env.TRANSFER_LAB_MIRROR = saved.mirror;
    process.env.TRANSFER_LAB_CACHE = saved.cache;
  }
});

test('a verified file is remembered by size, mtime, ctime and inode; any change is hashed again', async () => {
  const mirror = await copyOfMirror(`models/${MODEL}`);
  const cacheDir = await fs.mkdtemp(path.join(tmp, 'cache-'));
  const entry = findAsset(MODEL)!;
  const dir = path.join(mirror, 'models', MODEL);
  const first = await checkModelFiles('test', entry, dir, 'mirror', { cacheDir });
  assert.deepEqual(first, { files: 57, fromMemo: 0 }, 'model.json + metadata.json + 55 shards, all hashed');
  assert.ok(existsSync(path.join(cacheDir, VERIFIED_MEMO_FILE)));
  const second = await checkModelFiles('test', entry, dir, 'mirror', { cacheDir });
  assert.deepEqual(second, { files: 57, fromMemo: 57 });

  // Damage that keeps size and mtime (touch -r restores mtime; ctime still moves).
  const shard = path.join(dir, 'group31-shard1of1');
  const { atime, mtime } = await fs.stat(shard);
  await flipByte(shard, 40);
  await fs.utimes(shard, atime, mtime);
  await assert.rejects(checkModelFiles('test', entry, dir, 'mirror', { cacheDir }), /group31-shard1of1 is damaged/);
});

test('a damaged Keras .h5 (registry sha256) is caught; a damaged cache copy says to fetch again', async () => {
  const rel = 'models/keras/mobilenet_2_5_224_tf_no_top.h5';
  const mirror = await copyOfMirror(rel);
  await flipByte(path.join(mirror, rel), 1_000_000);
  await assert.rejects(
    resolveAsset('keras_mobilenet_2_5_224_tf_no_top', { mirror, cacheDir: path.join(tmp, 'c0'), offline: true }),
    /mobilenet_2_5_224_tf_no_top\.h5 is damaged: expected sha256 dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf, got [0-9a-f]{64}\. Copy models\/keras\/mobilenet_2_5_224_tf_no_top\.h5 into the mirror again/,
  );
  // The same damage in the cache (no mirror): the fix is a fresh download.
  const cacheDir = await fs.mkdtemp(path.join(tmp, 'cache-'));
  await fs.mkdir(path.join(cacheDir, 'models', 'keras'), { recursive: true });
  await fs.copyFile(path.join(mirror, rel), path.join(cacheDir, rel));
  await assert.rejects(
    resolveAsset('keras_mobilenet_2_5_224_tf_no_top', { mirror: path.join(tmp, 'nowhere'), cacheDir, offline: true }),
    /is damaged: .*Run 'transfer-lab fetch keras_mobilenet_2_5_224_tf_no_top': it replaces the damaged copy/,
  );
});

test('replaceDamaged (transfer-lab fetch) downloads a damaged cache copy again from a real local server', async () => {
  const rel = 'models/keras/mobilenet_2_5_224_tf_no_top.h5';
  const good = await fs.readFile(path.join(MIRROR, rel));
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-length': String(good.length) });
    res.end(good);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const cacheDir = await fs.mkdtemp(path.join(tmp, 'cache-'));
    await fs.mkdir(path.join(cacheDir, 'models', 'keras'), { recursive: true });
    await fs.writeFile(path.join(cacheDir, rel), good.subarray(0, good.length - 1000));
    const requested: string[] = [];
    // The registry's URL is the official one; this fetch sends it to the local server instead.
    const toLocal = ((url: string | URL | Request) => {
      requested.push(String(url));
      return fetch(`http://127.0.0.1:${port}/${path.basename(String(url))}`);
    }) as typeof fetch;
    const opts = { mirror: path.join(tmp, 'nowhere'), cacheDir, download: { fetchImpl: toLocal, onProgress: () => {}, retries: 1 } };
    await assert.rejects(resolveAsset('keras_mobilenet_2_5_224_tf_no_top', opts), /is damaged/);
    const where = await resolveAsset('keras_mobilenet_2_5_224_tf_no_top', { ...opts, replaceDamaged: true });
    assert.equal(requested.length, 1);
    assert.equal(await sha256(where), 'dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
