/** `transfer-lab train` and `transfer-lab evaluate`: the headless pipeline, for scripts and homework. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { TrainError } from '../errors';
import { evaluateRun, prepareOutputDir, rescueDir, RunCheckpoints, saveRun, trainClassifier, type TrainClassifierOptions, type TrainClassifierResult } from '../pipeline';
import { stringFlag, UsageError, type FlagValues, type OptionSpecs } from './args';
import { textTable } from './table';

/** Flags of `train` (besides the common ones). */
export const TRAIN_OPTIONS: OptionSpecs = {
  data: { type: 'string' },
  val: { type: 'string' },
  'validation-split': { type: 'string' },
  model: { type: 'string' },
  strategy: { type: 'string' },
  epochs: { type: 'string' },
  'fine-tune-epochs': { type: 'string' },
  augment: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
  monitor: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  'ignore-extra-classes': { type: 'boolean' },
  json: { type: 'boolean' },
};

export const TRAIN_USAGE = `Usage: transfer-lab train --data DIR [options]
  transfer-learn an image classifier from class folders; saves model, metrics and plots to --out

  --data DIR                 training folder, one sub-folder per class (required)
  --val DIR                  validation folder with the same class folders (default: hold out --validation-split)
  --validation-split F       fraction of --data held out when there is no --val (default 0.2)
  --ignore-extra-classes     leave out --val class folders the training folder lacks (default: an error)
  --model NAME               mobilenet_v1_0.75 (default), mobilenet_v1_0.25, mobilenet_v2_0.35, vgg16, resnet50, ...
  --strategy S               featureExtraction (default) or fineTune (then the top blocks are trained too)
  --epochs N                 head epochs, early stopping may end sooner (default 40)
  --fine-tune-epochs N       fine-tuning epochs (default 4)
  --augment N                augmented copies of each training image, cached (default 2)
  --monitor M                val_acc (default) or val_loss: picks the epoch, over both phases, whose model is kept
  --seed N                   the same seed gives the same run (default 42)
  --workers N                threads for the frozen base (default: the number of cores; 0: this thread, training too)
  --out DIR                  output folder, checked before training (default runs/DATASET-MODEL-STRATEGY)
  --resume                   continue an interrupted run in the same --out after its last completed epoch
  --json                     print one JSON line instead of the report`;

/** Flags of `evaluate`. */
export const EVALUATE_OPTIONS: OptionSpecs = {
  'model-dir': { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
};

export const EVALUATE_USAGE = `Usage: transfer-lab evaluate --model-dir DIR --data DIR [--json]
  evaluate a saved run (a train --out folder) on a folder of class sub-folders`;

function number(flag: string, value: string | undefined, check: (n: number) => boolean, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} must be ${what}, received '${value}'.`);
  return n;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be ${allowed.join(' or ')}, received '${value}'.`);
  return value as T;
}

