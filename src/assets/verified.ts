/**
 * A memo of files already hashed, so a model file is checked on every use without being re-hashed
 * every run: `<cache>/verified-files.json` maps a file's absolute path to its digest and the stat
 * fields that change whenever its bytes do (size, mtime, ctime, inode). A record whose stat fields
 * still match is trusted; any difference re-hashes the file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileDigest } from './checksum';
import { cacheDir, type AssetLocationOptions } from './locations';

/** File name of the memo inside the cache folder. */
export const VERIFIED_MEMO_FILE = 'verified-files.json';

/** What the memo remembers of one file. */
interface MemoRecord {
  size: number;
  mtimeMs: number;
  /** ctime cannot be set back by a user (unlike mtime with `touch -d`), so an edit always shows. */
  ctimeMs: number;
  ino: number;
  algorithm: 'sha256' | 'md5';
  digest: string;
}

type Memo = Record<string, MemoRecord>;

/** A digest and whether it came from the memo (true) or from hashing the file now (false). */
export interface MemoDigest {
  digest: string;
  fromMemo: boolean;
}

function memoPath(options: AssetLocationOptions): string {
  return path.join(cacheDir(options), VERIFIED_MEMO_FILE);
}

async function readMemo(file: string): Promise<Memo> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Memo) : {};
  } catch {
    // No memo yet, or an unreadable one: every file is simply hashed again.
    return {};
  }
}

/** Writes the memo with a temp file + rename, so two processes never leave half a JSON file. */
async function writeMemo(file: string, memo: Memo): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    await fs.writeFile(tmp, JSON.stringify(memo));
    await fs.rename(tmp, file);
  } catch {
    // A read-only cache only costs a re-hash next run; it must not stop the lab.
  }
}

/**
 * Digests of `files` (absolute paths), taken from the memo when a file's size, mtime, ctime and
 * inode are unchanged since it was hashed, else computed now and remembered. A missing file
 * throws the fs error (ENOENT) for the caller to report.
 */
export async function memoizedDigests(
  files: string[],
  algorithm: 'sha256' | 'md5',
  options: AssetLocationOptions = {},
): Promise<Map<string, MemoDigest>> {
  const where = memoPath(options);
  const memo = await readMemo(where);
  const result = new Map<string, MemoDigest>();
  let changed = false;
  // All stats at once: a memo hit costs only these, so they should not queue one by one.
  const stats = await Promise.all(files.map((file) => fs.stat(file)));
  for (const [i, file] of files.entries()) {
    const st = stats[i];
    const key = path.resolve(file);
    const known = memo[key];
    const same =
      known !== undefined &&
      known.algorithm === algorithm &&
      known.size === st.size &&
      known.mtimeMs === st.mtimeMs &&
      known.ctimeMs === st.ctimeMs &&
      known.ino === st.ino;
    if (same) {
      result.set(file, { digest: known.digest, fromMemo: true });
      continue;
    }
    const digest = await fileDigest(file, algorithm);
    // Stat again: a file that changed while it was hashed is not remembered.
    const after = await fs.stat(file);
    if (after.size === st.size && after.mtimeMs === st.mtimeMs && after.ino === st.ino) {
      memo[key] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, algorithm, digest };
      changed = true;
    }
    result.set(file, { digest, fromMemo: false });
  }
  if (changed) {
    // Another process may have added records meanwhile: merge with what is on disk now.
    await writeMemo(where, { ...(await readMemo(where)), ...pick(memo, files) });
  }
  return result;
}

function pick(memo: Memo, files: string[]): Memo {
  const out: Memo = {};
  for (const file of files) {
    const key = path.resolve(file);
    if (memo[key]) out[key] = memo[key];
  }
  return out;
}
