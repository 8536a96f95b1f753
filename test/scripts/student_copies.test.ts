// Tests of scripts/lib/student.mjs (the student-copy stripping) on hand-made notebooks, and of
// every real notebook in notebooks/: its student copy is in sync, and its exercises are complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}
interface Options {
  name?: string;
  upLevels?: number;
}
interface Stats {
  cells: number;
  exercises: number;
  codeRegions: number;
  markdownRegions: number;
  solutionCells: number;
}
interface StudentLib {
  studentNotebook(nb: Notebook, opts?: Options): Notebook;
  studentCopy(nb: Notebook, opts?: Options): { notebook: Notebook; stats: Stats };
  checkStudentSync(full: Notebook, student: Notebook, opts?: Options): string[];
  segments(cell: Cell): ({ kind: 'keep'; line: string } | { kind: 'solution'; indent: string; lines: string[] })[];
  relocateLine(line: string, upLevels?: number): string;
  cellText(cell: Cell): string;
}

const root = path.resolve(__dirname, '..', '..');
const notebooksDir = path.join(root, 'notebooks');
// A computed URL keeps tsc from resolving the .mjs (it has no .d.ts); StudentLib types it.
const load = (): Promise<StudentLib> => import(pathToFileURL(path.join(root, 'scripts', 'lib', 'student.mjs')).href);

function code(source: string | string[], extra: Partial<Cell> = {}): Cell {
  return { cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null, ...extra };
}
function md(source: string, extra: Partial<Cell> = {}): Cell {
  return { cell_type: 'markdown', source, metadata: {}, ...extra };
}
function notebook(cells: Cell[]): Notebook {
  return { cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 };
}

test('an indented solution region becomes one placeholder at the marker indentation', async () => {
  const lib = await load();
  const full = notebook([
    code(['let total: number | undefined;\n', 'for (const x of [1, 2]) {\n', '  // BEGIN SOLUTION\n', '  total = (total ?? 0) + x;\n', '  // END SOLUTION\n', '}'], {
      outputs: [{ output_type: 'stream', name: 'stdout', text: '3' }],
      execution_count: 7,
      metadata: { slideshow: { slide_type: '-' } },
    }),
  ]);
  const student = lib.studentNotebook(full, { name: 'indent.ipynb' });
  const cell = student.cells[0];
  // The source stays a list of lines, as in the full notebook.
  assert.deepEqual(cell.source, ['let total: number | undefined;\n', 'for (const x of [1, 2]) {\n', '  // YOUR CODE HERE\n', '}']);
  assert.deepEqual(cell.outputs, []);
  assert.equal(cell.execution_count, null);
  assert.deepEqual(cell.metadata, { slideshow: { slide_type: '-' } });
  // The input is not changed.
  assert.equal(full.cells[0].execution_count, 7);
  assert.equal(full.cells[0].source.length, 6);
});

test('two regions in one cell are both stripped; the lines between them stay', async () => {
  const lib = await load();
  const src = 'let a: number | undefined;\nlet b: number | undefined;\n// BEGIN SOLUTION\na = 1;\n// END SOLUTION\nlab.show(`a = ${a}`);\n    //BEGIN SOLUTION\nb = 2;\nb += a;\n    // END SOLUTION  \nlab.show(`b = ${b}`);';
  const { notebook: student, stats } = lib.studentCopy(notebook([code(src)]));
  assert.equal(
    student.cells[0].source,
    'let a: number | undefined;\nlet b: number | undefined;\n// YOUR CODE HERE\nlab.show(`a = ${a}`);\n    // YOUR CODE HERE\nlab.show(`b = ${b}`);',
  );
  assert.equal(stats.codeRegions, 2);
});

test('a markdown solution region becomes *Your answer here.*', async () => {
  const lib = await load();
  const full = notebook([md('**Question 1.** Why freeze BatchNorm?\n\n<!-- BEGIN SOLUTION -->\nIts moving statistics would drift.\n<!-- END SOLUTION -->\n\nThen go on.')]);
  const { notebook: student, stats } = lib.studentCopy(full);
  assert.equal(student.cells[0].source, '**Question 1.** Why freeze BatchNorm?\n\n*Your answer here.*\n\nThen go on.');
  assert.equal(stats.markdownRegions, 1);
  // `// BEGIN SOLUTION` in a markdown cell is prose, not a marker.
  const prose = notebook([md('Write your answer between `// BEGIN SOLUTION` lines.')]);
  assert.equal(lib.studentNotebook(prose).cells[0].source, 'Write your answer between `// BEGIN SOLUTION` lines.');
});

