/**
 * The output folder of a run, checked before any training (a run that trains for minutes and
 * then cannot save is lost work), and a fallback folder when saving fails anyway.
 *
 * Folders are created one level at a time, not with `mkdir({recursive: true})`: on Node 20 that
 * call never returns for a path under /proc, and it reports success for 'FILE/sub' when FILE is
 * a regular file.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainError } from '../errors';

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.split('\n')[0]}` : String(err);
}

/**
 * Makes sure `dir` exists (creating missing folders), is a folder and is writable: a probe file
 * is written and removed. Returns the absolute path.
 * @throws TrainError naming the folder, what is wrong and what to do.
 */
export async function prepareOutputDir(dir: string, caller = 'trainClassifier'): Promise<string> {
  const target = path.resolve(dir);
  const fix = 'choose another --out folder (for example runs/NAME inside your home or project folder)';
  // Deepest part of the path that exists; everything below it is to be created.
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    try {
      const stat = await fs.stat(existing);
      if (!stat.isDirectory()) {
        throw new TrainError(`${caller}: cannot use output folder '${target}': '${existing}' is a file, not a folder; ${fix}.`);
      }
      break;
    } catch (err) {
      if (err instanceof TrainError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(existing) === existing) {
        throw new TrainError(`${caller}: cannot use output folder '${target}': '${existing}' cannot be read (${reason(err)}); ${fix}.`);
      }
      missing.unshift(existing);
      existing = path.dirname(existing);
    }
  }
  for (const folder of missing) {
    try {
      await fs.mkdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new TrainError(`${caller}: cannot create output folder '${folder}' (${reason(err)}); ${fix}.`);
    }
  }
  const probe = path.join(target, `.write-test-${process.pid}`);
  try {
    await fs.writeFile(probe, 'transfer-lab checks that this folder is writable before training\n');
    await fs.rm(probe, { force: true });
  } catch (err) {
    throw new TrainError(`${caller}: output folder '${target}' is not writable (${reason(err)}); ${fix}, or fix its permissions.`);
  }
  return target;
}

/** A new folder under the system's temporary folder for a run that could not be saved where asked. */
export async function rescueDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'transfer-lab-unsaved-run-'));
}
