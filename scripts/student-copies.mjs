#!/usr/bin/env zx
// npm run students [-- --only 05] [--out DIR --up-levels N]
// Writes the student copy of every notebooks/*.ipynb to build/student/<name>.ipynb: solution
// regions replaced by `// YOUR CODE HERE` (markdown: `*Your answer here.*`), cells tagged
// `solution` dropped, no outputs. Prints what was stripped; exits 1 on a malformed solution marker
// or a copy that is out of sync with its notebook (the logic is in scripts/lib/student.mjs).
//
// Where the copies live: build/student/, because they are build outputs (never committed). That
// folder is one level deeper than notebooks/, and tslab resolves a notebook's relative imports
// from the notebook's own folder, so every code literal starting with `../` gets one more `../`:
// `import * as lab from '../dist/index'` becomes `'../../dist/index'`, which is the project's
// dist/ again. Open them with Jupyter rooted at the project or at build/student
// (`python3 -m notebook --notebook-dir=build/student`); copied elsewhere they need the same depth.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { argv, chalk } from 'zx';
import { checkStudentSync, studentCopy } from './lib/student.mjs';
import { root, selectNotebooks } from './lib/setup-steps.mjs';

const notebooksDir = path.join(root, 'notebooks');
// --out DIR --up-levels N: the classroom setup writes the copies students get into their home,
// where they sit at the same depth as notebooks/ (beside dist/), so it asks for 0 extra levels.
const outDir = argv.out ? path.resolve(String(argv.out)) : path.join(root, 'build', 'student');
// The copies sit one folder deeper than notebooks/ (build/student vs notebooks).
const UP_LEVELS = argv['up-levels'] !== undefined ? Number(argv['up-levels']) : path.relative(root, outDir).split(path.sep).length - 1;

const notebooks = selectNotebooks(argv.only);
mkdirSync(outDir, { recursive: true });

const rows = [];
let failed = 0;
for (const name of notebooks) {
  const full = JSON.parse(readFileSync(path.join(notebooksDir, name), 'utf8'));
  const out = path.join(outDir, name);
  try {
    const { notebook, stats } = studentCopy(full, { name, upLevels: UP_LEVELS });
    writeFileSync(out, `${JSON.stringify(notebook, null, 1)}\n`);
    // Read back what was written: the check guards the writer as well as the stripping.
    const problems = checkStudentSync(full, JSON.parse(readFileSync(out, 'utf8')), { name, upLevels: UP_LEVELS });
    if (problems.length) throw new Error(problems.join('\n'));
    rows.push({ name, ...stats, status: 'ok' });
  } catch (err) {
    failed += 1;
    rmSync(out, { force: true }); // never leave a copy that may hold solutions
    console.error(chalk.red(err.message));
    rows.push({ name, cells: '-', exercises: '-', codeRegions: '-', markdownRegions: '-', solutionCells: '-', status: 'FAIL' });
  }
}

// A full run also removes copies of notebooks that no longer exist.
if (argv.only === undefined) {
  for (const f of readdirSync(outDir)) if (f.endsWith('.ipynb') && !notebooks.includes(f)) rmSync(path.join(outDir, f));
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('notebook', 42)}${pad('cells', 7)}${pad('exercises', 11)}${pad('code regions', 14)}${pad('md regions', 12)}${pad('cells removed', 15)}result`);
for (const r of rows) {
  const status = r.status === 'ok' ? chalk.green('ok') : chalk.red('FAIL');
  console.log(`${pad(r.name, 42)}${pad(r.cells, 7)}${pad(r.exercises, 11)}${pad(r.codeRegions, 14)}${pad(r.markdownRegions, 12)}${pad(r.solutionCells, 15)}${status}`);
}
console.log(`\nStudent copies: ${path.relative(root, outDir)}/ (${rows.length - failed} written${failed ? `, ${failed} failed` : ''})`);
if (!existsSync(path.join(root, 'dist', 'index.js'))) console.log(chalk.yellow('dist/ is not built yet: run `npm run build` before opening the copies.'));
process.exit(failed ? 1 : 0);
