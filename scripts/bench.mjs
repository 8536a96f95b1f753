#!/usr/bin/env zx
// npm run bench — our library (tfjs, wasm backend) against PyTorch, in ONE run on this machine,
// on the same seeded input batch (written once as raw float32 for both):
//   (1) MobileNetV2-1.0 feature extraction img/s, (2) one fine-tuning step (block_13 on + head)
//   steps/s, (3) ResNet50 feature extraction img/s; ratio ours/PyTorch, GFLOP/s, % of CPU peak.
// Options:
//   --json            print one JSON line with every figure instead of the table
//   --quick           warm-up 1, 2 repetitions (smoke run); default warm-up 1, 5 repetitions
//   --reps N          timed repetitions (both sides)
//   --workers N       worker threads of our parallel rows (default: the number of cores)
//   --tasks a,b       mobilenet_v2_extract, mobilenet_v2_finetune, resnet50_extract (default all)
//   --skip-torch      time our side only
//   --install-torch   if PyTorch is missing: apt-get install python3-torch python3-torchvision
//                     (only as root on Debian/Ubuntu)
//   --dist            run our side from dist/ (npm run build) instead of the TS sources via tsx
// Env: PYTHON = the interpreter with torch (default /usr/bin/python3, where Debian puts python3-torch).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $, argv, chalk } from 'zx';
import { root } from './lib/setup-steps.mjs';

$.verbose = false;
const say = (line) => process.stderr.write(`${line}\n`);
const python = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const reps = argv.quick ? 2 : Number(argv.reps ?? 5);
const tasks = String(argv.tasks ?? 'mobilenet_v2_extract,mobilenet_v2_finetune,resnet50_extract');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-bench-'));
const file = (name) => path.join(tmp, name);

/** The tfjs side: from dist/ with --dist (or when tsx is missing), else the TS sources through tsx. */
function oursCommand() {
  const dist = path.join(root, 'dist', 'bench', 'main.js');
  const hasTsx = existsSync(path.join(root, 'node_modules', 'tsx'));
  if (argv.dist || !hasTsx) {
    if (!existsSync(dist)) throw new Error(`bench: ${dist} is missing; run \`npm run build\` first.`);
    return ['node', dist];
  }
  return ['node', '--import', 'tsx', path.join(root, 'src', 'bench', 'main.ts')];
}

/** '' when torch + torchvision import, else why not. */
async function torchProblem() {
  const probe = await $({ nothrow: true })`${python} -c ${'import torch, torchvision; print(torch.__version__, torchvision.__version__)'}`;
  if (probe.exitCode === 0) return '';
  const reason = probe.stderr.trim().split('\n').pop() || `exit code ${probe.exitCode}`;
  return `${python} cannot import torch/torchvision (${reason})`;
}

async function installTorch() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/etc/debian_version')) {
    return 'not installed: --install-torch needs root on Debian/Ubuntu (sudo apt-get install python3-torch python3-torchvision)';
  }
  say(chalk.bold('Installing python3-torch python3-torchvision with apt-get ...'));
  await $({ stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get install -y python3-torch python3-torchvision`;
  return '';
}

try {
  const ours = oursCommand();
  const oursArgs = ['ours', '--out', file('ours.json'), '--input-out', file('input.f32'), '--labels-out', file('labels.i32'), '--reps', String(reps), '--tasks', tasks];
  if (argv.workers !== undefined) oursArgs.push('--workers', String(argv.workers));
  say(chalk.bold(`Ours (tfjs) ... [${ours.join(' ')}]`));
  await $({ cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })`${ours} ${oursArgs}`;

  // PyTorch runs after ours, never at the same time: both want every core.
  let torchNote = '';
  if (argv['skip-torch']) {
    torchNote = 'skipped with --skip-torch';
  } else {
    torchNote = await torchProblem();
    if (torchNote && argv['install-torch']) torchNote = (await installTorch()) || (await torchProblem());
    if (torchNote) {
      say(chalk.yellow(`PyTorch not found: ${torchNote}.`));
      say(chalk.yellow('Install it with `sudo apt-get install python3-torch python3-torchvision` (or `npm run bench -- --install-torch` as root), or set PYTHON.'));
    } else {
      say(chalk.bold(`PyTorch (${python}) ...`));
      const torchArgs = ['--input', file('input.f32'), '--labels', file('labels.i32'), '--reps', String(reps), '--tasks', tasks, '--out', file('torch.json')];
      const oursResult = JSON.parse(readFileSync(file('ours.json'), 'utf8'));
      torchArgs.push('--threads', String(oursResult.workers), '--batch', String(oursResult.batch), '--size', String(oursResult.imageSize));
      await $({ cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })`${python} ${path.join(root, 'scripts', 'bench_torch.py')} ${torchArgs}`;
    }
  }

  const reportArgs = ['report', '--ours', file('ours.json')];
  if (!torchNote) reportArgs.push('--torch', file('torch.json'));
  else reportArgs.push('--torch-note', torchNote);
  if (argv.json) reportArgs.push('--json');
  await $({ cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })`${ours} ${reportArgs}`;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
