import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { prepareWorkspace } from '../../src/classroom/workspace';

function fakeInstall(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-install-'));
  mkdirSync(path.join(dir, 'notebooks'));
  mkdirSync(path.join(dir, 'dist'));
  mkdirSync(path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'notebooks', '00-setup-check.ipynb'), '{"cells": []}');
  writeFileSync(path.join(dir, 'notebooks', '05-build-and-fine-tune.ipynb'), '{"cells": [1]}');
  return dir;
}

test('the first login copies every notebook and links dist and node_modules to the shared course', () => {
  const install = fakeInstall();
  const home = mkdtempSync(path.join(tmpdir(), 'test-home-'));
  try {
    const report = prepareWorkspace(home, install);
    assert.deepEqual(report.copied, ['00-setup-check.ipynb', '05-build-and-fine-tune.ipynb']);
    assert.deepEqual(report.linked, ['dist', 'node_modules']);
    assert.equal(readlinkSync(path.join(home, 'transfer-lab', 'dist')), path.join(install, 'dist'));
    assert.ok(lstatSync(path.join(home, 'transfer-lab', 'tmp')).isDirectory());

    // A later login keeps the student's work and adds only what is new.
    const mine = path.join(home, 'transfer-lab', 'notebooks', '05-build-and-fine-tune.ipynb');
    writeFileSync(mine, '{"cells": ["my answers"]}');
    writeFileSync(path.join(install, 'notebooks', '06-new.ipynb'), '{}');
    const again = prepareWorkspace(home, install);
    assert.deepEqual(again.copied, ['06-new.ipynb']);
    assert.deepEqual(again.kept, ['00-setup-check.ipynb', '05-build-and-fine-tune.ipynb']);
    assert.deepEqual(again.linked, []);
    assert.equal(readFileSync(mine, 'utf8'), '{"cells": ["my answers"]}');
  } finally {
    rmSync(install, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});

test('prepareWorkspace refuses a real folder where a link must be, and a missing install', () => {
  const install = fakeInstall();
  const home = mkdtempSync(path.join(tmpdir(), 'test-home-'));
  try {
    mkdirSync(path.join(home, 'transfer-lab', 'dist'), { recursive: true });
    assert.throws(() => prepareWorkspace(home, install), {
      name: 'ClassroomError',
      message: new RegExp(`^prepareWorkspace\\(\\): ${path.join(home, 'transfer-lab', 'dist')} is a real folder, but must link to the shared`),
    });
    assert.throws(() => prepareWorkspace(home, path.join(install, 'nowhere')), { message: /the course is not installed in .*nowhere \(no notebooks\/ there\)/ });
  } finally {
    rmSync(install, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
