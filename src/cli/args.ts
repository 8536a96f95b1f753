/**
 * The one place where `transfer-lab` turns argv into a command call and an exception into an
 * exit code, so every subcommand behaves the same under bad input: `--help` prints that
 * command's usage (exit 0); a user mistake (unknown flag, missing or ambiguous value, bad
 * number) prints one line naming the problem plus the usage (exit 2); a library error prints
 * its one-line message (exit 1). Stack traces only with `--debug` or env DEBUG.
 */
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TransferLabError } from '../errors';

/** parseArgs' option table. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed flag values: strings, booleans, or undefined when not given. */
export type FlagValues = Record<string, string | boolean | undefined>;

/** One `transfer-lab` subcommand: its usage text, the flags it accepts and what it runs. */
export interface CliCommand {
  /** Usage lines shown by `--help` and after a mistake, starting with 'transfer-lab NAME'. */
  usage: string;
  /** Flags this command accepts besides the common ones (see COMMON_OPTIONS). */
  options: OptionSpecs;
  /** Whether the command takes positional arguments (fetch NAME...). Defaults to false. */
  positionals?: boolean;
  /** Runs the command; returns the exit code. Throw a UsageError for a bad flag value. */
  run(values: FlagValues, positionals: string[]): Promise<number>;
}

/** Flags every command accepts. */
export const COMMON_OPTIONS: OptionSpecs = {
  mirror: { type: 'string' },
  cache: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
};

/** Usage of the common flags, appended to every command's usage. */
export const COMMON_USAGE = `Common options:
  --mirror DIR      offline asset mirror (env TRANSFER_LAB_MIRROR)
  --cache DIR       cache folder (env TRANSFER_LAB_CACHE; default ~/.cache/transfer-lab)
  --debug           print stack traces of errors (or set env DEBUG=1)
  -h, --help        show this help`;

/** A mistake in how a command was called: exit code 2, with the command's usage. */
export class UsageError extends TransferLabError {}

/** node:util parseArgs errors carry one of these codes; the message is already one readable line. */
const PARSE_ERROR_CODES = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

function isParseArgsError(err: unknown): err is Error & { code: string } {
  return err instanceof Error && PARSE_ERROR_CODES.has((err as { code?: unknown }).code as string);
}

/** Where the CLI writes; a parameter so tests could capture it. Defaults to the console. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const CONSOLE: CliOutput = { out: (t) => console.log(t), err: (t) => console.error(t) };

/** True when stack traces were asked for (`--debug` anywhere in argv, or env DEBUG non-empty and not '0'). */
export function debugRequested(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--debug') || (env.DEBUG != null && env.DEBUG !== '' && env.DEBUG !== '0');
}

/**
 * Runs `argv` (without node and script) against `commands`; returns the exit code and never
 * throws. `overview` is the top-level usage, shown for no command, `help` or `--help`.
 */
export async function runCli(
  argv: string[],
  commands: Readonly<Record<string, CliCommand>>,
  overview: string,
  output: CliOutput = CONSOLE,
): Promise<number> {
  const debug = debugRequested(argv);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    output.out(overview);
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0] !== undefined ? commands[rest[0]] : undefined;
    output.out(topic ? `${topic.usage}\n\n${COMMON_USAGE}` : overview);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    output.err(`transfer-lab: unknown command '${name}'; the commands are ${Object.keys(commands).join(', ')}.\n\n${overview}`);
    return 2;
  }
  const usage = `${command.usage}\n\n${COMMON_USAGE}`;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, allowPositionals: command.positionals === true, strict: true, options: { ...COMMON_OPTIONS, ...command.options } });
    } catch (err) {
      if (isParseArgsError(err)) throw new UsageError(err.message.replace(/\s*\n\s*/g, ' '));
      throw err;
    }
    if (parsed.values.help === true) {
      output.out(usage);
      return 0;
    }
    applyLocationFlags(parsed.values as FlagValues);
    return await command.run(parsed.values as FlagValues, parsed.positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      output.err(`transfer-lab ${name}: ${withoutPrefix(err.message, name)}${debug && err.stack ? `\n${err.stack}` : ''}\n\n${usage}`);
      return 2;
    }
    if (err instanceof TransferLabError) {
      output.err(`transfer-lab ${name}: ${withoutPrefix(err.message, name)}${debug && err.stack ? `\n${err.stack}` : ''}`);
      return 1;
    }
    // Not one of our errors: a bug or an unexpected system failure. One line unless debugging.
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (debug) output.err(`transfer-lab ${name}: ${err instanceof Error && err.stack ? err.stack : message}`);
    else output.err(`transfer-lab ${name}: unexpected error: ${message} (run again with --debug, or DEBUG=1, for the stack trace)`);
    return 1;
  }
}

/** Messages that already start with 'transfer-lab NAME:' or 'transfer-lab:' are not prefixed twice. */
function withoutPrefix(message: string, name: string): string {
  for (const prefix of [`transfer-lab ${name}: `, 'transfer-lab: ']) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}

/**
 * `--mirror` and `--cache` become the process' TRANSFER_LAB_MIRROR / TRANSFER_LAB_CACHE, so that
 * every asset lookup of the command (the base model of `train`, a dataset, the feature cache)
 * uses them, not only the lookups a command passes them to.
 */
function applyLocationFlags(values: FlagValues, env: NodeJS.ProcessEnv = process.env): void {
  const mirror = stringFlag(values, 'mirror');
  const cache = stringFlag(values, 'cache');
  if (mirror !== undefined) env.TRANSFER_LAB_MIRROR = path.resolve(mirror);
  if (cache !== undefined) env.TRANSFER_LAB_CACHE = path.resolve(cache);
}

/** The string value of a flag, or undefined when it was not given. */
export function stringFlag(values: FlagValues, flag: string): string | undefined {
  const v = values[flag];
  return typeof v === 'string' ? v : undefined;
}
