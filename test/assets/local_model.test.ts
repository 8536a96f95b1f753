// Issue 12 item 7: a truncated weight file is named with its expected and actual size, not a tfjs stack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFromDir, manifestGroupBytes } from '../../src/assets/local_model';
import { setupBackend } from '../../src/backend';
import { DamagedFileError } from '../../src/errors';
import { saveModelToDir } from '../../src/train/save';

const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');
const MODEL_DIR = path.join(MIRROR, 'models', 'mobilenet_v1_0.25_224');

let tmp: string;
before(async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-local-model-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function truncate(file: string, bytes: number): void {
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, bytes));
}

test('a truncated mirror shard: the file, its expected and its actual size (tfjs said "should have 16384 values but has 3696")', async (t) => {
  if (!fs.existsSync(MODEL_DIR)) return t.skip('offline mirror not found (set TRANSFER_LAB_MIRROR)');
  const dir = fs.mkdtempSync(path.join(tmp, 'mirror-model-'));
  for (const f of fs.readdirSync(MODEL_DIR)) {
    fs.copyFileSync(path.join(MODEL_DIR, f), path.join(dir, f));
    fs.chmodSync(path.join(dir, f), 0o644);
  }
  const shard = path.join(dir, 'group31-shard1of1');
  assert.equal(fs.statSync(shard).size, 16384 * 4);
  truncate(shard, 3696 * 4);
  const err = await loadLayersModelFromDir(dir).then(
    () => assert.fail('a truncated shard was loaded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof DamagedFileError);
  assert.equal(err.file, shard);
  assert.match(
    err.message,
    new RegExp(
      `^loadLayersModelFromDir: weight file ${shard} has 14784 bytes, but ${path.join(dir, 'model.json')} describes 65536 bytes of weights for it ` +
        `\\(1 weights, first '[^']+'\\)\\. The file is truncated or damaged: copy it again`,
    ),
  );
});

test("a run's truncated model/weights.bin is named with its sizes; the whole file still loads", async () => {
  const input = tf.input({ shape: [8] });
  const output = tf.layers.dense({ units: 4, name: 'head' }).apply(tf.layers.dense({ units: 16, name: 'hidden' }).apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const dir = path.join(tmp, 'run', 'model');
  await saveModelToDir(model, dir);
  const bin = path.join(dir, 'weights.bin');
  const whole = fs.statSync(bin).size;
  assert.equal(whole, (8 * 16 + 16 + 16 * 4 + 4) * 4);
  const loaded = await loadLayersModelFromDir(dir);
  assert.equal(loaded.countParams(), model.countParams());
  loaded.dispose();

  truncate(bin, 300);
  await assert.rejects(
    loadLayersModelFromDir(dir),
    new RegExp(`loadLayersModelFromDir: weight file ${bin} has 300 bytes, but ${path.join(dir, 'model.json')} describes ${whole} bytes of weights`),
  );
  // Extra bytes would shift every value silently; they are refused too.
  fs.writeFileSync(bin, Buffer.alloc(whole + 8));
  await assert.rejects(loadLayersModelFromDir(dir), new RegExp(`weight file ${bin} has ${whole + 8} bytes, but .* describes ${whole} bytes`));
  model.dispose();
});

test('manifestGroupBytes counts stored bytes per dtype and quantization', () => {
  assert.equal(manifestGroupBytes([{ name: 'k', shape: [3, 3, 8], dtype: 'float32' }, { name: 'b', shape: [8], dtype: 'int32' }]), 72 * 4 + 32);
  assert.equal(manifestGroupBytes([{ name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }]), 10);
  assert.equal(manifestGroupBytes([{ name: 's', shape: [2], dtype: 'string' }]), undefined);
});
