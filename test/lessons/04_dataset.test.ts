import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { setupBackend } from '../../src/backend';
import { resolveAsset } from '../../src/assets';
import { flowFromDirectory, ImageDataGenerator } from '../../src/data';
import {
  auditImageFiles,
  augmentationPreview,
  batchGridImages,
  fillModeComparison,
  imageFormatSummary,
  listH5Weights,
  makeBrokenDatasetCopy,
  maxAbsOutputDifference,
} from '../../src/lessons/04_dataset';

/** RGB noise-free pattern so that every pixel differs and shifts are visible. */
function pattern(width: number, height: number, seed: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    buf[i * 3] = (i * 7 + seed * 31) % 256;
    buf[i * 3 + 1] = (Math.floor(i / width) * 5 + seed) % 256;
    buf[i * 3 + 2] = (i % width) * 3 % 256;
  }
  return buf;
}

const image = (w: number, h: number, seed: number) => sharp(pattern(w, h, seed), { raw: { width: w, height: h, channels: 3 } });

let root: string;

before(async () => {
  await setupBackend({ prefer: 'wasm', quiet: true });
  // root/train/{cats,dogs}: JPEGs of varied sizes, plus one GIF placeholder among the cats.
  root = mkdtempSync(path.join(tmpdir(), 'tl-lesson04-'));
  for (const [cls, seed] of [['cats', 1], ['dogs', 2]] as const) {
    const dir = path.join(root, 'train', cls);
    mkdirSync(dir, { recursive: true });
    await image(40, 30, seed).jpeg().toFile(path.join(dir, 'a.jpg'));
    await image(64, 48, seed + 10).jpeg().toFile(path.join(dir, 'b.jpg'));
  }
  await image(32, 32, 3).gif().toFile(path.join(root, 'train', 'cats', 'placeholder.gif'));
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('auditImageFiles / imageFormatSummary', () => {
  it('records format and size per file, and groups them so the odd file stands out', async () => {
    const files = await auditImageFiles(root, ['train']);
    assert.equal(files.length, 5);
    const gif = files.find((f) => f.format === 'gif');
    assert.deepEqual(
      gif && { split: gif.split, class: gif.class, file: gif.file, width: gif.width, height: gif.height },
      { split: 'train', class: 'cats', file: 'placeholder.gif', width: 32, height: 32 },
    );
    const rows = imageFormatSummary(files).map(({ meanKB: _kb, ...r }) => r);
    assert.deepEqual(rows, [
      { split: 'train', class: 'cats', format: 'jpeg', files: 2, minWidth: 40, maxWidth: 64, minHeight: 30, maxHeight: 48 },
      { split: 'train', class: 'cats', format: 'gif', files: 1, minWidth: 32, maxWidth: 32, minHeight: 32, maxHeight: 32 },
      { split: 'train', class: 'dogs', format: 'jpeg', files: 2, minWidth: 40, maxWidth: 64, minHeight: 30, maxHeight: 48 },
    ]);
  });

  it('lists an undecodable file with its reason instead of throwing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tl-lesson04-bad-'));
    try {
      mkdirSync(path.join(dir, 'x', 'a'), { recursive: true });
      mkdirSync(path.join(dir, 'x', 'b'), { recursive: true });
      writeFileSync(path.join(dir, 'x', 'a', 'empty.jpg'), Buffer.alloc(0));
      await image(8, 8, 0).png().toFile(path.join(dir, 'x', 'b', 'ok.png'));
      const files = await auditImageFiles(dir, ['x']);
      assert.deepEqual(files.map((f) => [f.class, f.format, f.width]), [['a', 'undecodable: zero bytes', 0], ['b', 'png', 8]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('makeBrokenDatasetCopy', () => {
  it('copies files into a temp folder, plants four problem files, and flowFromDirectory reports them', async () => {
    const source = path.join(root, 'train');
    const before = readdirSync(path.join(source, 'cats')).sort();
    const copy = await makeBrokenDatasetCopy(source, 2);
    try {
      assert.ok(copy.dir.startsWith(tmpdir()));
      assert.equal(copy.copied, 4);
      assert.deepEqual(readdirSync(path.join(source, 'cats')).sort(), before, 'the source is not written to');
      assert.deepEqual(copy.planted.map((p) => path.basename(p.path)), ['empty.jpg', 'download.jpg', 'half.jpg', 'really-a-png.jpg']);
      const it = await flowFromDirectory(copy.dir, { targetSize: [16, 16], verbose: false });
      assert.equal(it.samples, 5, '4 copies + the PNG named .jpg');
      const reasons = Object.fromEntries(it.skipped.map((s) => [path.basename(s.path), s.reason]));
      assert.deepEqual(reasons, { 'download.jpg': 'not an image', 'empty.jpg': 'zero bytes', 'half.jpg': 'truncated' });
      assert.deepEqual(it.warnings.map((w) => [path.basename(w.path), w.reason]), [['really-a-png.jpg', 'wrong extension']]);
    } finally {
      rmSync(copy.dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad perClass', async () => {
    await assert.rejects(makeBrokenDatasetCopy(path.join(root, 'train'), 0), /makeBrokenDatasetCopy: perClass must be a positive integer; received 0/);
  });
});

describe('batchGridImages', () => {
  it('titles tiles with class names from one-hot or sparse labels', async () => {
    const xs = tf.zeros([3, 2, 2, 3]) as tf.Tensor4D;
    const oneHot = tf.tensor2d([[0, 1], [1, 0], [0, 1]]);
    const sparse = tf.tensor1d([1, 0, 0]);
    try {
      const a = await batchGridImages({ xs, ys: oneHot }, ['ants', 'bees']);
      assert.deepEqual(a.map((t) => t.title), ['bees', 'ants', 'bees']);
      assert.deepEqual([a[0].height, a[0].width, a[0].channels, a[0].data.length], [2, 2, 3, 12]);
      const b = await batchGridImages({ xs, ys: sparse }, ['ants', 'bees']);
      assert.deepEqual(b.map((t) => t.title), ['bees', 'ants', 'ants']);
    } finally {
      tf.dispose([xs, oneHot, sparse]);
    }
  });
});

describe('augmentationPreview / fillModeComparison', () => {
  const photo = () => path.join(root, 'train', 'dogs', 'b.jpg');
  const gen = new ImageDataGenerator({ rescale: 1 / 255, horizontalFlip: true, zoomRange: 0.3, widthShiftRange: 0.3, heightShiftRange: 0.3, rotationRange: 30 });

  it('gives the original plus count copies, reproducible by seed, without leaking tensors', async () => {
    const start = tf.memory().numTensors;
    const a = await augmentationPreview(gen, photo(), { count: 3, seed: 7, targetSize: [24, 32] });
    const b = await augmentationPreview(gen, photo(), { count: 3, seed: 7, targetSize: [24, 32] });
    const c = await augmentationPreview(gen, photo(), { count: 3, seed: 8, targetSize: [24, 32] });
    assert.equal(tf.memory().numTensors, start);
    assert.equal(a.length, 4);
    assert.equal(a[0].title, 'original');
    assert.match(a[1].title ?? '', /^rot -?\d+°, zoom \d\.\d\d×\d\.\d\d\n\d+ px (left|right), \d+ px (up|down)(, flip)?$/);
    assert.deepEqual([a[1].height, a[1].width], [24, 32]);
    assert.ok(a.every((t) => t.data.every((v) => v >= 0 && v <= 1)), 'rescaled to [0, 1]');
    assert.deepEqual(a.map((t) => Array.from(t.data)), b.map((t) => Array.from(t.data)));
    assert.notDeepEqual(a.slice(1).map((t) => Array.from(t.data)), c.slice(1).map((t) => Array.from(t.data)));
  });

  it('fills the uncovered border differently per mode', async () => {
    const tiles = await fillModeComparison(photo(), { targetSize: [20, 20] });
    assert.deepEqual(tiles.map((t) => t.title), ["fillMode 'nearest'", "fillMode 'constant'", "fillMode 'reflect'", "fillMode 'wrap'"]);
    // The default shift moves content 30% (6 px) left and up: the bottom-right pixel is fill.
    const corner = (i: number) => Array.from(tiles[i].data.slice((20 * 20 - 1) * 3, 20 * 20 * 3));
    assert.deepEqual(corner(1), [0, 0, 0], "'constant' paints cval 0");
    const distinct = new Set([0, 1, 2, 3].map((i) => corner(i).map(Math.round).join(',')));
    assert.equal(distinct.size, 4);
  });
});

describe('listH5Weights / maxAbsOutputDifference (mirror)', { skip: !process.env.TRANSFER_LAB_MIRROR && 'needs TRANSFER_LAB_MIRROR' }, () => {
  it("lists the Keras MobileNet 0.25 no-top file: 54 layers, 135 tensors, 218,544 values", async () => {
    const h5 = await listH5Weights(await resolveAsset('keras_mobilenet_2_5_224_tf_no_top'));
    assert.deepEqual([h5.kerasVersion, h5.layerCount, h5.tensorCount, h5.parameterCount], ['2.0.4', 54, 135, 218544]);
    assert.deepEqual(h5.rows[0], { layer: 'conv1', weight: 'conv1/kernel:0', shape: '[3, 3, 3, 8]', values: 216 });
    assert.deepEqual(h5.rows.slice(1, 5).map((r) => r.weight), ['conv1_bn/gamma:0', 'conv1_bn/beta:0', 'conv1_bn/moving_mean:0', 'conv1_bn/moving_variance:0']);
  });

  it('measures the largest output difference of two models', () => {
    const input = tf.input({ shape: [2] });
    const make = (w: number) => {
      const layer = tf.layers.dense({ units: 1, useBias: false, kernelInitializer: tf.initializers.constant({ value: w }) });
      return tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    };
    const a = make(1);
    const b = make(1.5);
    const x = tf.tensor2d([[1, 1], [2, -4]]);
    try {
      assert.equal(maxAbsOutputDifference(a, a, x), 0);
      assert.equal(maxAbsOutputDifference(a, b, x), 1, 'outputs 2 vs 3 and -2 vs -3');
    } finally {
      x.dispose();
      a.dispose();
      b.dispose();
    }
  });
});