test('cells tagged solution are removed; other tags and notebook metadata are kept', async () => {
  const lib = await load();
  const full = notebook([
    md('**Exercise 1.** Count the layers.', { id: 'a' }),
    code('let n: number | undefined;', { id: 'b', metadata: { tags: ['exercise'] } }),
    code('n = model.layers.length;', { id: 'c', metadata: { tags: ['solution'] } }),
    code("void lab.checkExercise('Exercise 1', [[n === 3, 'hint']]);", { id: 'd' }),
  ]);
  const { notebook: student, stats } = lib.studentCopy(full);
  assert.deepEqual(student.cells.map((c) => c.id), ['a', 'b', 'd']);
  assert.deepEqual(student.cells[1].metadata, { tags: ['exercise'] });
  assert.deepEqual(student.metadata, full.metadata);
  assert.deepEqual(stats, { cells: 3, exercises: 1, codeRegions: 0, markdownRegions: 0, solutionCells: 1 });
  assert.deepEqual(lib.checkStudentSync(full, student), []);
});

test('unbalanced, nested and inline markers throw, naming the notebook and the cell index', async () => {
  const lib = await load();
  const cells = (bad: Cell) => notebook([md('# Title'), code('const x = 1;'), bad]);
  assert.throws(
    () => lib.studentNotebook(cells(code('let y;\n// BEGIN SOLUTION\ny = 2;')), { name: '07-broken.ipynb' }),
    /^Error: studentNotebook: 07-broken\.ipynb cell 2, a code cell, line 2: '\/\/ BEGIN SOLUTION' is never closed\. Add '\/\/ END SOLUTION'/,
  );
  assert.throws(
    () => lib.studentNotebook(cells(code('y = 2;\n// END SOLUTION', { id: 'c002' })), { name: '07-broken.ipynb' }),
    /07-broken\.ipynb cell 2 \(id c002\), a code cell, line 2: '\/\/ END SOLUTION' has no matching '\/\/ BEGIN SOLUTION'/,
  );
  assert.throws(
    () => lib.studentNotebook(cells(code('// BEGIN SOLUTION\n  // BEGIN SOLUTION\ny = 2;\n// END SOLUTION\n// END SOLUTION')), { name: 'n.ipynb' }),
    /n\.ipynb cell 2, a code cell, line 2: nested '\/\/ BEGIN SOLUTION' \(the region opened on line 1 is not closed\)/,
  );
  assert.throws(
    () => lib.studentNotebook(cells(code('y = 2; // BEGIN SOLUTION\n// END SOLUTION')), { name: 'n.ipynb' }),
    /n\.ipynb cell 2, a code cell, line 1: a solution marker must be alone on its line \(found "y = 2; \/\/ BEGIN SOLUTION"\)/,
  );
  assert.throws(
    () => lib.studentNotebook(cells(md('<!-- BEGIN SOLUTION -->\nanswer')), { name: 'n.ipynb' }),
    /n\.ipynb cell 2, a markdown cell, line 1: '<!-- BEGIN SOLUTION -->' is never closed/,
  );
});

test('relative path literals get one more ../ for a copy one folder deeper', async () => {
  const lib = await load();
  assert.equal(lib.relocateLine("import * as lab from '../dist/index';", 1), "import * as lab from '../../dist/index';");
  assert.equal(lib.relocateLine('const p = "../datasets/x" + `../y`;', 1), 'const p = "../../datasets/x" + `../../y`;');
  assert.equal(lib.relocateLine("import * as tf from '@tensorflow/tfjs';", 1), "import * as tf from '@tensorflow/tfjs';");
  assert.equal(lib.relocateLine('const q = `${root}/../x`;', 1), 'const q = `${root}/../x`;');
  assert.equal(lib.relocateLine("from '../dist/index'", 0), "from '../dist/index'");
  const full = notebook([md("See '../dist/index'."), code("import * as lab from '../dist/index';")]);
  const student = lib.studentNotebook(full, { upLevels: 1 });
  assert.equal(student.cells[0].source, "See '../dist/index'."); // prose is not code
  assert.equal(student.cells[1].source, "import * as lab from '../../dist/index';");
  assert.deepEqual(lib.checkStudentSync(full, student, { upLevels: 1 }), []);
  assert.equal(lib.checkStudentSync(full, student).length, 1); // without upLevels the import differs
});

