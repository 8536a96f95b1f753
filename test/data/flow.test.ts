import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { flowFromDirectory, ImageDataGenerator } from '../../src/data/generator';
import type { Batch } from '../../src/data/types';
import { makeDataset, rgb, tempDir, write } from './fixtures';

/** Consumes one epoch, returning plain copies of every batch and disposing the tensors. */
async function epoch(it: { batches(): AsyncIterableIterator<Batch> }): Promise<{ xs: number[][]; ys: number[][]; shapes: number[][]; yShapes: number[][]; paths: string[][] }> {
  const out = { xs: [] as number[][], ys: [] as number[][], shapes: [] as number[][], yShapes: [] as number[][], paths: [] as string[][] };
  for await (const b of it.batches()) {
    out.xs.push(Array.from(b.xs.dataSync()));
    out.ys.push(Array.from(b.ys.dataSync()));
    out.shapes.push(b.xs.shape);
    out.yShapes.push(b.ys.shape);
    out.paths.push(b.paths);
    tf.dispose([b.xs, b.ys]);
  }
  return out;
}

describe('DirectoryIterator', () => {
  const tmp = tempDir('tl-flow-');
  let root: string;
  let bad: string;
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    root = await makeDataset(path.join(tmp.dir, 'clean'), { cats: 4, dogs: 3 });
    // A dataset with every kind of bad file next to good ones.
    bad = await makeDataset(path.join(tmp.dir, 'bad'), { ants: 3, bees: 2 });
    const jpg = await rgb(32, 32).jpeg().toBuffer();
    write(path.join(bad, 'ants', 'empty.jpg'), Buffer.alloc(0));
    write(path.join(bad, 'ants', 'half.jpg'), jpg.subarray(0, Math.floor(jpg.length / 2)));
    write(path.join(bad, 'ants', 'notes.jpg'), 'not an image at all');
    write(path.join(bad, 'bees', 'png-inside.jpg'), await rgb(8, 8).png().toBuffer());
    write(path.join(bad, 'bees', 'readme.txt'), 'ignored: not an image extension');
  });
  after(() => tmp.cleanup());

  it('skips undecodable files at scan time and never yields a batch with a hole', async () => {
    const it = await flowFromDirectory(bad, { targetSize: [8, 8], batchSize: 2, shuffle: false, verbose: false });
    assert.deepEqual(it.classNames, ['ants', 'bees']);
    assert.equal(it.samples, 6, '3 good ants, 2 good bees, 1 PNG named .jpg');
    assert.deepEqual(
      it.skipped.map((s) => [path.basename(s.path), s.reason]),
      [['empty.jpg', 'zero bytes'], ['half.jpg', 'truncated'], ['notes.jpg', 'not an image']],
    );
    assert.deepEqual(it.warnings.map((w) => [path.basename(w.path), w.reason]), [['png-inside.jpg', 'wrong extension']]);
    assert.equal(it.filepaths.some((p) => it.skipped.some((s) => s.path === p)), false);
    assert.deepEqual(it.classes, [0, 0, 0, 1, 1, 1]);
    assert.equal(it.cached, true);
    const e = await epoch(it);
    assert.deepEqual(e.shapes, [[2, 8, 8, 3], [2, 8, 8, 3], [2, 8, 8, 3]]);
    assert.deepEqual(e.paths.flat(), it.filepaths);
  });

  it('skips unreadable files (broken links), and fails clearly when a whole class is undecodable', async () => {
    const broken = await makeDataset(path.join(tmp.dir, 'broken'), { a: 2, b: 1 });
    symlinkSync(path.join(tmp.dir, 'does-not-exist.png'), path.join(broken, 'a', 'link.png'));
    const it = await flowFromDirectory(broken, { targetSize: [4, 4], verbose: false });
    assert.deepEqual(it.skipped.map((s) => [path.basename(s.path), s.reason]), [['link.png', 'unreadable']]);
    assert.deepEqual(it.filenames, [path.join('a', '000.png'), path.join('a', '001.png'), path.join('b', '000.png')]);
    write(path.join(broken, 'c', 'x.jpg'), Buffer.alloc(0));
    write(path.join(broken, 'c', 'y.png'), 'text');
    await assert.rejects(
      flowFromDirectory(broken, { targetSize: [4, 4], verbose: false }),
      /flowFromDirectory: none of the 2 image files of class 'c' in '.*' can be decoded \(zero bytes, not an image\)\. Replace the files/,
    );
  });

  it('yields labels shaped by classMode, and a smaller last batch', async () => {
    const expected: [('categorical' | 'binary' | 'sparse' | null), number[][]][] = [
      ['categorical', [[3, 2], [3, 2], [1, 2]]],
      ['binary', [[3, 1], [3, 1], [1, 1]]],
      ['sparse', [[3], [3], [1]]],
      [null, [[3, 0], [3, 0], [1, 0]]],
    ];
    for (const [classMode, yShapes] of expected) {
      const it = await flowFromDirectory(root, { targetSize: [4, 6], batchSize: 3, classMode, shuffle: false, verbose: false });
      assert.equal(it.numBatches, 3);
      const e = await epoch(it);
      assert.deepEqual(e.shapes, [[3, 4, 6, 3], [3, 4, 6, 3], [1, 4, 6, 3]]);
      assert.deepEqual(e.yShapes, yShapes, String(classMode));
      if (classMode === 'categorical') assert.deepEqual(e.ys.flat(), [1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]);
      if (classMode === 'sparse') assert.deepEqual(e.ys.flat(), [0, 0, 0, 0, 1, 1, 1]);
    }
  });

  it('keeps pixels and labels together through shuffling (R channel encodes the class)', async () => {
    const it = await flowFromDirectory(root, { targetSize: [4, 4], batchSize: 4, classMode: 'sparse', seed: 3, verbose: false });
    const e = await epoch(it);
    const labels = e.ys.flat();
    const reds = e.xs.flatMap((xs) => xs.filter((_, i) => i % 48 === 0)); // first pixel's R of each image
    assert.deepEqual(reds.map((r) => r / 40), labels);
    assert.notDeepEqual(e.paths.flat(), it.filepaths, 'shuffled');
    assert.deepEqual([...e.paths.flat()].sort(), [...it.filepaths].sort());
  });

  it('reproduces batches from a seed, reshuffles per epoch, and caching does not change results', async () => {
    const gen = new ImageDataGenerator({ rotationRange: 40, zoomRange: 0.3, horizontalFlip: true, rescale: 1 / 255 });
    const opts = { targetSize: [8, 8] as [number, number], batchSize: 3, seed: 11, verbose: false };
    const a = await gen.flowFromDirectory(root, opts);
    const b = await gen.flowFromDirectory(root, { ...opts, cache: false });
    assert.equal(b.cached, false);
    const a1 = await epoch(a);
    const b1 = await epoch(b);
    assert.deepEqual(a1.paths, b1.paths);
    assert.deepEqual(a1.xs, b1.xs, 'streamed and cached pixels give identical batches');
    const a2 = await epoch(a);
    assert.notDeepEqual(a2.paths, a1.paths, 'epoch 2 has another order');
    a.reset();
    assert.deepEqual((await epoch(a)).xs, a1.xs, 'reset() replays epoch 1');
    assert.ok(a1.xs.flat().every((v) => v >= 0 && v <= 1), 'rescaled to [0, 1]');
    const other = await gen.flowFromDirectory(root, { ...opts, seed: 12 });
    assert.notDeepEqual((await epoch(other)).xs, a1.xs);
  });

  it('reads an epoch without leaking tensors, also when the consumer stops early', async () => {
    const it = await flowFromDirectory(root, { targetSize: [8, 8], batchSize: 2, verbose: false, cache: false });
    const before = tf.memory().numTensors;
    await epoch(it);
    for await (const b of it.batches()) {
      tf.dispose([b.xs, b.ys]);
      break;
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('splits a folder into training and validation subsets like Keras', async () => {
    const gen = new ImageDataGenerator({ validationSplit: 0.5 });
    const train = await gen.flowFromDirectory(root, { targetSize: [4, 4], subset: 'training', verbose: false });
    const val = await gen.flowFromDirectory(root, { targetSize: [4, 4], subset: 'validation', verbose: false });
    assert.deepEqual([train.samples, val.samples], [4, 3], 'cats 4 -> 2 + 2, dogs 3 -> 2 + 1 (int(1.5) = 1 for validation)');
    assert.deepEqual(val.filepaths.map((p) => path.relative(root, p)), ['cats/000.png', 'cats/001.png', 'dogs/000.png']);
  });

  it('feeds model.fitDataset through toDataset(), one epoch per pass', async () => {
    const it = await new ImageDataGenerator({ rescale: 1 / 255 }).flowFromDirectory(root, { targetSize: [4, 4], batchSize: 4, seed: 0, verbose: false });
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 3] }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(it.toDataset(), { epochs: 2, verbose: 0 });
    assert.equal(history.history.loss.length, 2);
    assert.equal(it.epochsSeen, 2);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('reports bad options with the value received', async () => {
    await assert.rejects(flowFromDirectory(root, { targetSize: [224] as never }), /flowFromDirectory: targetSize must be \[height, width\].*received \[224\]/);
    await assert.rejects(flowFromDirectory(root, { classMode: 'input' as never }), /classMode must be 'categorical', 'binary', 'sparse' or null; received "input"/);
    await assert.rejects(flowFromDirectory(root, { batchSize: 0, verbose: false }), /batchSize must be a positive integer; received 0/);
  });
});
