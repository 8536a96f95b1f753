/**
 * `transfer-lab classroom warm`: the teacher, before class, computes once the bottleneck features
 * and cut activations that lesson 05 (quick and full mode) and `transfer-lab train` need, into
 * the shared read-only cache every student's run reads first. It runs the student copy of
 * notebook 05 itself through the system-wide kernel, and the `train` command on the course
 * datasets, so the cache keys are exactly the students' (no second copy of the lesson's recipe).
 * @see README.md "Classroom server"
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { packageRoot, resolveAsset } from '../assets';
import { ClassroomError } from '../errors';
import { subsetPerClass } from '../lessons/05_lab';
import { GAIN_RUNS, MNIST_FOLDERS } from '../lessons/fine_tune_gain';
import { mnistFolders } from '../lessons/mnist_folders';
import { shareReadOnly } from './install';
import { classroomFiles, type ClassroomRecord } from './paths';
import { countCacheEntries } from './setup';
import { prepareWorkspace, WORKSPACE_NAME } from './workspace';

/** The lab notebook warmed. */
export const LAB_NOTEBOOK = '05-build-and-fine-tune.ipynb';

/**
 * The small per-class copies quick mode of notebook 05 reads (its PER_CLASS and FLOWERS_PER_CLASS
 * in quick mode; test/classroom/warm.test.ts checks them against the notebook). They are made once
 * in the shared folder so every student reads the same paths, hence the same cache keys.
 */
export const QUICK_SUBSETS = [
  { asset: 'hymenoptera_data', splits: ['train', 'val'], perClass: 16 },
  { asset: 'flowers12', splits: ['train', 'test'], perClass: 8 },
] as const;

/** Course datasets `train` is warmed on, with their training and validation splits. */
export const TRAIN_DATASETS: Record<string, [string, string]> = {
  hymenoptera_data: ['train', 'val'],
  flowers12: ['train', 'test'],
  cats_dogs_100: ['train', 'test'],
};

/** Options of {@link warmClassroom}. */
export interface WarmOptions {
  /** Modes of notebook 05 to warm. Defaults to both. */
  modes?: ('quick' | 'full')[];
  /** Datasets to warm `transfer-lab train --strategy fineTune` on (keys of TRAIN_DATASETS). Defaults to all of them. */
  datasets?: string[];
  /** Seconds one notebook run may take. Defaults to 3600. */
  timeoutSeconds?: number;
  log?: (line: string) => void;
}

/** One warm-up step and how long it took. */
export interface WarmStep {
  step: string;
  seconds: number;
}

/** The record warm leaves in the shared cache (warm.json), shown by `classroom status`. */
export interface WarmRecord {
  finishedAt: string;
  modes: ('quick' | 'full')[];
  datasets: string[];
  steps: WarmStep[];
  /** Feature sets in the shared cache afterwards. */
  entries: number;
}

/** Reads warm.json, or undefined when the cache was never warmed. */
export function readWarmRecord(record: ClassroomRecord): WarmRecord | undefined {
  const file = classroomFiles(record.paths).warmRecord;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as WarmRecord) : undefined;
}

/** The environment of every warm-up run: the teacher writes straight into the shared cache, on every core. */
function warmEnv(record: ClassroomRecord, tmp: string): NodeJS.ProcessEnv {
  const files = classroomFiles(record.paths);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRANSFER_LAB_MIRROR: record.mirror,
    TRANSFER_LAB_CACHE: files.sharedCache,
    TRANSFER_LAB_SHARED_SUBSETS: files.sharedSubsets,
    JUPYTER_PATH: path.join(record.paths.kernelPrefix, 'share', 'jupyter'),
    TMPDIR: tmp,
  };
  delete env.TRANSFER_LAB_SHARED_CACHE;
  delete env.TRANSFER_LAB_WORKERS;
  delete env.TRANSFER_LAB_QUICK;
  return env;
}

