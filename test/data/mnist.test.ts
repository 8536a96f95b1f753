import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { loadMnist, parseIdx } from '../../src/data/mnist';
import { tempDir, write } from './fixtures';

describe('loadMnist (mirror files)', () => {
  it('loads a digit subset of the test split with the official counts', async () => {
    const { xs, ys, labels, digits } = await loadMnist({ split: 'test', digits: [1, 0] });
    assert.deepEqual(digits, [0, 1]);
    assert.deepEqual(xs.shape, [980 + 1135, 28, 28, 1]);
    assert.equal(labels.filter((d) => d === 0).length, 980);
    assert.equal(labels.filter((d) => d === 1).length, 1135);
    const [lo, hi] = tf.tidy(() => [xs.min().dataSync()[0], xs.max().dataSync()[0]]);
    assert.deepEqual([lo, hi], [0, 1]);
    assert.equal(ys.dtype, 'int32');
    assert.deepEqual(Array.from(ys.dataSync()).slice(0, 20), labels.slice(0, 20));
    assert.notDeepEqual(labels.slice(0, 50), [...labels.slice(0, 50)].sort(), 'shuffled although the files are sorted by label');
    tf.dispose([xs, ys]);
  });

  it('takes a shuffled, reproducible limit and relabels 5..9 to 0..4', async () => {
    const a = await loadMnist({ split: 'train', digits: [5, 6, 7, 8, 9], limit: 500, relabel: true, seed: 1 });
    const b = await loadMnist({ split: 'train', digits: [5, 6, 7, 8, 9], limit: 500, relabel: true, seed: 1 });
    assert.deepEqual(a.xs.shape, [500, 28, 28, 1]);
    assert.deepEqual(a.labels, b.labels);
    assert.equal(new Set(a.labels).size, 5, 'all five digits in the first 500');
    assert.deepEqual(Array.from(a.ys.dataSync()), a.labels.map((d) => d - 5));
    tf.dispose([a.xs, a.ys, b.xs, b.ys]);
  });

  it('parses idx files and reports bad ones', () => {
    const header = Buffer.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    const idx = parseIdx(gzipSync(Buffer.concat([header, Buffer.from([1, 2, 3, 4, 5, 6])])));
    assert.deepEqual(idx.shape, [2, 3]);
    assert.deepEqual([...idx.data], [1, 2, 3, 4, 5, 6]);
    assert.throws(() => parseIdx(Buffer.concat([header, Buffer.from([1])]), 'x.idx'), /parseIdx: 'x\.idx' is truncated: shape \[2,3\] needs 18 bytes, it has 13/);
    assert.throws(() => parseIdx(Buffer.from('hello'), 'y.idx'), /'y\.idx' is not an unsigned-byte idx file/);
  });

  it('names a missing file and bad options', async () => {
    const tmp = tempDir('tl-mnist-');
    write(path.join(tmp.dir, 'readme.txt'), 'empty');
    await assert.rejects(loadMnist({ dir: tmp.dir }), /loadMnist: '.*train-images-idx3-ubyte\.gz' is missing/);
    await assert.rejects(loadMnist({ digits: [10] }), /digits must be integers 0\.\.9; received \[10\]/);
    tmp.cleanup();
  });
});
