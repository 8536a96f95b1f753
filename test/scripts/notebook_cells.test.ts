// Notebook cells hold only what the lesson is about (issue 14): knobs, the call, the picture.
// Every code cell of every notebook is at most 12 lines and none does plumbing a library call owns:
// starting a worker pool, typing a feature-cache key, or disposing tensors or models in a loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as lab from '../../src/index';

const MAX_LINES = 12;

/** Plumbing that belongs in src/, with the call that does it for the student. */
const PLUMBING: { pattern: RegExp; use: string }[] = [
  { pattern: /\bcreatePool\s*\(|\bnew\s+FeaturePool\b|\bFeatureWorkerPool\s*\.\s*create\s*\(/, use: 'lab.bottleneckFeatures (starts and closes its pool)' },
  { pattern: /\bpreprocessing\s*:\s*['"`]|['"`][a-z]+\|[a-z]+\|(keepAspectRatio|stretch)\b|shrinkOnLoad/, use: 'lab.bottleneckFeatures (derives the cache key)' },
  { pattern: /\.forEach\(\s*\(?\s*(\w+)\s*\)?\s*=>\s*[\w.!]*\.dispose\(\)\s*\)|for\s*\(const\s+\w+\s+of\s+[^)]*\)\s*[\w.!]*\.dispose\(\)/, use: 'lab.disposeFeatureSets, or tf.tidy' },
];

const dir = path.resolve(__dirname, '..', '..', 'notebooks');
const files = readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort();

interface Cell { cell_type: string; id?: string; source: string | string[] }
const codeCells = (file: string) =>
  (JSON.parse(readFileSync(path.join(dir, file), 'utf8')).cells as Cell[])
    .map((c, i) => ({ ...c, index: i, text: (Array.isArray(c.source) ? c.source.join('') : c.source).replace(/\n+$/, '') }))
    .filter((c) => c.cell_type === 'code');

/** The problems of one cell's text; the last test checks the rules themselves. */
function cellProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n').length;
  if (lines > MAX_LINES) problems.push(`${lines} lines (at most ${MAX_LINES}; move logic into src/)`);
  for (const { pattern, use } of PLUMBING) {
    const m = pattern.exec(text);
    if (m) problems.push(`'${m[0]}': use ${use}`);
  }
  return problems;
}

test('the notebook list covers all six lessons', () => {
  assert.deepEqual(files.map((f) => f.slice(0, 2)), ['00', '01', '02', '03', '04', '05']);
});

test(`every code cell has at most ${MAX_LINES} lines and no pool, cache key or dispose loop`, () => {
  const problems: string[] = [];
  for (const file of files) {
    for (const cell of codeCells(file)) {
      for (const p of cellProblems(cell.text)) problems.push(`${file} cell ${cell.index} (${cell.id}): ${p}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the rules catch what they are for, and pass the calls that replace it', () => {
  assert.deepEqual(cellProblems("const pool = await lab.FeatureWorkerPool.create(model);"),
    ["'FeatureWorkerPool.create(': use lab.bottleneckFeatures (starts and closes its pool)"]);
  assert.deepEqual(cellProblems("const key = { modelName: 'm', preprocessing: 'tf|lanczos|keepAspectRatio|shrinkOnLoad|224' };"),
    ["'preprocessing: '': use lab.bottleneckFeatures (derives the cache key)"]);
  assert.deepEqual(cellProblems('[a, b].forEach((m) => m.dispose());'), ["'.forEach((m) => m.dispose())': use lab.disposeFeatureSets, or tf.tidy"]);
  assert.deepEqual(cellProblems(Array.from({ length: 13 }, (_, i) => `const x${i} = ${i};`).join('\n')),
    ['13 lines (at most 12; move logic into src/)']);
  assert.deepEqual(cellProblems('const pooled = await lab.bottleneckFeatures(featureModel, options);\nlab.disposeFeatureSets(pooled);'), []);
});

test('every lab.name a notebook calls is exported by src/index.ts (the barrel is the public API)', () => {
  const missing: string[] = [];
  for (const file of files) {
    for (const cell of codeCells(file)) {
      // Type positions (`: lab.X`, `<lab.X>`, `as lab.X`) name types, which have no runtime value.
      for (const m of cell.text.matchAll(/(:\s*|<|\bas\s+)?\blab\.([A-Za-z_$][\w$]*)/g)) {
        if (m[1] === undefined && !(m[2] in lab)) missing.push(`${file} cell ${cell.index}: lab.${m[2]}`);
      }
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});
