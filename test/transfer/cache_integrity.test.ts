// Issue 12 items 1 and 2: the feature cache never hands back features of other weights, nor a damaged file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { ImageDataGenerator } from '../../src/data/generator';
import { MobileNet } from '../../src/models';
import { loadTfjsFolderWeights } from '../../src/models/weights/tfjs_folder';
import { weightsFingerprint } from '../../src/transfer/cache';
import { extractFeatures } from '../../src/transfer/features';
import { freeze } from '../../src/transfer/freeze';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets';
const MODEL_DIR = path.join(MIRROR, 'models', 'mobilenet_v1_0.25_224');
const VAL = path.join(MIRROR, 'datasets', 'hymenoptera_data', 'val');

let tmp: string;

/** A writable copy of the mirror's MobileNet 0.25 folder with one byte flipped in `shard` at `offset`. */
function damagedCopy(shard: string, offset: number): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'model-'));
  for (const f of fs.readdirSync(MODEL_DIR)) {
    fs.copyFileSync(path.join(MODEL_DIR, f), path.join(dir, f));
    fs.chmodSync(path.join(dir, f), 0o644);
  }
  const bytes = fs.readFileSync(path.join(dir, shard));
  bytes[offset] ^= 0x5a;
  fs.writeFileSync(path.join(dir, shard), bytes);
  return dir;
}

async function base025(weightsDir: string): Promise<tf.LayersModel> {
  const model = await MobileNet({ alpha: 0.25, includeTop: false, weights: null, inputShape: [224, 224, 3] });
  await loadTfjsFolderWeights(model, weightsDir);
  return freeze(model, 'all');
}

describe('feature cache integrity (mirror: MobileNet 0.25, hymenoptera val)', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-cache-integrity-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the weights fingerprint covers every value: one flipped byte the old 64-value sample missed changes the key', async (t) => {
    if (!fs.existsSync(MODEL_DIR)) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    // group37 holds conv_pw_13's 1x1x256x256 kernel (65536 values); byte 100001 is in value 25000,
    // which is not one of the 64 evenly spaced values (multiples of 1024) the old key sampled.
    const good = await base025(MODEL_DIR);
    const bad = await base025(damagedCopy('group37-shard1of1', 100_001));
    assert.notEqual(weightsFingerprint(bad), weightsFingerprint(good));
    assert.equal(weightsFingerprint(good), weightsFingerprint(good), 'stable for the same weights');
    good.dispose();
    bad.dispose();
  });

  it('3 MB overwritten inside a real .f32 of the right size: a one-line warning, then the features are recomputed', async (t) => {
    if (!fs.existsSync(MODEL_DIR) || !fs.existsSync(VAL)) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
    const base = await base025(MODEL_DIR);
    const gen = new ImageDataGenerator({ preprocessingFunction: (x) => tf.tidy(() => x.div(127.5).sub(1)) });
    const iterator = await gen.flowFromDirectory(VAL, { targetSize: [224, 224], batchSize: 32, shuffle: false, verbose: false });
    const cacheDir = fs.mkdtempSync(path.join(tmp, 'features-'));
    const opts = { cacheDir, modelName: 'mobilenet_v1_0.25_224', preprocessing: 'tf' };
    const first = await extractFeatures(base, iterator, opts);
    const good = first.features.dataSync().slice();
    const bin = path.join(cacheDir, `${first.key}.f32`);
    const size = fs.statSync(bin).size;
    assert.equal(size, 153 * 7 * 7 * 256 * 4, 'a real 7.7 MB cache file');

    // Same size, 3 MB of it replaced (what a bad disk or a bad copy does).
    const fd = fs.openSync(bin, 'r+');
    fs.writeSync(fd, Buffer.alloc(3_000_000, 0x41), 0, 3_000_000, 2_000_000);
    fs.closeSync(fd);
    assert.equal(fs.statSync(bin).size, size);

    const warnings: string[] = [];
    const warn = t.mock.method(console, 'warn', (line: string) => warnings.push(line));
    const second = await extractFeatures(base, iterator, opts);
    warn.mock.restore();
    assert.equal(second.fromCache, false, 'the damaged entry was not used');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`^extractFeatures: cached features ${bin.replace(/[.]/g, '\\.')} are damaged \\(sha256 [0-9a-f]{12}\\.\\.\\., expected [0-9a-f]{12}\\.\\.\\.\\); recomputing them\\.$`));
    assert.deepEqual(second.features.dataSync(), good, 'recomputed features equal the originals');

    // The recomputed entry was written back whole: the next run is a clean hit, with no warning.
    const third = await extractFeatures(base, iterator, opts);
    assert.equal(third.fromCache, true);
    assert.equal(warnings.length, 1);
    tf.dispose([first.features, first.labels, second.features, second.labels, third.features, third.labels]);
    base.dispose();
  });
});
