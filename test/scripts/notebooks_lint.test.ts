// Lints every notebook in notebooks/ against the course's notebook rules (STYLE.md 1-4, 12-14 and
// the notebook authors' brief). Each test lists every problem it finds, per notebook and cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { slideshow?: { slide_type?: string }; tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
  nbformat: number;
  nbformat_minor: number;
}

/** The hard limit on code cell lines (STYLE.md aims at ~15). */
const MAX_CODE_LINES = 25;
const SLIDE_TYPES = ['slide', 'subslide', 'fragment', 'skip', 'notes', '-'];

const notebooksDir = path.resolve(__dirname, '..', '..', 'notebooks');
const files = readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();
const isLesson = (name: string) => !name.startsWith('00');

function text(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : String(cell.source ?? '');
}

/** `{ level, title }` when a markdown cell starts with a heading. */
function heading(cell: Cell): { level: number; title: string } | undefined {
  if (cell.cell_type !== 'markdown') return undefined;
  const m = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(text(cell).trimStart().split('\n')[0]);
  return m ? { level: m[1].length, title: m[2] } : undefined;
}

/** Parses every notebook; a file that is not JSON is a problem of the first test. */
function load(): { name: string; nb?: Notebook; error?: string }[] {
  return files.map((name) => {
    try {
      return { name, nb: JSON.parse(readFileSync(path.join(notebooksDir, name), 'utf8')) as Notebook };
    } catch (err) {
      return { name, error: (err as Error).message };
    }
  });
}
const notebooks = () => load().flatMap((n) => (n.nb ? [{ name: n.name, nb: n.nb }] : []));

test('notebooks/ holds notebooks', () => {
  assert.ok(files.length > 0, `no .ipynb in ${notebooksDir}`);
});

test('every notebook is valid nbformat 4 JSON', () => {
  const problems: string[] = [];
  for (const { name, nb, error } of load()) {
    if (error) {
      problems.push(`${name}: not JSON: ${error}`);
      continue;
    }
    if (nb!.nbformat !== 4 || !Number.isInteger(nb!.nbformat_minor)) problems.push(`${name}: nbformat ${nb!.nbformat}.${nb!.nbformat_minor}, expected 4.x`);
    if (!Array.isArray(nb!.cells)) problems.push(`${name}: no cells array`);
    (nb!.cells ?? []).forEach((c, i) => {
      if (!['code', 'markdown', 'raw'].includes(c.cell_type)) problems.push(`${name} cell ${i}: cell_type ${JSON.stringify(c.cell_type)}`);
      if (typeof c.source !== 'string' && !Array.isArray(c.source)) problems.push(`${name} cell ${i}: source is neither a string nor a list`);
      if (typeof c.metadata !== 'object' || c.metadata === null) problems.push(`${name} cell ${i}: no metadata object`);
      if (c.cell_type === 'code' && (!Array.isArray(c.outputs) || c.execution_count === undefined)) problems.push(`${name} cell ${i}: a code cell needs outputs and execution_count`);
    });
  }
  assert.deepEqual(problems, []);
});

test('every notebook passes nbformat.validate (Jupyter Python)', (t) => {
  // The schema check of Jupyter itself, when a Python with nbformat is around (one process for all).
  const script =
    'import json, sys, nbformat\n' +
    'out = {}\n' +
    'for f in sys.argv[1:]:\n' +
    '    try:\n' +
    '        nbformat.validate(nbformat.read(f, as_version=nbformat.NO_CONVERT)); out[f] = None\n' +
    '    except Exception as e:\n' +
    '        out[f] = str(e)[:500]\n' +
    'print(json.dumps(out))';
  const pythons = [process.env.TRANSFER_LAB_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => Boolean(p));
  for (const python of pythons) {
    const run = spawnSync(python, ['-c', script, ...files.map((f) => path.join(notebooksDir, f))], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) continue; // no such interpreter, or no nbformat in it
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, string | null>;
    const problems = Object.entries(result).flatMap(([f, err]) => (err ? [`${path.basename(f)}: ${err}`] : []));
    assert.deepEqual(problems, []);
    return;
  }
  t.skip('no Python with nbformat found (npm run setup installs Jupyter)');
});

test('every notebook runs on the tslab kernel', () => {
  const problems = notebooks()
    .filter(({ nb }) => nb.metadata?.kernelspec?.name !== 'tslab')
    .map(({ name, nb }) => `${name}: kernelspec name ${JSON.stringify(nb.metadata?.kernelspec?.name)}, expected 'tslab'`);
  assert.deepEqual(problems, []);
});

