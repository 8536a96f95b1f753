/**
 * Command-line entry of the tfjs half of the benchmark, run by scripts/bench.mjs (through tsx
 * from the sources, or from dist/):
 *   ours   --out ours.json [--input-out x.f32] [--labels-out y.i32] [--quick] [--reps N] [--workers N] [--tasks a,b]
 *   report --ours ours.json [--torch torch.json] [--torch-note TEXT] [--json]
 * Running this file starts the command; importing it does nothing.
 * @see scripts/bench.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DataError } from '../errors';
import { benchJson, formatBenchTable, TorchResult } from './report';
import { BenchTaskId, OursResult, runOurBench } from './run';

/** Parsed `--name value` / `--flag` arguments. */
export function parseArgs(argv: readonly string[]): { command: string | undefined; values: Map<string, string>; flags: Set<string> } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      command ??= arg;
      continue;
    }
    const name = arg.slice(2);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      values.set(name, next);
      i++;
    } else {
      flags.add(name);
    }
  }
  return { command, values, flags };
}

function optionalInt(values: Map<string, string>, name: string): number | undefined {
  const raw = values.get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new DataError(`bench: --${name} must be a whole number, received '${raw}'.`);
  return n;
}

/** Runs one command; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const { command, values, flags } = parseArgs(argv);
  if (command === 'ours') {
    const out = values.get('out');
    if (out === undefined) throw new DataError("bench ours: --out FILE is required (where to write the tfjs results as JSON).");
    const result = await runOurBench({
      quick: flags.has('quick'),
      reps: optionalInt(values, 'reps'),
      workers: optionalInt(values, 'workers'),
      inputFile: values.get('input-out'),
      labelsFile: values.get('labels-out'),
      tasks: values.get('tasks')?.split(',') as BenchTaskId[] | undefined,
    });
    writeFileSync(out, JSON.stringify(result));
    return 0;
  }
  if (command === 'report') {
    const oursFile = values.get('ours');
    if (oursFile === undefined) throw new DataError('bench report: --ours FILE is required.');
    const ours = JSON.parse(readFileSync(oursFile, 'utf8')) as OursResult;
    const torchFile = values.get('torch');
    const torch = torchFile === undefined ? null : (JSON.parse(readFileSync(torchFile, 'utf8')) as TorchResult);
    const note = values.get('torch-note');
    console.log(flags.has('json') ? JSON.stringify(benchJson(ours, torch, note)) : formatBenchTable(ours, torch, note));
    return 0;
  }
  throw new DataError(`bench: unknown command '${command ?? ''}'; use 'ours' or 'report' (see scripts/bench.mjs).`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
