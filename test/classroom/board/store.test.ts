import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ClassResult } from '../../../src/classroom/board/results';
import { RESULTS_FILE, ResultStore } from '../../../src/classroom/board/store';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tl-board-store-'));
}

function result(student: string, strategy: string, valAccuracy: number, postedAt: string): ClassResult {
  return { student, dataset: 'ants/bees', strategy, valAccuracy, seconds: 40, backend: 'wasm', postedAt };
}

test('results survive closing and reopening the store, in order', async () => {
  const dir = tempDir();
  try {
    const store = await ResultStore.open(dir);
    await store.append(result('amy', 'feature extraction', 0.9, '2026-12-03T10:00:00.000Z'));
    await store.append(result('ben', 'feature extraction', 0.85, '2026-12-03T10:00:01.000Z'));
    await store.close();
    const again = await ResultStore.open(dir);
    assert.deepEqual(again.history().map((r) => [r.student, r.valAccuracy]), [['amy', 0.9], ['ben', 0.85]]);
    assert.equal(again.version, 2);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a re-post replaces the latest for that student + dataset + strategy and keeps the history', async () => {
  const dir = tempDir();
  try {
    const store = await ResultStore.open(dir);
    await store.append(result('amy', 'fine-tuning', 0.88, '2026-12-03T10:00:00.000Z'));
    await store.append(result('amy', 'feature extraction', 0.9, '2026-12-03T10:00:01.000Z'));
    await store.append(result('amy', 'fine-tuning', 0.94, '2026-12-03T10:05:00.000Z'));
    const latest = store.latest();
    assert.equal(latest.length, 2);
    assert.deepEqual(latest.map((r) => [r.strategy, r.valAccuracy]), [['feature extraction', 0.9], ['fine-tuning', 0.94]]);
    assert.deepEqual(store.history().map((r) => r.valAccuracy), [0.88, 0.9, 0.94]);
    await store.close();
    const reopened = await ResultStore.open(dir);
    assert.deepEqual(reopened.latest().map((r) => r.valAccuracy), [0.9, 0.94]);
    assert.equal(reopened.history().length, 3);
    await reopened.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent appends never interleave inside a line', async () => {
  const dir = tempDir();
  try {
    const store = await ResultStore.open(dir);
    await Promise.all(Array.from({ length: 40 }, (_, i) =>
      store.append(result(`student${String(i).padStart(2, '0')}`, 'fine-tuning', i / 40, new Date(1e12 + i).toISOString()))));
    await store.close();
    const lines = fs.readFileSync(path.join(dir, RESULTS_FILE), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 40);
    for (const line of lines) assert.equal(typeof JSON.parse(line).student, 'string');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a process killed right after its appends resolved loses nothing', async () => {
  const dir = tempDir();
  try {
    // A real separate process appends, then dies with SIGKILL: no close(), no flush at exit.
    const storeModule = path.resolve(__dirname, '../../../src/classroom/board/store.ts');
    const script = `
      const { ResultStore } = require(${JSON.stringify(storeModule)});
      (async () => {
        const store = await ResultStore.open(${JSON.stringify(dir)});
        for (let i = 0; i < 5; i++) {
          await store.append({ student: 's' + i, dataset: 'flowers12', strategy: 'fineTune', valAccuracy: 0.8,
            seconds: 1, backend: 'wasm', postedAt: new Date().toISOString() });
        }
        process.kill(process.pid, 'SIGKILL');
      })();`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    assert.equal(run.signal, 'SIGKILL', run.stderr);
    const store = await ResultStore.open(dir);
    assert.deepEqual(store.latest().map((r) => r.student), ['s0', 's1', 's2', 's3', 's4']);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a last line cut short by a crash is dropped and the next append starts on a fresh line', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, RESULTS_FILE);
    const good = JSON.stringify(result('amy', 'fine-tuning', 0.9, '2026-12-03T10:00:00.000Z'));
    fs.writeFileSync(file, `${good}\n${good.slice(0, 30)}`);
    const warnings: string[] = [];
    const store = await ResultStore.open(dir, { warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /ended in a line cut short \(30 bytes, written during a crash and never acknowledged\); dropping it/);
    assert.equal(store.history().length, 1);
    await store.append(result('ben', 'fine-tuning', 0.7, '2026-12-03T10:01:00.000Z'));
    await store.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.deepEqual(lines.map((l) => (l ? JSON.parse(l).student : '')), ['amy', 'ben', '']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged line in the middle is skipped with a warning naming the file and line; the rest loads', async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, RESULTS_FILE);
    const a = JSON.stringify(result('amy', 'fine-tuning', 0.9, '2026-12-03T10:00:00.000Z'));
    const b = JSON.stringify(result('ben', 'fine-tuning', 0.8, '2026-12-03T10:00:01.000Z'));
    fs.writeFileSync(file, `${a}\n{"student": 3}\n${b}\n`);
    const warnings: string[] = [];
    const store = await ResultStore.open(dir, { warn: (m) => warnings.push(m) });
    assert.deepEqual(store.history().map((r) => r.student), ['amy', 'ben']);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes(`${file} line 2 is not a result; skipping it`), warnings[0]);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable data folder is reported with the path and the fix', async () => {
  const dir = tempDir();
  try {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    await assert.rejects(ResultStore.open(path.join(blocker, 'board')),
      /ResultStore\.open: cannot create the data folder .*not-a-folder\/board: .*Give the board a writable --data folder/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('append after close is refused with the file named', async () => {
  const dir = tempDir();
  try {
    const store = await ResultStore.open(dir);
    await store.close();
    await assert.rejects(store.append(result('amy', 'x', 0.5, '2026-12-03T10:00:00.000Z')),
      /ResultStore\.append: .*results\.jsonl is closed; the board is shutting down/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
