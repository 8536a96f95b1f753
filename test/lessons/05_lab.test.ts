import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { subsetPerClass } from '../../src/lessons/05_lab';

/** A fake dataset: split/class/<n>.jpg files (content is irrelevant: nothing is decoded). */
function fakeDataset(layout: Record<string, Record<string, number>>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'test-05-lab-'));
  for (const [split, classes] of Object.entries(layout)) {
    for (const [cls, n] of Object.entries(classes)) {
      mkdirSync(path.join(root, split, cls), { recursive: true });
      for (let i = 0; i < n; i++) {
        const file = path.join(root, split, cls, `img${String(i).padStart(2, '0')}.jpg`);
        writeFileSync(file, `${split}/${cls}/${i}`);
        utimesSync(file, new Date(2020, 0, 1), new Date(2020, 0, 1 + i));
      }
    }
  }
  return root;
}

test('subsetPerClass copies at most perClass files per class and split, spread over the list', () => {
  const root = fakeDataset({ train: { ants: 10, bees: 3 }, val: { ants: 4, bees: 5 } });
  const subset = subsetPerClass(root, { splits: ['train', 'val'], perClass: 4 });
  try {
    assert.equal(subset.copied, true);
    assert.ok(subset.dir.startsWith(tmpdir()) && subset.dir !== root);
    assert.deepEqual(subset.counts, { train: { ants: 4, bees: 3 }, val: { ants: 4, bees: 4 } });
    // Evenly spread: indices 0, 2, 5, 7 of ten files.
    assert.deepEqual(readdirSync(path.join(subset.dir, 'train', 'ants')).sort(), ['img00.jpg', 'img02.jpg', 'img05.jpg', 'img07.jpg']);
    assert.equal(readFileSync(path.join(subset.dir, 'train', 'ants', 'img05.jpg'), 'utf8'), 'train/ants/5');
    // The source is untouched.
    assert.equal(readdirSync(path.join(root, 'train', 'ants')).length, 10);
    // Copies keep their source's modification time, and copying again gives the same paths: feature cache keys stay the same.
    const stamp = (dir: string) => statSync(path.join(dir, 'train', 'ants', 'img05.jpg')).mtimeMs;
    assert.equal(stamp(subset.dir), stamp(root));
    const again = subsetPerClass(root, { splits: ['train', 'val'], perClass: 4 });
    assert.equal(again.dir, subset.dir);
    assert.equal(stamp(again.dir), stamp(root));
    assert.deepEqual(again.counts, subset.counts);
  } finally {
    rmSync(subset.dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});

test('subsetPerClass without perClass returns the root and copies nothing', () => {
  const root = fakeDataset({ train: { a: 2, b: 1 } });
  try {
    const subset = subsetPerClass(root, { splits: ['train'] });
    assert.equal(subset.dir, root);
    assert.equal(subset.copied, false);
    assert.deepEqual(subset.counts, { train: { a: 2, b: 1 } });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('subsetPerClass never replaces a folder it did not make', () => {
  const root = fakeDataset({ train: { a: 2, b: 2 } });
  const subset = subsetPerClass(root, { splits: ['train'], perClass: 1 });
  try {
    rmSync(path.join(subset.dir, '.transfer-lab-subset'));
    assert.throws(() => subsetPerClass(root, { splits: ['train'], perClass: 1 }), /subsetPerClass\(\): folder .* exists and was not made by subsetPerClass/);
    assert.ok(existsSync(path.join(subset.dir, 'train', 'a')));
  } finally {
    rmSync(subset.dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
});

test('subsetPerClass rejects bad options and missing splits with the value received', () => {
  const root = fakeDataset({ train: { a: 2, b: 2 } });
  try {
    assert.throws(() => subsetPerClass(root, { splits: ['train'], perClass: 0 }), /subsetPerClass\(\): perClass must be a whole number >= 1.*received 0/);
    assert.throws(() => subsetPerClass(root, { splits: [] }), /subsetPerClass\(\): splits must name at least one split/);
    assert.throws(() => subsetPerClass(root, { splits: ['val'], perClass: 1 }), /subsetPerClass\(\): folder .*val' does not exist/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('subsetPerClass uses a complete shared copy (TRANSFER_LAB_SHARED_SUBSETS) as it is, and copies again when it differs', () => {
  const root = fakeDataset({ train: { ants: 6, bees: 5 }, val: { ants: 3, bees: 3 } });
  const shared = mkdtempSync(path.join(tmpdir(), 'test-05-shared-'));
  const saved = process.env.TRANSFER_LAB_SHARED_SUBSETS;
  const made: string[] = [];
  try {
    // The teacher's warm-up writes the copy into the shared folder.
    const warm = subsetPerClass(root, { splits: ['train', 'val'], perClass: 2, into: shared });
    assert.equal(path.dirname(warm.dir), shared);
    assert.equal(warm.copied, true);

    process.env.TRANSFER_LAB_SHARED_SUBSETS = shared;
    const student = subsetPerClass(root, { splits: ['train', 'val'], perClass: 2 });
    assert.equal(student.dir, warm.dir);
    assert.equal(student.copied, false); // never deleted by the notebook's clean-up
    assert.deepEqual(student.counts, warm.counts);

    // Another size is not in the shared folder: a private copy in os.tmpdir().
    const other = subsetPerClass(root, { splits: ['train', 'val'], perClass: 3 });
    made.push(other.dir);
    assert.equal(other.copied, true);
    assert.ok(other.dir.startsWith(tmpdir()) && path.dirname(other.dir) !== shared);

    // A shared copy whose file no longer matches its source (modification time) is not used.
    const file = path.join(warm.dir, 'train', 'ants', readdirSync(path.join(warm.dir, 'train', 'ants'))[0]);
    utimesSync(file, new Date(2001, 0, 1), new Date(2001, 0, 1));
    const stale = subsetPerClass(root, { splits: ['train', 'val'], perClass: 2 });
    made.push(stale.dir);
    assert.equal(stale.copied, true);
    assert.notEqual(stale.dir, warm.dir);
  } finally {
    if (saved === undefined) delete process.env.TRANSFER_LAB_SHARED_SUBSETS;
    else process.env.TRANSFER_LAB_SHARED_SUBSETS = saved;
    for (const dir of [...made, shared, root]) rmSync(dir, { recursive: true, force: true });
  }
});
