// Issue 12 item 11 (and item 1 for doctor): doctor fails when the lab cannot run, says where each
// asset comes from, marks optional extras as optional, and spots a damaged model file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSETS } from '../../src/assets';
import { formatDoctor } from '../../src/cli/doctor';
import { assetChecks, FETCH_FIX, MIRROR_FIX, sourcePlan, type AssetCheck } from '../../src/cli/doctor_assets';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');
const MAIN = path.resolve(__dirname, '../../src/cli/main.ts');
const REQUIRED = ['mobilenet_v1_0.25_224', 'mobilenet_v1_0.75_224', 'mobilenet_v2_0.35_224_no_top', 'keras_mobilenet_2_5_224_tf_no_top', 'hymenoptera_data', 'flowers12', 'cats_dogs_100', 'mnist'];

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-doctor-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const row = (rows: AssetCheck[], name: string) => rows.find((r) => r.check === `asset ${name}`)!;

/** A fetch that sends every probe to `port` on 127.0.0.1 instead of the official host. */
function toLocal(port: number): typeof fetch {
  return ((url: string | URL | Request, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${new URL(String(url)).pathname}`, init)) as typeof fetch;
}

test('no mirror, empty cache, no network: the CLI says Not ready, exits 1 and gives the one fix', () => {
  const cache = fs.mkdtempSync(path.join(tmp, 'cache-'));
  const env = { ...process.env, TRANSFER_LAB_MIRROR: path.join(tmp, 'no-mirror'), TRANSFER_LAB_CACHE: cache, TRANSFER_LAB_OFFLINE: '1' };
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'doctor'], { encoding: 'utf8', timeout: 120_000, env });
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /Ready/);
  assert.match(result.stdout, /\nNot ready: \d+ blocker\(s\), the FAIL rows\.\nTo fix:\n {2}export TRANSFER_LAB_MIRROR=\/path\/to\/course-assets/);
  assert.match(result.stdout, /asset hymenoptera_data +FAIL +not present, and its source cannot be reached \(offline: TRANSFER_LAB_OFFLINE=1\): it would download and unpack https:\/\/download\.pytorch\.org\/tutorial\/hymenoptera_data\.zip/);
  assert.match(result.stdout, /asset keras_vgg16 +optional +optional, not present; download from https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/vgg16\//);
  assert.match(result.stdout, /mirror folder +WARN +.*no-mirror does not exist/);
});

test('sources that cannot be reached (a refused connection on 127.0.0.1) fail with the mirror fix', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const rows = await assetChecks({ mirror: path.join(tmp, 'no-mirror'), cacheDir: fs.mkdtempSync(path.join(tmp, 'cache-')), offline: false, fetchImpl: toLocal(port) });
  for (const name of REQUIRED) {
    assert.equal(row(rows, name).level, 'fail', name);
    assert.equal(row(rows, name).fix, MIRROR_FIX, name);
  }
  assert.match(row(rows, 'mnist').detail, /^not present, and its source cannot be reached \(ECONNREFUSED\): it would download 4 files from https:\/\/storage\.googleapis\.com$/);
  assert.match(row(rows, 'flowers12').detail, /^not present, and its source cannot be reached \(ECONNREFUSED\): it would build from official 17flowers\.tgz \(https:\/\/www\.robots\.ox\.ac\.uk\/.*\)$/);
  const optional = rows.filter((r) => r.level === 'optional').map((r) => r.check.replace('asset ', ''));
  assert.deepEqual(optional, ASSETS.map((a) => a.name).filter((n) => !REQUIRED.includes(n)));
});

test('sources that answer (a real server on 127.0.0.1): every required asset warns with fetch all', async () => {
  const heads: string[] = [];
  const server = http.createServer((req, res) => {
    heads.push(`${req.method} ${req.url}`);
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const rows = await assetChecks({ mirror: path.join(tmp, 'no-mirror'), cacheDir: fs.mkdtempSync(path.join(tmp, 'cache-')), offline: false, fetchImpl: toLocal(port) });
    for (const name of REQUIRED) {
      const r = row(rows, name);
      assert.equal(r.level, 'warn', name);
      assert.equal(r.fix, FETCH_FIX);
      assert.match(r.detail, /^not present; will (download|build).* \(?https:\/\/\S+.* \(\d+ MB\) at first use$/);
    }
    assert.ok(heads.every((h) => h.startsWith('HEAD ')), 'probes are HEAD requests');
    assert.equal(heads.length, 4, 'one probe per host (storage.googleapis.com, github.com, download.pytorch.org, www.robots.ox.ac.uk)');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('plain doctor (no --full) fails on one flipped byte in a mirror model shard, naming file, hashes and fix', async () => {
  // A mirror of links to the real one, except a damaged copy of the 0.75 model.
  const mirror = path.join(tmp, 'damaged-mirror');
  fs.mkdirSync(path.join(mirror, 'models'), { recursive: true });
  fs.symlinkSync(path.join(MIRROR, 'datasets'), path.join(mirror, 'datasets'));
  for (const name of fs.readdirSync(path.join(MIRROR, 'models'))) {
    if (name !== 'mobilenet_v1_0.75_224') fs.symlinkSync(path.join(MIRROR, 'models', name), path.join(mirror, 'models', name));
  }
  const copy = path.join(mirror, 'models', 'mobilenet_v1_0.75_224');
  fs.mkdirSync(copy);
  for (const f of fs.readdirSync(path.join(MIRROR, 'models', 'mobilenet_v1_0.75_224'))) {
    fs.copyFileSync(path.join(MIRROR, 'models', 'mobilenet_v1_0.75_224', f), path.join(copy, f));
    fs.chmodSync(path.join(copy, f), 0o644);
  }
  const shard = path.join(copy, 'group35-shard1of1');
  const bytes = fs.readFileSync(shard);
  bytes[777_777] ^= 1;
  fs.writeFileSync(shard, bytes);

  const rows = await assetChecks({ mirror, cacheDir: fs.mkdtempSync(path.join(tmp, 'cache-')), offline: true });
  const bad = row(rows, 'mobilenet_v1_0.75_224');
  assert.equal(bad.level, 'fail');
  assert.match(bad.detail, new RegExp(`^DAMAGED in the mirror: ${shard} is damaged: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\\. Copy models/mobilenet_v1_0\\.75_224 into the mirror again`));
  assert.equal(bad.fix, 'copy models/mobilenet_v1_0.75_224 into the mirror again from a good copy');
  for (const name of REQUIRED.filter((n) => n !== 'mobilenet_v1_0.75_224')) assert.equal(row(rows, name).level, 'ok', name);
  const text = formatDoctor(rows);
  assert.match(text, /\n\nNot ready: 1 blocker\(s\), the FAIL rows\.\nTo fix:\n {2}copy models\/mobilenet_v1_0\.75_224 into the mirror again from a good copy$/);
});

test('every source kind has words and a URL to probe', () => {
  for (const entry of ASSETS) {
    const plan = sourcePlan(entry);
    assert.ok(plan.words.length > 0, entry.name);
    assert.match(plan.probeUrl, /^https:\/\//, entry.name);
  }
});
