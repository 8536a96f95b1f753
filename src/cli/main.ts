#!/usr/bin/env node
/**
 * The `transfer-lab` command: a thin face over the library (the notebooks are the other).
 * Subcommands: doctor, fetch, models, train, evaluate, classroom (the table COMMANDS); parsing and errors: args.ts.
 */
import { ASSETS } from '../assets';
import { runCli, stringFlag, UsageError, type CliCommand } from './args';
import { formatDoctor, runDoctor } from './doctor';
import { fetchAssets } from './fetch';
import { CLASSROOM_OPTIONS, CLASSROOM_USAGE } from './classroom_usage';
import { textTable } from './table';
import { EVALUATE_OPTIONS, EVALUATE_USAGE, runEvaluateCommand, runTrainCommand, TRAIN_OPTIONS, TRAIN_USAGE } from './train';

const USAGE = `Usage: transfer-lab <command> [options]   (transfer-lab <command> --help for one command)

Commands:
  doctor [--full] [--json]          check Node, tslab, Jupyter, the backend and every asset
  fetch NAME... | all [--into DIR]  download assets into the cache (the mirror is used first);
                                    --into DIR builds a complete mirror folder for an offline room
  models [--json]                   build every zoo model (random weights): parameter counts vs Keras
  train --data DIR [--val DIR | --validation-split F] [--model NAME] [--strategy featureExtraction|fineTune]
        [--epochs N] [--fine-tune-epochs N] [--augment N] [--seed N] [--workers N] [--out DIR] [--resume]
        [--ignore-extra-classes] [--json]
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
  --debug           print stack traces of errors (or set env DEBUG=1)

Assets: ${ASSETS.map((a) => a.name).join(', ')}`;

const locations = (values: Record<string, string | boolean | undefined>) => ({ mirror: stringFlag(values, 'mirror'), cacheDir: stringFlag(values, 'cache') });

/** Every subcommand: add a line here for a new one (its usage, flags and run function). */
const COMMANDS: Record<string, CliCommand> = {
  doctor: {
    usage: 'Usage: transfer-lab doctor [--full] [--json]\n  check Node, tslab, Jupyter, the backend and every asset; --full hashes every file',
    options: { full: { type: 'boolean' }, json: { type: 'boolean' } },
    async run(values) {
      const checks = await runDoctor({ ...locations(values), full: values.full === true });
      console.log(values.json ? JSON.stringify(checks) : formatDoctor(checks));
      return checks.some((c) => c.level === 'fail') ? 1 : 0;
    },
  },
  fetch: {
    usage: `Usage: transfer-lab fetch NAME... | all [--into DIR]\n  download assets into the cache (the mirror is used first); --into DIR builds a mirror folder\n  assets: ${ASSETS.map((a) => a.name).join(', ')}`,
    options: { into: { type: 'string' } },
    positionals: true,
    async run(values, positionals) {
      if (positionals.length === 0) throw new UsageError("name an asset or 'all'.");
      const { lines, failed } = await fetchAssets(positionals, { ...locations(values), into: stringFlag(values, 'into') });
      console.log(lines.join('\n'));
      return failed ? 1 : 0;
    },
  },
  models: {
    usage: 'Usage: transfer-lab models [--json]\n  build every zoo model (random weights) and compare its parameter count with Keras',
    options: { json: { type: 'boolean' } },
    async run(values) {
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
    },
  },
  train: { usage: TRAIN_USAGE, options: TRAIN_OPTIONS, run: (values) => runTrainCommand(values) },
  evaluate: { usage: EVALUATE_USAGE, options: EVALUATE_OPTIONS, run: (values) => runEvaluateCommand(values) },
  // Loaded on use: the classroom modules are needed only on the teacher's server.
  classroom: {
    usage: CLASSROOM_USAGE,
    options: CLASSROOM_OPTIONS,
    positionals: true,
    run: async (values, positionals) => (await import('./classroom')).runClassroomCommand(positionals, values),
  },
};

runCli(process.argv.slice(2), COMMANDS, USAGE).then((code) => process.exit(code));