test('no notebook is committed with outputs (STYLE rule 14)', () => {
  const problems: string[] = [];
  for (const { name, nb } of notebooks()) {
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== 'code') return;
      if ((c.outputs?.length ?? 0) > 0) problems.push(`${name} cell ${i}: ${c.outputs!.length} output(s)`);
      if (c.execution_count !== null && c.execution_count !== undefined) problems.push(`${name} cell ${i}: execution_count ${c.execution_count}`);
    });
  }
  assert.deepEqual(problems, [], 'clear the outputs before committing (regenerate the notebook from its source)');
});

test("the first code cell imports '../dist/index' and calls setupLab()", () => {
  const problems: string[] = [];
  for (const { name, nb } of notebooks()) {
    const first = nb.cells.find((c) => c.cell_type === 'code');
    const src = first ? text(first) : '';
    if (!/^\s*import\s+\*\s+as\s+(\w+)\s+from\s+'\.\.\/dist\/index';?\s*$/m.test(src)) problems.push(`${name}: the first code cell does not \`import * as lab from '../dist/index'\``);
    if (!/\bsetupLab\(/.test(src)) problems.push(`${name}: the first code cell does not call setupLab()`);
  }
  assert.deepEqual(problems, []);
});

test(`every code cell has at most ${MAX_CODE_LINES} lines`, () => {
  const problems: string[] = [];
  for (const { name, nb } of notebooks()) {
    nb.cells.forEach((c, i) => {
      const lines = text(c).replace(/\n+$/, '').split('\n').length;
      if (c.cell_type === 'code' && lines > MAX_CODE_LINES) problems.push(`${name} cell ${i}: ${lines} lines (move logic into src/)`);
    });
  }
  assert.deepEqual(problems, []);
});

test('heading cells carry slide metadata; the title and sections start a slide', () => {
  const problems: string[] = [];
  for (const { name, nb } of notebooks()) {
    const first = heading(nb.cells[0]);
    if (!first || first.level !== 1 || nb.cells[0].metadata?.slideshow?.slide_type !== 'slide') {
      problems.push(`${name} cell 0: the notebook must open with a '# ' title cell of slide_type 'slide'`);
    }
    nb.cells.forEach((c, i) => {
      const h = heading(c);
      if (!h) return;
      const type = c.metadata?.slideshow?.slide_type;
      const label = `${name} cell ${i} ('${'#'.repeat(h.level)} ${h.title}')`;
      if (type === undefined) problems.push(`${label}: no metadata.slideshow.slide_type`);
      else if (!SLIDE_TYPES.includes(type)) problems.push(`${label}: slide_type ${JSON.stringify(type)} is not one of ${SLIDE_TYPES.join(', ')}`);
      else if (h.level <= 2 && type !== 'slide' && type !== 'subslide') problems.push(`${label}: a section heading must start a 'slide' or 'subslide', not ${JSON.stringify(type)}`);
    });
  }
  assert.deepEqual(problems, []);
});

test('lessons end with Summary, Exercises and Further reading; 00 ends with its Summary', () => {
  const problems: string[] = [];
  for (const { name, nb } of notebooks()) {
    const sections = nb.cells.flatMap((c, i) => {
      const h = heading(c);
      return h && h.level === 2 ? [{ title: h.title, i }] : [];
    });
    const titles = sections.map((s) => s.title);
    const want = isLesson(name) ? ['Summary', 'Exercises', 'Further reading'] : ['Summary'];
    const tail = titles.slice(-want.length);
    if (JSON.stringify(tail) !== JSON.stringify(want)) {
      problems.push(`${name}: the last '## ' sections are ${JSON.stringify(tail)}, expected ${JSON.stringify(want)}`);
      continue;
    }
    // The Summary is 3-5 bullets (NOTEBOOKS brief), in its heading cell or the cells after it.
    const summary = sections[sections.length - want.length];
    const next = sections[sections.length - want.length + 1]?.i ?? nb.cells.length;
    const bullets = nb.cells
      .slice(summary.i, next)
      .filter((c) => c.cell_type === 'markdown')
      .flatMap((c) => text(c).split('\n'))
      .filter((l) => /^[-*] /.test(l)).length;
    if (bullets < 3 || bullets > 5) problems.push(`${name}: the Summary has ${bullets} bullet(s), expected 3-5`);
  }
  assert.deepEqual(problems, []);
});
