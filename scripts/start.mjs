#!/usr/bin/env zx
// npm start — the main job: set up if needed, then open Jupyter on notebooks/.
// npm start -- --lesson 05   runs one lesson headless instead and writes build/notebooks/*.html.
// npm start -- --student     opens the student copies (solutions stripped) in build/student/.
import path from 'node:path';
import { $, argv, chalk } from 'zx';
import { buildLibrary, ensureJupyter, ensureKernel, root } from './lib/setup-steps.mjs';

await buildLibrary();
const jupyter = await ensureJupyter();
await ensureKernel(jupyter.python);

if (argv.lesson !== undefined) {
  const quick = argv.quick ? ['--quick'] : [];
  await $({ cwd: root, stdio: 'inherit' })`npx zx scripts/run-notebooks.mjs --only ${String(argv.lesson)} --html ${quick}`;
} else {
  let dir = path.join(root, 'notebooks');
  if (argv.student) {
    await $({ cwd: root, stdio: 'inherit' })`npx zx scripts/student-copies.mjs`;
    dir = path.join(root, 'build', 'student');
  }
  const args = [`--notebook-dir=${dir}`];
  if (process.getuid?.() === 0) args.push('--allow-root');
  if (argv.port) args.push(`--port=${argv.port}`);
  console.log(chalk.green(`Opening Jupyter on ${path.relative(root, dir)}/ (Ctrl+C to stop). Pick the TypeScript (tslab) kernel if asked.`));
  await $({ cwd: root, stdio: 'inherit' })`${jupyter.python} -m notebook ${args}`;
}
