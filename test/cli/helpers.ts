/** Shared by the CLI tests: run `transfer-lab` as a real child process, and small real datasets. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const MAIN = path.resolve(__dirname, '../../src/cli/main.ts');
export const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? path.resolve(__dirname, '../../../shared/assets');
export const ANTS_BEES = path.join(MIRROR, 'datasets', 'hymenoptera_data');

/** Environment of the child: the mirror, a private cache, no DEBUG unless asked. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TRANSFER_LAB_MIRROR: MIRROR, ...extra };
  if (!('DEBUG' in extra)) delete env.DEBUG;
  return env;
}

/** Runs `transfer-lab ARGS` to the end. */
export function cli(args: string[], env: NodeJS.ProcessEnv = cliEnv(), timeout = 600_000) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout, env });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `transfer-lab ARGS` without waiting (to kill it mid-run). */
export function startCli(args: string[], env: NodeJS.ProcessEnv = cliEnv()): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A small copy of ants/bees: the first `n` photos per class per split (real photos). */
export async function smallAntsBees(n: number, prefix = 'tl-cli-'): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  for (const split of ['train', 'val']) {
    for (const cls of ['ants', 'bees']) {
      const from = path.join(ANTS_BEES, split, cls);
      const to = path.join(root, split, cls);
      await fs.mkdir(to, { recursive: true });
      const files = (await fs.readdir(from)).filter((f) => f.endsWith('.jpg')).sort().slice(0, n);
      for (const f of files) await fs.copyFile(path.join(from, f), path.join(to, f));
    }
  }
  return root;
}

/** True when no line of `text` looks like a JavaScript stack frame. */
export function hasNoStack(text: string): boolean {
  return !/^\s+at .+\(.+:\d+:\d+\)$/m.test(text) && !/^\s+at .+:\d+:\d+$/m.test(text);
}
