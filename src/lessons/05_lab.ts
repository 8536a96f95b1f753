/**
 * Helpers of lesson 05 (build a network on a pretrained base, fine-tune it): a small per-class
 * copy of a dataset for quick runs, and one progress bar over every pass of a feature extraction.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import { listClassFiles } from '../data';
import { DataError } from '../errors';

/** Options of {@link subsetPerClass}. */
export interface SubsetOptions {
  /** Split folders to take, e.g. ['train', 'val']. Required. */
  splits: string[];
  /**
   * Images to keep per class in each split. Defaults to undefined: keep everything, copy nothing,
   * and return `root` itself (so one call serves quick and full mode).
   */
  perClass?: number;
  /** Folder to put the copy in. Defaults to this user's folder in os.tmpdir() (transfer-lab-UID). The teacher's `classroom warm` writes the shared subsets with it. */
  into?: string;
}

/** What {@link subsetPerClass} returns. */
export interface DatasetSubset {
  /** The folder to read: a temporary copy, or `root` when nothing was limited. */
  dir: string;
  /**
   * True when `dir` is a temporary copy (delete it with fs.rmSync(dir, {recursive: true}) when done);
   * false for `root` itself and for a read-only shared copy (env TRANSFER_LAB_SHARED_SUBSETS).
   */
  copied: boolean;
  /** Images per split and class in `dir`. */
  counts: Record<string, Record<string, number>>;
}

/** `count` indices spread evenly over 0..n-1 (all of them when count >= n). */
function spread(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/** Marks a folder as made by {@link subsetPerClass}, so a later call may replace it. */
const SUBSET_MARKER = '.transfer-lab-subset';

/**
 * A smaller copy of a folder-per-class dataset: at most `perClass` images of every class in each
 * split, picked evenly through the sorted file list, copied into this user's folder of os.tmpdir() (the source, e.g.
 * the shared mirror, is only read). Without `perClass` it copies nothing and returns `root`.
 * Quick mode of the lab uses it to run every step on a few images.
 *
 * The copy's folder name depends only on the source's name, the splits and `perClass`, and the
 * copies keep the source files' modification times: copying again gives the same paths and
 * stamps, so features cached from an earlier copy are found again instead of piling up in the
 * feature cache. An earlier copy of the same name is replaced.
 *
 * On a classroom server, env TRANSFER_LAB_SHARED_SUBSETS names a read-only folder of such copies
 * made by the teacher's `transfer-lab classroom warm`: a copy there with exactly the selected files
 * (same names, sizes and modification times) is used as it is (`copied: false`), so every student
 * reads the same paths and finds the features the warm-up cached for them.
 *
 * @example
 * const ants = subsetPerClass(await resolveAsset('hymenoptera_data'), { splits: ['train', 'val'], perClass: quickOr(16, undefined) });
 * const train = await flowFromDirectory(`${ants.dir}/train`, { targetSize: [224, 224] });
 * @throws DataError for a perClass that is not a whole number >= 1, or a split without class folders.
 */
export function subsetPerClass(root: string, options: SubsetOptions): DatasetSubset {
  const { splits, perClass } = options;
  if (!Array.isArray(splits) || splits.length === 0) {
    throw new DataError(`subsetPerClass(): splits must name at least one split folder of '${root}', e.g. ['train', 'val'], received ${JSON.stringify(splits)}.`);
  }
  if (perClass !== undefined && !(Number.isInteger(perClass) && perClass >= 1)) {
    throw new DataError(`subsetPerClass(): perClass must be a whole number >= 1 (or undefined for all images), received ${JSON.stringify(perClass)}.`);
  }
  const listings = splits.map((split) => ({ split, listing: listClassFiles(path.join(root, split), { caller: 'subsetPerClass()' }) }));
  const selection: { split: string; cls: string; keep: string[] }[] = [];
  const counts: Record<string, Record<string, number>> = {};
  for (const { split, listing } of listings) {
    counts[split] = {};
    listing.classNames.forEach((cls, c) => {
      const files = listing.filepaths.filter((_, i) => listing.classes[i] === c);
      const keep = perClass === undefined ? files : spread(files.length, perClass).map((i) => files[i]);
      selection.push({ split, cls, keep });
      counts[split][cls] = keep.length;
    });
  }
  if (perClass === undefined) return { dir: root, copied: false, counts };
  const name = subsetName(root, splits, perClass);
  const shared = process.env[SHARED_SUBSETS_ENV]?.trim();
  if (shared && options.into === undefined && isCompleteCopy(path.join(shared, name), selection)) {
    return { dir: path.join(shared, name), copied: false, counts };
  }
  const dir = freshSubsetDir(path.join(options.into ?? privateTmpDir(), name), root);
  for (const { split, cls, keep } of selection) {
    const target = path.join(dir, split, cls);
    mkdirSync(target, { recursive: true });
    for (const file of keep) {
      const copy = path.join(target, path.basename(file));
      copyFileSync(file, copy);
      const { atime, mtime } = statSync(file);
      utimesSync(copy, atime, mtime);
    }
  }
  return { dir, copied: true, counts };
}

/** Env var naming a read-only folder of subsets made in advance (see {@link subsetPerClass}). */
export const SHARED_SUBSETS_ENV = 'TRANSFER_LAB_SHARED_SUBSETS';

/**
 * This user's folder in os.tmpdir(): on a shared server two students (or a student and the
 * teacher) would otherwise replace each other's copy of the same name mid-run.
 */
export function privateTmpDir(): string {
  const user = process.getuid?.() ?? userInfo().username;
  const dir = path.join(tmpdir(), `transfer-lab-${user}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The copy's folder name: it depends only on the source's name, the splits and `perClass`. */
function subsetName(root: string, splits: string[], perClass: number): string {
  return `transfer-lab-05-${path.basename(path.resolve(root))}-${splits.join('-')}-${perClass}`.replace(/[^\w.-]/g, '_');
}

/** True when `dir` is a subset copy holding exactly the selected files, with their sizes and modification times. */
function isCompleteCopy(dir: string, selection: { split: string; cls: string; keep: string[] }[]): boolean {
  if (!existsSync(path.join(dir, SUBSET_MARKER))) return false;
  for (const split of new Set(selection.map((s) => s.split))) {
    const classes = selection.filter((s) => s.split === split).map((s) => s.cls).sort();
    const present = existsSync(path.join(dir, split)) ? readdirSync(path.join(dir, split)).sort() : [];
    if (present.length !== classes.length || present.some((c, i) => c !== classes[i])) return false;
  }
  for (const { split, cls, keep } of selection) {
    const target = path.join(dir, split, cls);
    if (!existsSync(target)) return false;
    const names = readdirSync(target).sort();
    const wanted = keep.map((f) => path.basename(f)).sort();
    if (names.length !== wanted.length || names.some((n, i) => n !== wanted[i])) return false;
    for (const file of keep) {
      const source = statSync(file);
      const copy = statSync(path.join(target, path.basename(file)));
      if (copy.size !== source.size || Math.round(copy.mtimeMs) !== Math.round(source.mtimeMs)) return false;
    }
  }
  return true;
}

/** An empty folder `dir` for a subset of `root`; replaces an earlier subset there only. */
function freshSubsetDir(dir: string, root: string): string {
  if (existsSync(dir)) {
    if (!existsSync(path.join(dir, SUBSET_MARKER))) {
      throw new DataError(`subsetPerClass(): folder '${dir}' exists and was not made by subsetPerClass; remove or rename it, then run again.`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, SUBSET_MARKER), `copy of ${root}\n`);
  return dir;
}
