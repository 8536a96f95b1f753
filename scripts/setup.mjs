#!/usr/bin/env zx
// npm run setup [-- --native]
// Builds the library, makes sure Jupyter and the tslab kernel are there, and with --native
// installs @tensorflow/tfjs-node (the fast libtensorflow backend; needs internet for its binary).
import { $, argv, chalk } from 'zx';
import { buildLibrary, ensureJupyter, ensureKernel, root } from './lib/setup-steps.mjs';

await buildLibrary();
const jupyter = await ensureJupyter();
const kernel = await ensureKernel(jupyter.python);
console.log(`Jupyter: ${jupyter.python} (Python ${jupyter.version}); tslab kernel: ${kernel.launcher}`);

if (argv.native) {
  // Not in package.json: its install script downloads libtensorflow, which fails offline and
  // would fail the whole `npm install`. --no-save keeps package.json and the lockfile as they are.
  console.log(chalk.dim('Installing @tensorflow/tfjs-node (downloads libtensorflow) ...'));
  await $({ cwd: root, stdio: 'inherit' })`npm install --no-save @tensorflow/tfjs-node@4.22.0`;
  const { setupBackend } = await import(`${root}/dist/backend/index.js`);
  const report = await setupBackend({ prefer: 'tensorflow', quiet: true });
  console.log(report.native ? chalk.green(report.summary) : chalk.yellow(`${report.summary}\n${report.notes.join('\n')}`));
}
console.log(chalk.green('Setup done. Open the lab with: npm start'));
