/** `transfer-lab train` and `transfer-lab evaluate`: the headless pipeline, for scripts and homework. */
import * as path from 'node:path';
import { TrainError } from '../errors';
import { evaluateRun, saveRun, trainClassifier, type TrainClassifierOptions } from '../pipeline';
import { textTable } from './table';

/** The parsed flags both commands read. */
export interface TrainFlags {
  data?: string;
  val?: string;
  'validation-split'?: string;
  model?: string;
  strategy?: string;
  epochs?: string;
  'fine-tune-epochs'?: string;
  augment?: string;
  seed?: string;
  workers?: string;
  out?: string;
  'model-dir'?: string;
  json?: boolean;
}

function number(flag: string, value: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new TrainError(`transfer-lab: --${flag} must be ${what}, received '${value}'.`);
  return n;
}

/** Runs `train`; prints a summary (or one JSON line with --json); returns the exit code. */
export async function runTrainCommand(flags: TrainFlags): Promise<number> {
  if (!flags.data) throw new TrainError("transfer-lab train: --data DIR is required (a folder with one sub-folder per class).");
  const strategy = (flags.strategy ?? 'featureExtraction') as TrainClassifierOptions['strategy'];
  const options: TrainClassifierOptions = {
    data: flags.data,
    val: flags.val,
    validationSplit: number('validation-split', flags['validation-split'], (n) => n > 0 && n < 1, 'a fraction between 0 and 1'),
    model: flags.model,
    strategy,
    epochs: number('epochs', flags.epochs, (n) => Number.isInteger(n) && n > 0, 'a positive whole number'),
    fineTuneEpochs: number('fine-tune-epochs', flags['fine-tune-epochs'], (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    augmentCopies: number('augment', flags.augment, (n) => Number.isInteger(n) && n >= 0, 'a whole number of augmented copies >= 0'),
    seed: number('seed', flags.seed, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    workers: number('workers', flags.workers, (n) => Number.isInteger(n) && n >= 0, 'a whole number of worker threads >= 0'),
    verbose: flags.json ? 0 : 1,
  };
  const run = await trainClassifier(options);
  const out = path.resolve(flags.out ?? path.join('runs', `${path.basename(path.resolve(flags.data, '..'))}-${run.base.name}-${run.strategy}`));
  const files = await saveRun(run, out);
  const summary = {
    backend: run.backend,
    model: run.base.name,
    strategy: run.strategy,
    trainImages: run.trainImages,
    valImages: run.valImages,
    valAccuracy: Number(run.evaluation.accuracy.toFixed(4)),
    featureExtractionAccuracy: Number(run.featureExtraction.accuracy.toFixed(4)),
    fineTuneAccuracy: run.fineTune ? Number(run.fineTune.accuracy.toFixed(4)) : null,
    epochs: run.history.epoch.length,
    seconds: Number(run.seconds.total.toFixed(1)),
    out,
  };
  if (flags.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(`\n${run.evaluation.report.text}\n`);
    console.log(textTable(['', ''], Object.entries(summary).map(([k, v]) => [k, String(v)])));
    console.log(`\nSaved: ${files.map((f) => path.join(out, f)).join(', ')}`);
  }
  run.model.dispose();
  return 0;
}

/** Runs `evaluate` on a saved run; returns the exit code. */
export async function runEvaluateCommand(flags: TrainFlags): Promise<number> {
  if (!flags['model-dir'] || !flags.data) {
    throw new TrainError('transfer-lab evaluate: --model-dir DIR (a train --out folder) and --data DIR (class folders) are required.');
  }
  const { setupBackend } = await import('../backend');
  const backend = await setupBackend({ quiet: true });
  const { manifest, evaluation, images } = await evaluateRun(flags['model-dir'], flags.data);
  if (flags.json) {
    console.log(JSON.stringify({ backend: backend.name, model: manifest.model, strategy: manifest.strategy, images, accuracy: Number(evaluation.accuracy.toFixed(4)), confusion: evaluation.confusion }));
  } else {
    console.log(`${manifest.model} (${manifest.strategy}) on ${images} images, backend ${backend.name}\n\n${evaluation.report.text}`);
  }
  return 0;
}
