#!/usr/bin/env zx
// npm run notebooks [-- --quick] [--only 05] [--html] [--timeout 900]
// Executes every notebook in notebooks/ top to bottom through the real tslab kernel (headless,
// nbclient), writes executed copies to build/notebooks/, prints a per-notebook summary and fails
// on any cell error or timeout. --quick shrinks images/epochs (TRANSFER_LAB_QUICK=1); it never
// skips cells.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { $, argv, chalk } from 'zx';
import { buildLibrary, defaultMirror, ensureJupyter, ensureKernel, root, selectNotebooks } from './lib/setup-steps.mjs';

const notebooksDir = path.join(root, 'notebooks');
const outDir = path.join(root, 'build', 'notebooks');
const timeout = Number(argv.timeout ?? 1200);
mkdirSync(outDir, { recursive: true });

await buildLibrary();
const jupyter = await ensureJupyter({ needNotebook: false });
await ensureKernel(jupyter.python);

const notebooks = selectNotebooks(argv.only);

// Strict checks: the full notebooks hold the solutions, so every exercise check must pass.
const env = { ...process.env, TRANSFER_LAB_QUICK: argv.quick ? '1' : process.env.TRANSFER_LAB_QUICK ?? '0', TRANSFER_LAB_STRICT_CHECKS: '1' };
const mirror = defaultMirror();
if (mirror) env.TRANSFER_LAB_MIRROR = mirror;
console.log(`Running ${notebooks.length} notebook(s) through tslab (${argv.quick ? 'quick' : 'full'} mode${mirror ? `, mirror ${mirror}` : ''})`);

const rows = [];
for (const name of notebooks) {
  const out = path.join(outDir, name);
  process.stdout.write(`  ${name} ... `);
  const run = await $({ env, nothrow: true, quiet: true })`${jupyter.python} ${path.join(root, 'scripts', 'execute_notebook.py')} ${path.join(notebooksDir, name)} ${out} --cwd ${notebooksDir} --timeout ${timeout}`;
  let result;
  try {
    result = JSON.parse(run.stdout.trim().split('\n').pop());
  } catch {
    result = { status: 'fail', cells: '?', executed: '?', seconds: 0, error: `the runner itself failed:\n${run.stderr.slice(-3000)}` };
  }
  console.log(result.status === 'pass' ? chalk.green(`pass (${result.seconds}s)`) : chalk.red(`FAIL (${result.seconds}s)`));
  if (result.error) console.log(chalk.red(result.error.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => `      ${l}`).join('\n')));
  if (argv.html) {
    await $({ nothrow: true, quiet: true })`${jupyter.python} -m nbconvert --to html ${out} --output-dir ${outDir}`;
  }
  rows.push({ name, ...result });
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('notebook', 40)}${pad('cells', 8)}${pad('seconds', 10)}result`);
for (const r of rows) console.log(`${pad(r.name, 40)}${pad(`${r.executed}/${r.cells}`, 8)}${pad(r.seconds, 10)}${r.status}`);
const passed = rows.filter((r) => r.status === 'pass').length;
console.log(`\nnotebooks: ${passed} passed, ${rows.length - passed} failed`);
console.log(`Executed copies: ${path.relative(root, outDir)}/`);
process.exit(passed === rows.length ? 0 : 1);
