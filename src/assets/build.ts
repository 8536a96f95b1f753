/**
 * Runs an asset builder inside the staging folder of a fetch and records what it produced, so
 * the cache only ever receives a finished build (resolve.ts renames it into place).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AssetError } from '../errors';
import { BUILDERS, listFiles } from './builders';
import { fileDigest } from './checksum';
import type { AssetName, AssetSource } from './registry';

/**
 * File written into a built folder: `sha256  ./path` of every file the build produced. Doctor
 * checks a built copy against it (the mirror's checksums describe other bytes).
 */
export const BUILD_RECORD = '.transfer-lab-built.sha256';

/**
 * Builds `name` from the downloaded official file `input` into `<staging>/out` and returns that
 * folder. Scratch files go to `<staging>/work`; the caller removes the staging folder.
 */
export async function buildAsset(
  name: AssetName,
  source: Extract<AssetSource, { kind: 'built' }>,
  input: string,
  staging: string,
): Promise<string> {
  const builder = BUILDERS[source.build];
  if (!builder) throw new AssetError(`resolveAsset: '${name}' names the builder '${source.build}', which does not exist.`);
  const workDir = path.join(staging, 'work');
  const outDir = path.join(staging, 'out');
  await fs.mkdir(workDir, { recursive: true });
  await fs.mkdir(outDir, { recursive: true });
  await builder({ input, workDir, outDir });
  await fs.rm(workDir, { recursive: true, force: true });
  const lines = [`# ${name} built from ${source.from.url} on ${new Date().toISOString()}`];
  for (const rel of await listFiles(outDir)) lines.push(`${await fileDigest(path.join(outDir, rel))}  ./${rel}`);
  await fs.writeFile(path.join(outDir, BUILD_RECORD), `${lines.join('\n')}\n`);
  return outDir;
}

/** True while a process with this id runs (signal 0 only asks). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the staging folders `<final>.staging-<pid>` left by fetches that were killed (their
 * process is gone); a staging folder of a running fetch is left alone.
 */
export async function removeStaleStaging(final: string): Promise<void> {
  const dir = path.dirname(final);
  const prefix = `${path.basename(final)}.staging-`;
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) {
      await fs.rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }
}
