import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { compareCodePoints, listClassFiles } from '../../src/data/directory';
import { DataError } from '../../src/errors';
import { tempDir, write } from './fixtures';

/** Creates empty files (listing does not decode). */
function touch(root: string, ...files: string[]): void {
  for (const f of files) write(path.join(root, f), '');
}

describe('listClassFiles', () => {
  const tmp = tempDir('tl-dir-');
  after(() => tmp.cleanup());
  let n = 0;
  const fresh = (): string => {
    const dir = path.join(tmp.dir, `case${n++}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it("sorts classes by code point like Python's sorted(), skipping hidden folders and files", () => {
    const root = fresh();
    const names = ['b', 'B', 'a', 'Zeta', '_x', '\u{1F600}', '\uFF5E'];
    for (const name of names) touch(root, `${name}/1.png`);
    touch(root, '.ipynb_checkpoints/1.png', 'stray.jpg');
    const listing = listClassFiles(root);
    // Uppercase < '_' < lowercase; U+FF5E < U+1F600 (JS's default UTF-16 sort gets this one wrong).
    assert.deepEqual(listing.classNames, ['B', 'Zeta', '_x', 'a', 'b', '\uFF5E', '\u{1F600}']);
    assert.deepEqual([...names].sort(), ['B', 'Zeta', '_x', 'a', 'b', '\u{1F600}', '\uFF5E'], 'the UTF-16 order differs');
    assert.deepEqual(listing.classIndices, { B: 0, Zeta: 1, _x: 2, a: 3, b: 4, '\uFF5E': 5, '\u{1F600}': 6 });
    assert.ok(compareCodePoints('a', 'ab') < 0);
  });

  it('walks class folders recursively in os.walk order and filters extensions case-insensitively', () => {
    const root = fresh();
    touch(root, 'cats/b.png', 'cats/a.JPG', 'cats/notes.txt', 'cats/sub/c.webp', 'cats/sub b/d.gif', 'cats/e.jpeg',
      'cats/f.bmp', 'cats/g.ppm', 'cats/h.tif', 'cats/i.TIFF', 'cats/j.svg', 'dogs/x.png');
    const listing = listClassFiles(root);
    const rel = listing.filepaths.map((p) => path.relative(root, p));
    // Root folder first, then sub-folders by path, files sorted in each.
    assert.deepEqual(rel, [
      'cats/a.JPG', 'cats/b.png', 'cats/e.jpeg', 'cats/f.bmp', 'cats/g.ppm', 'cats/h.tif', 'cats/i.TIFF',
      'cats/sub/c.webp', 'cats/sub b/d.gif', 'dogs/x.png',
    ]);
    assert.deepEqual(listing.classes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(listing.totalPerClass, [9, 1]);
  });

  it("orders sub-folders by full path like Keras' sorted(os.walk())", () => {
    const root = fresh();
    touch(root, 'c/z.png', 'c/sub/a.png', 'c/sub b/a.png', 'c/sub/deeper/a.png', 'd/1.png');
    const rel = listClassFiles(root).filepaths.map((p) => path.relative(root, p));
    // 'c/sub' < 'c/sub b' (' ' is 0x20, '/' is 0x2F) < 'c/sub/deeper'.
    assert.deepEqual(rel, ['c/z.png', 'c/sub/a.png', 'c/sub b/a.png', 'c/sub/deeper/a.png', 'd/1.png']);
  });

  it('splits each class: validation = first int(split * n) files, training = the rest', () => {
    const root = fresh();
    for (let i = 0; i < 10; i++) touch(root, `a/${i}.png`);
    for (let i = 0; i < 100; i++) touch(root, `b/${String(i).padStart(3, '0')}.png`);
    const val = listClassFiles(root, { validationSplit: 0.25, subset: 'validation' });
    const train = listClassFiles(root, { validationSplit: 0.25, subset: 'training' });
    const count = (l: { classes: number[] }, c: number): number => l.classes.filter((x) => x === c).length;
    assert.deepEqual([count(val, 0), count(val, 1)], [2, 25]);
    assert.deepEqual([count(train, 0), count(train, 1)], [8, 75]);
    assert.deepEqual(val.filepaths.slice(0, 2).map((p) => path.basename(p)), ['0.png', '1.png']);
    assert.equal(new Set([...val.filepaths, ...train.filepaths]).size, 110, 'no overlap, nothing lost');
    // Float arithmetic as in Python: 0.29 * 100 = 28.999999999999996 -> 28.
    const val29 = listClassFiles(root, { validationSplit: 0.29, subset: 'validation' });
    assert.equal(count(val29, 1), 28);
    assert.equal(listClassFiles(root, { validationSplit: 0.25 }).filepaths.length, 110, 'no subset: every file');
  });

  it('raises clear DataErrors for a missing folder, a file, no classes, one class and an empty class', () => {
    const root = fresh();
    assert.throws(() => listClassFiles(path.join(root, 'nope')), (err: unknown) => {
      assert.ok(err instanceof DataError);
      assert.match(err.message, /flowFromDirectory: folder '.*nope' does not exist\. Pass a folder with one sub-folder per class/);
      return true;
    });
    writeFileSync(path.join(root, 'file.png'), '');
    assert.throws(() => listClassFiles(path.join(root, 'file.png')), /'.*file\.png' is a file, not a folder/);
    assert.throws(() => listClassFiles(root), /folder '.*' has no class sub-folders \(it holds 1 image files directly\)\. Put each class's images in its own sub-folder/);

    touch(root, 'ants/1.png');
    assert.throws(() => listClassFiles(root), /has only one class sub-folder \('ants'\); a classifier needs at least two classes\. Add a sub-folder per class, or point at the parent folder/);
    assert.equal(listClassFiles(root, { classMode: null }).classNames.length, 1, 'classMode null allows one class');

    mkdirSync(path.join(root, 'bees'));
    writeFileSync(path.join(root, 'bees', 'readme.txt'), 'no images here');
    assert.throws(() => listClassFiles(root), /class folder '.*bees' has no image files \(allowed extensions: png, jpg, jpeg, bmp, ppm, tif, tiff, gif, webp\)\. Put images in it, or remove the folder/);
  });

  it('checks split options and binary mode', () => {
    const root = fresh();
    touch(root, 'a/1.png', 'b/1.png', 'c/1.png');
    assert.throws(() => listClassFiles(root, { subset: 'validation' }), /subset 'validation' needs a validationSplit \(e\.g\. validationSplit: 0\.2\); received none/);
    assert.throws(() => listClassFiles(root, { validationSplit: 1.5, subset: 'training' }), /validationSplit must be strictly between 0 and 1; received 1\.5/);
    assert.throws(() => listClassFiles(root, { classMode: 'binary' }), /classMode 'binary' needs exactly 2 classes; folder '.*' has 3 \(a, b, c\)/);
    assert.deepEqual(listClassFiles(root, { classes: ['c', 'a'] }).classNames, ['c', 'a']);
    assert.throws(() => listClassFiles(root, { classes: ['a', 'zz'] }), /class folder '.*zz' \(from the classes option\) does not exist/);
  });
});