/** Runs notebook 05 (the student copy, in a student-like workspace) in one mode; throws with the failing cell. */
function runLabNotebook(record: ClassroomRecord, mode: 'quick' | 'full', timeoutSeconds: number, runner: string): void {
  const home = mkdtempSync(path.join(tmpdir(), 'transfer-lab-warm-'));
  try {
    prepareWorkspace(home, record.paths.installDir);
    const dir = path.join(home, WORKSPACE_NAME, 'notebooks');
    const env = warmEnv(record, path.join(home, WORKSPACE_NAME, 'tmp'));
    if (mode === 'quick') env.TRANSFER_LAB_QUICK = '1';
    const out = path.join(home, `executed-${LAB_NOTEBOOK}`);
    const r = spawnSync('/usr/bin/python3', [runner, path.join(dir, LAB_NOTEBOOK), out, '--cwd', dir, '--timeout', String(timeoutSeconds)], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    let result: { status?: string; error?: string } = {};
    try {
      result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
    } catch {
      result = { status: 'fail', error: r.stderr.slice(-3000) };
    }
    if (result.status !== 'pass') throw new ClassroomError(`classroom warm: notebook ${LAB_NOTEBOOK} (${mode} mode) failed:\n${result.error ?? r.stderr.slice(-3000)}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs `transfer-lab train --strategy fineTune` (the course's recipe, default options) on one course dataset. */
async function runTrain(record: ClassroomRecord, name: string, tmp: string): Promise<void> {
  const splits = TRAIN_DATASETS[name];
  if (!splits) throw new ClassroomError(`classroom warm: unknown dataset '${name}'; choose from ${Object.keys(TRAIN_DATASETS).join(', ')} (or none).`);
  const root = await resolveAsset(name, { mirror: record.mirror });
  const cli = path.join(record.paths.installDir, 'dist', 'cli', 'main.js');
  const out = mkdtempSync(path.join(tmp, `train-${name}-`));
  const r = spawnSync(process.execPath, [cli, 'train', '--data', path.join(root, splits[0]), '--val', path.join(root, splits[1]), '--strategy', 'fineTune', '--out', out, '--json'], {
    env: warmEnv(record, tmp), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new ClassroomError(`classroom warm: transfer-lab train on ${name} failed:\n${(r.stderr || r.stdout).slice(-3000)}`);
}

/**
 * Fills the shared feature cache (root, before class). Quick mode first makes the shared copies
 * of the quick-mode subsets. Afterwards everything in the shared cache is readable by all and
 * writable by root only.
 */
export async function warmClassroom(record: ClassroomRecord, options: WarmOptions = {}): Promise<WarmRecord> {
  const log = options.log ?? console.log;
  if (process.getuid?.() !== 0) throw new ClassroomError('classroom warm: must run as root (it writes the shared cache in the install folder).');
  const files = classroomFiles(record.paths);
  const modes = options.modes ?? ['quick', 'full'];
  const datasets = options.datasets ?? Object.keys(TRAIN_DATASETS);
  // The notebook runner of `npm run notebooks` (nbclient), from the checkout warm runs from.
  const executeNotebook = path.join(packageRoot(), 'scripts', 'execute_notebook.py');
  if (!existsSync(executeNotebook)) throw new ClassroomError(`classroom warm: ${executeNotebook} is missing; run warm from the project checkout (npx transfer-lab classroom warm).`);
  const steps: WarmStep[] = [];
  const timed = async (step: string, fn: () => void | Promise<void>) => {
    log(`warm: ${step} ...`);
    const t0 = Date.now();
    await fn();
    steps.push({ step, seconds: (Date.now() - t0) / 1000 });
    log(`warm: ${step} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  };
  const tmp = mkdtempSync(path.join(tmpdir(), 'transfer-lab-warm-tmp-'));
  try {
    if (modes.includes('quick')) {
      await timed('quick-mode dataset copies', async () => {
        for (const s of QUICK_SUBSETS) {
          subsetPerClass(await resolveAsset(s.asset, { mirror: record.mirror }), { splits: [...s.splits], perClass: s.perClass, into: files.sharedSubsets });
        }
        // Notebook 05's fine-tuning-over-seeds section: ants/bees and MNIST digits as class folders
        // (the digits are read from the classroom's mirror, as the students' kernels do).
        if (record.mirror && !process.env.TRANSFER_LAB_MIRROR) process.env.TRANSFER_LAB_MIRROR = record.mirror;
        const digits = await mnistFolders({ ...MNIST_FOLDERS, into: files.sharedSubsets });
        const perClass = GAIN_RUNS.quick.perClass;
        subsetPerClass(await resolveAsset('hymenoptera_data', { mirror: record.mirror }), { splits: ['train', 'val'], perClass, into: files.sharedSubsets });
        subsetPerClass(digits, { splits: ['train', 'test'], perClass, into: files.sharedSubsets });
      });
    }
    for (const mode of modes) await timed(`notebook 05, ${mode} mode`, () => runLabNotebook(record, mode, options.timeoutSeconds ?? 3600, executeNotebook));
    for (const name of datasets) await timed(`transfer-lab train --strategy fineTune on ${name}`, () => runTrain(record, name, tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  shareReadOnly(files.sharedCache);
  const warm: WarmRecord = { finishedAt: new Date().toISOString(), modes, datasets, steps, entries: countCacheEntries(path.join(files.sharedCache, 'features')) };
  writeFileSync(files.warmRecord, `${JSON.stringify(warm, null, 2)}\n`, { mode: 0o644 });
  return warm;
}