/** Reads and checks every train flag (a UsageError for a bad one) before anything runs. */
export function trainOptionsFromFlags(flags: FlagValues): TrainClassifierOptions & { out: string } {
  const data = stringFlag(flags, 'data');
  if (!data) throw new UsageError('--data DIR is required (a folder with one sub-folder per class).');
  const val = stringFlag(flags, 'val');
  for (const [flag, dir] of [['data', data], ['val', val]] as const) {
    if (dir !== undefined && !existsSync(dir)) throw new UsageError(`--${flag} folder '${dir}' does not exist (current folder: ${process.cwd()}).`);
  }
  const split = stringFlag(flags, 'validation-split');
  if (val !== undefined && split !== undefined) throw new UsageError('give either --val DIR or --validation-split F, not both.');
  const strategy = oneOf('strategy', stringFlag(flags, 'strategy'), ['featureExtraction', 'fineTune'] as const) ?? 'featureExtraction';
  const model = stringFlag(flags, 'model') ?? 'mobilenet_v1_0.75';
  const out = path.resolve(stringFlag(flags, 'out') ?? path.join('runs', `${path.basename(path.resolve(data, '..'))}-${model}-${strategy}`));
  return {
    data,
    val,
    validationSplit: number('validation-split', split, (n) => n > 0 && n < 1, 'a fraction between 0 and 1'),
    model,
    strategy,
    epochs: number('epochs', stringFlag(flags, 'epochs'), (n) => Number.isInteger(n) && n > 0, 'a positive whole number'),
    fineTuneEpochs: number('fine-tune-epochs', stringFlag(flags, 'fine-tune-epochs'), (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    augmentCopies: number('augment', stringFlag(flags, 'augment'), (n) => Number.isInteger(n) && n >= 0, 'a whole number of augmented copies >= 0'),
    seed: number('seed', stringFlag(flags, 'seed'), (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    workers: number('workers', stringFlag(flags, 'workers'), (n) => Number.isInteger(n) && n >= 0, 'a whole number of worker threads >= 0'),
    monitor: oneOf('monitor', stringFlag(flags, 'monitor'), ['val_acc', 'val_loss'] as const),
    resume: flags.resume === true,
    ignoreExtraClasses: flags['ignore-extra-classes'] === true,
    checkpointDir: path.join(out, 'checkpoints'),
    verbose: flags.json ? 0 : 1,
    out,
  };
}

/** The figures of a run, as printed, in --json and (with the report) in metrics.json. */
function summaryOf(run: TrainClassifierResult, out: string) {
  const round = (x: number) => Number(x.toFixed(4));
  return {
    backend: run.backend,
    model: run.base.name,
    strategy: run.strategy,
    trainImages: run.trainImages,
    valImages: run.valImages,
    valAccuracy: round(run.evaluation.accuracy),
    featureExtractionAccuracy: round(run.featureExtraction.accuracy),
    fineTuneAccuracy: run.fineTune ? round(run.fineTune.accuracy) : null,
    kept: run.kept.phase,
    keptReason: run.kept.reason,
    epochs: run.history.epoch.length,
    resumed: run.resumed,
    seconds: Number(run.seconds.total.toFixed(1)),
    out,
    skipped: run.skipped.map((s) => ({ path: s.path, reason: s.reason, detail: s.detail })),
  };
}

/** Runs `train`; prints a summary (or one JSON line with --json); returns the exit code. */
export async function runTrainCommand(flags: FlagValues): Promise<number> {
  const { out, ...options } = trainOptionsFromFlags(flags);
  // Before any training: a run that cannot be saved is lost work.
  await prepareOutputDir(out, 'transfer-lab train');
  const checkpoints = new RunCheckpoints(options.checkpointDir!);
  if (!options.resume && (await checkpoints.hasAny())) {
    throw new TrainError(
      `'${checkpoints.dir}' holds the checkpoints of an unfinished run: pass --resume to continue it, ` +
        'or delete that folder (or choose another --out) to start over.',
    );
  }
  const run = await trainClassifier(options);
  let savedTo = out;
  let files: string[];
  try {
    files = await saveRun(run, out);
  } catch (err) {
    // The folder was fine before training; keep the model anyway and say where it went.
    savedTo = await rescueDir();
    files = await saveRun(run, savedTo);
    run.model.dispose();
    throw new TrainError(
      `could not save the run into '${out}' (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); ` +
        `the trained model and its metrics were saved to '${savedTo}' instead: copy that folder where you want it.`,
    );
  }
  await checkpoints.remove();
  const summary = summaryOf(run, savedTo);
  if (flags.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(`\n${run.evaluation.report.text}\n`);
    // The run's own log already said which model was kept and why ("Kept: ..."), just above.
    const { skipped, keptReason: _kept, ...table } = summary;
    console.log(textTable(['', ''], Object.entries(table).map(([k, v]) => [k, String(v)])));
    if (skipped.length > 0) {
      console.log(`\nSkipped ${skipped.length} image file${skipped.length > 1 ? 's' : ''} that cannot be decoded:`);
      for (const s of skipped) console.log(`  ${s.path}: ${s.reason} (${s.detail})`);
    }
    console.log(`\nSaved: ${files.map((f) => path.join(savedTo, f)).join(', ')}`);
  }
  run.model.dispose();
  return 0;
}

/** Runs `evaluate` on a saved run; returns the exit code. */
export async function runEvaluateCommand(flags: FlagValues): Promise<number> {
  const modelDir = stringFlag(flags, 'model-dir');
  const data = stringFlag(flags, 'data');
  if (!modelDir || !data) throw new UsageError('--model-dir DIR (a train --out folder) and --data DIR (class folders) are required.');
  const { setupBackend } = await import('../backend');
  const backend = await setupBackend({ quiet: true });
  const { manifest, evaluation, images } = await evaluateRun(modelDir, data);
  if (flags.json) {
    console.log(JSON.stringify({ backend: backend.name, model: manifest.model, strategy: manifest.strategy, images, accuracy: Number(evaluation.accuracy.toFixed(4)), confusion: evaluation.confusion }));
  } else {
    console.log(`${manifest.model} (${manifest.strategy}) on ${images} images, backend ${backend.name}\n\n${evaluation.report.text}`);
  }
  return 0;
}
