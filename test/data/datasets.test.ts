import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { antsBees, catsDogs100, flowers12, mnist } from '../../src/data/datasets';
import { decodeImage } from '../../src/data/decode';
import { ImageDataGenerator } from '../../src/data/generator';
import { datasetSummary } from '../../src/data/summary';

/** Images per class name. */
function perClass(it: { classNames: string[]; classes: number[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of it.classes) out[it.classNames[c]] = (out[it.classNames[c]] ?? 0) + 1;
  return out;
}

describe('course datasets through resolveAsset (offline mirror)', () => {
  before(async () => {
    assert.ok(process.env.TRANSFER_LAB_MIRROR, 'run with TRANSFER_LAB_MIRROR=/work/shared/assets');
    await setupBackend({ prefer: 'wasm', quiet: true });
  });

  it('ants/bees: 124 + 121 train, 70 + 83 val, nothing skipped, the placeholder GIF kept', async () => {
    const gen = new ImageDataGenerator({ rescale: 1 / 255, horizontalFlip: true, rotationRange: 30 });
    const { train, val } = await antsBees({ targetSize: [32, 32], batchSize: 50, generator: gen, seed: 0, verbose: false });
    assert.deepEqual(perClass(train), { ants: 124, bees: 121 });
    assert.deepEqual(perClass(val), { ants: 70, bees: 83 });
    assert.deepEqual([...train.skipped, ...val.skipped], []);
    assert.deepEqual([...train.warnings, ...val.warnings], []);
    const gif = train.filepaths.find((p) => path.basename(p) === 'imageNotFound.gif');
    assert.ok(gif, 'imageNotFound.gif is a real GIF: it decodes and stays as label noise');
    assert.equal((await decodeImage(gif)).format, 'gif');
    assert.ok(train.filepaths.some((p) => path.basename(p).includes(' ')), 'the file name with a space is read');
    assert.equal(val.shuffle, false, 'evaluation order follows filepaths');

    const first = await val.batches().next();
    assert.equal(first.done, false);
    const batch = first.value;
    assert.deepEqual(batch.xs.shape, [50, 32, 32, 3]);
    assert.deepEqual(batch.paths, val.filepaths.slice(0, 50));
    const max = tf.tidy(() => batch.xs.max().dataSync()[0]);
    assert.ok(max <= 1 && max > 0.5, 'the eval generator keeps rescale 1/255');
    tf.dispose([batch.xs, batch.ys]);

    const summary = datasetSummary({ train, val });
    assert.deepEqual(summary.table.values.at(-1), ['total', 245, 153, 398]);
    assert.deepEqual(summary.warnings, []);
  });

  it('flowers12: 12 classes, 60 per class train and 20 per class test', async () => {
    const { train, test } = await flowers12({ targetSize: [16, 16], verbose: false });
    assert.equal(train.classNames.length, 12);
    assert.deepEqual(new Set(Object.values(perClass(train))), new Set([60]));
    assert.deepEqual(new Set(Object.values(perClass(test))), new Set([20]));
    assert.deepEqual([train.skipped.length, test.skipped.length], [0, 0]);
  });

  it('cats_dogs_100: 999 + 1000 train, 100 + 100 test', async () => {
    const { train, test } = await catsDogs100({ targetSize: [16, 16], classMode: 'binary', verbose: false });
    assert.deepEqual(perClass(train), { cats: 999, dogs: 1000 });
    assert.deepEqual(perClass(test), { cats: 100, dogs: 100 });
    assert.deepEqual([train.skipped.length, test.skipped.length], [0, 0]);
  });

  it('mnist: a digit subset by name', async () => {
    const { xs, ys } = await mnist({ split: 'test', digits: [7], limit: 100 });
    assert.deepEqual(xs.shape, [100, 28, 28, 1]);
    assert.deepEqual(new Set(ys.dataSync()), new Set([7]));
    tf.dispose([xs, ys]);
  });
});