test('checkStudentSync finds stale, edited and leaking copies', async () => {
  const lib = await load();
  const full = notebook([
    md('## Exercises', { id: 'm' }),
    code('let k: number | undefined;\n// BEGIN SOLUTION\nk = base.layers.length - 3;\n// END SOLUTION\nlab.show(`k = ${k}`);', { id: 'x' }),
    code("void lab.checkExercise('Exercise 1', [[k === 4, 'hint']]);", { id: 'y' }),
  ]);
  const good = lib.studentNotebook(full);
  assert.deepEqual(lib.checkStudentSync(full, good), []);

  const leaked = structuredClone(good);
  leaked.cells[1].source = 'let k: number | undefined;\nk = base.layers.length - 3;\nlab.show(`k = ${k}`);';
  assert.match(lib.checkStudentSync(full, leaked).join('\n'), /student cell 1 \(full cell 1, id x\), line 2: solution line leaked into the student copy: "k = base\.layers\.length - 3;"/);

  const marker = structuredClone(good);
  marker.cells[1].source = 'let k: number | undefined;\n// BEGIN SOLUTION\n// YOUR CODE HERE\nlab.show(`k = ${k}`);';
  assert.match(lib.checkStudentSync(full, marker).join('\n'), /line 2: solution marker left in the student copy/);

  const edited = structuredClone(good);
  edited.cells[1].source = 'let k: number;\n// YOUR CODE HERE\nlab.show(`k = ${k}`);';
  assert.deepEqual(lib.checkStudentSync(full, edited), [
    'notebook: student cell 1 (full cell 1, id x), line 1: differs from the full notebook: expected "let k: number | undefined;", found "let k: number;".',
  ]);

  const withOutputs = structuredClone(good);
  withOutputs.cells[2].outputs = [{ output_type: 'stream', name: 'stdout', text: 'PASS' }];
  assert.match(lib.checkStudentSync(full, withOutputs).join('\n'), /student cell 2 .*has outputs or an execution count/);

  const swapped = structuredClone(good);
  swapped.cells = [swapped.cells[0], swapped.cells[2], swapped.cells[1]];
  assert.match(lib.checkStudentSync(full, swapped).join('\n'), /student cell 1 .*order differs: expected id x, found id y/);

  const retyped = structuredClone(good);
  retyped.cells[0] = { ...retyped.cells[0], cell_type: 'raw' };
  assert.match(lib.checkStudentSync(full, retyped).join('\n'), /student cell 0 .*type differs: full markdown, student raw/);

  const short = structuredClone(good);
  short.cells.pop();
  assert.deepEqual(lib.checkStudentSync(full, short, { name: '05.ipynb' }), ['05.ipynb: cell count differs: the full notebook has 3 cells, the student copy has 2.']);
});

// ---- every real notebook ----

function realNotebooks(): { name: string; nb: Notebook }[] {
  return readdirSync(notebooksDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((name) => ({ name, nb: JSON.parse(readFileSync(path.join(notebooksDir, name), 'utf8')) as Notebook }));
}

/** Cells from the `## Exercises` heading up to the next `#`/`##` heading. */
function exerciseSection(lib: StudentLib, nb: Notebook): Cell[] | undefined {
  const heading = (c: Cell) => (c.cell_type === 'markdown' ? /^#{1,2} (.+)$/m.exec(lib.cellText(c).trimStart().split('\n')[0])?.[1]?.trim() : undefined);
  const start = nb.cells.findIndex((c) => heading(c) === 'Exercises');
  if (start < 0) return undefined;
  const rest = nb.cells.slice(start + 1);
  const end = rest.findIndex((c) => heading(c) !== undefined);
  return end < 0 ? rest : rest.slice(0, end);
}

test('every notebook has a student copy in sync with it', async () => {
  const lib = await load();
  const all = realNotebooks();
  assert.ok(all.length > 0, `no notebook in ${notebooksDir}`);
  for (const { name, nb } of all) {
    // The same settings as scripts/student-copies.mjs (copies in build/student/).
    const student = lib.studentNotebook(nb, { name, upLevels: 1 });
    assert.deepEqual(lib.checkStudentSync(nb, student, { name, upLevels: 1 }), [], name);
    const text = student.cells.map((c) => lib.cellText(c)).join('\n');
    assert.doesNotMatch(text, /BEGIN SOLUTION|END SOLUTION/, `${name}: a marker survived in the student copy`);
    assert.match(text, /from '\.\.\/\.\.\/dist\/index'/, `${name}: the student copy must import ../../dist/index`);
  }
});

test('every lesson notebook (not 00) has at least 3 exercises, each answered in a cell with a solution region', async () => {
  const lib = await load();
  for (const { name, nb } of realNotebooks().filter((n) => !n.name.startsWith('00'))) {
    const section = exerciseSection(lib, nb);
    assert.ok(section, `${name}: no '## Exercises' heading`);
    const codeCells = section.filter((c) => c.cell_type === 'code');
    const isCheck = (c: Cell) => lib.cellText(c).includes('checkExercise(');
    const checks = codeCells.filter(isCheck);
    assert.ok(checks.length >= 3, `${name}: ${checks.length} exercise check cell(s) (checkExercise) in '## Exercises'; at least 3 are needed`);
    // The code cells of one exercise: after the previous check cell, up to and including its own.
    // (A clean-up cell after the last check belongs to no exercise.)
    let from = 0;
    for (const check of checks) {
      const to = codeCells.indexOf(check);
      const exercise = codeCells.slice(from, to + 1);
      from = to + 1;
      const where = `${name} cell ${nb.cells.indexOf(check)}`;
      const answered = exercise.filter((c) => lib.segments(c).some((s) => s.kind === 'solution'));
      assert.ok(answered.length > 0, `${where}: this exercise check has no answer cell with a '// BEGIN SOLUTION' region before it`);
      for (const cell of answered) {
        // The answer is declared outside the markers, so the student copy still compiles.
        const kept = lib.segments(cell).flatMap((s) => (s.kind === 'keep' ? [s.line] : []));
        assert.ok(kept.some((l) => /^\s*let\s+\w+/.test(l)), `${name} cell ${nb.cells.indexOf(cell)}: declare the answer with \`let\` outside the solution markers`);
      }
    }
  }
});
