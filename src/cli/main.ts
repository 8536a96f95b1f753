#!/usr/bin/env node
/**
 * The `transfer-lab` command: a thin face over the library (the notebooks are the other).
 * Subcommands: doctor, fetch, models, train, evaluate, classroom.
 */
import { parseArgs } from 'node:util';
import { ASSETS } from '../assets';
import { TransferLabError } from '../errors';
import { formatDoctor, runDoctor } from './doctor';
import { fetchAssets } from './fetch';
import { textTable } from './table';
import { runEvaluateCommand, runTrainCommand } from './train';

const USAGE = `Usage: transfer-lab <command> [options]

Commands:
  doctor [--full] [--json]          check Node, tslab, Jupyter, the backend and every asset
  fetch NAME... | all [--into DIR]  download assets into the cache (the mirror is used first);
                                    --into DIR builds a complete mirror folder for an offline room
  models [--json]                   build every zoo model (random weights): parameter counts vs Keras
  train --data DIR [--val DIR | --validation-split F] [--model NAME] [--strategy featureExtraction|fineTune]
        [--epochs N] [--fine-tune-epochs N] [--augment N] [--seed N] [--workers N] [--out DIR] [--json]
                                    transfer-learn a classifier from class folders; saves model, metrics, plots
                                    (the same --seed gives the same run; --workers 0 runs the base in one thread)
  evaluate --model-dir DIR --data DIR [--json]
                                    evaluate a saved run on class folders
  classroom setup|start|stop|status|warm|remove-accounts
                                    the lab for a whole class on one JupyterHub (root, Debian);
                                    transfer-lab classroom --help for its options

Common options:
  --mirror DIR      offline asset mirror (env TRANSFER_LAB_MIRROR)
  --cache DIR       cache folder (env TRANSFER_LAB_CACHE; default ~/.cache/transfer-lab)

Assets: ${ASSETS.map((a) => a.name).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // The classroom subcommands have options of their own.
  if (command === 'classroom') return (await import('./classroom')).runClassroomCommand(rest);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      mirror: { type: 'string' },
      cache: { type: 'string' },
      full: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
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
      out: { type: 'string' },
      into: { type: 'string' },
      'model-dir': { type: 'string' },
    },
  });
  const locations = { mirror: values.mirror, cacheDir: values.cache };
  switch (command) {
    case 'doctor': {
      const checks = await runDoctor({ ...locations, full: values.full });
      console.log(values.json ? JSON.stringify(checks) : formatDoctor(checks));
      return checks.some((c) => c.level === 'fail') ? 1 : 0;
    }
    case 'fetch': {
      if (positionals.length === 0) {
        console.error(`transfer-lab fetch: name an asset or 'all'.\n\n${USAGE}`);
        return 2;
      }
      const { lines, failed } = await fetchAssets(positionals, { ...locations, into: values.into });
      console.log(lines.join('\n'));
      return failed ? 1 : 0;
    }
    case 'models': {
      const { zooParamTable } = await import('../models');
      const { setupBackend } = await import('../backend');
      await setupBackend({ quiet: true });
      const rows = await zooParamTable();
      if (values.json) {
        console.log(JSON.stringify(rows.map(({ name, includeTop, inputShape, params }) => ({ name, includeTop, inputShape, params }))));
      } else {
        console.log(
          textTable(
            ['model', 'top', 'input', 'params', 'Keras', 'match'],
            rows.map((r) => [r.name, r.includeTop ? 'yes' : 'no', r.inputShape.join('x'), r.params.toLocaleString('en'), r.kerasParams.toLocaleString('en'), r.params === r.kerasParams ? 'yes' : 'NO']),
          ),
        );
      }
      return rows.every((r) => r.params === r.kerasParams) ? 0 : 1;
    }
    case 'train':
      return runTrainCommand(values);
    case 'evaluate':
      return runEvaluateCommand(values);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`transfer-lab: unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Our own errors already say what to do; anything else is a bug worth a stack trace.
    console.error(err instanceof TransferLabError ? `transfer-lab: ${err.message}` : err);
    process.exit(1);
  },
);
