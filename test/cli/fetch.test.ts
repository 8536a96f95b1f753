import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fetchAssets, courseAssetNames } from '../../src/cli/fetch';
import { verifyAsset } from '../../src/assets';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');

test('fetch --into builds a mirror folder that verifies and serves as the mirror', async () => {
  const into = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-into-'));
  const { lines, failed } = await fetchAssets(['mobilenet_v2_0.35_224_no_top', 'mnist'], { mirror: MIRROR, cacheDir: path.join(into, 'cache'), into, offline: true });
  assert.equal(failed, 0, lines.join('\n'));
  assert.match(lines[0], /^mobilenet_v2_0\.35_224_no_top: copied from the mirror to /);
  assert.ok(existsSync(path.join(into, 'datasets', 'mnist', 'train-labels-idx1-ubyte.gz')));
  const status = await verifyAsset('mnist', { mirror: into });
  assert.equal(status.state, 'ok', status.detail);
  assert.equal(status.origin, 'mirror');
});

test("'all' means the course's assets, not the large optional Keras weight files", () => {
  const all = courseAssetNames();
  assert.ok(all.includes('hymenoptera_data') && all.includes('mobilenet_v1_0.75_224'));
  assert.ok(!all.includes('keras_vgg16'));
});

test('an asset that cannot be had is reported, and the others still come', async () => {
  const into = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-into-'));
  const { lines, failed } = await fetchAssets(['flowers12', 'mnist'], { mirror: path.join(into, 'none'), cacheDir: path.join(into, 'c'), offline: true });
  assert.equal(failed, 2);
  assert.match(lines[0], /^flowers12: FAILED — .*downloads are off \(offline\)/);
});
