/**
 * Lists a folder-per-class dataset the way Keras' DirectoryIterator does, before any decoding:
 * - classes are the sub-folders, sorted like Python's `sorted()` (plain code-point order:
 *   'Zebra' before 'ant'), unless `classes` is given; class index = position in that list;
 * - inside each class folder, files are found recursively (`os.walk`: folders in sorted path
 *   order, files sorted in each), keeping those whose lower-cased name ends with an allowed
 *   extension; symbolic links to folders are not followed unless `followLinks`;
 * - with `validationSplit` and `subset`, each class's sorted list is cut: 'validation' takes the
 *   first `int(split * n)` files, 'training' the rest (Keras `_list_valid_filenames_in_directory`),
 *   so the two subsets never overlap and do not depend on a seed.
 * Deviations, both for learners' sake: folders whose name starts with '.' (like Jupyter's
 * `.ipynb_checkpoints`) are not classes, and an empty class folder, a single class (unless
 * classMode is null) or a missing folder raise a DataError instead of yielding odd batches.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../errors';
import { IMAGE_EXTENSIONS } from './decode';
import type { ClassMode } from './types';

/** Which part of a `validationSplit` to list (Keras `subset`). */
export type Subset = 'training' | 'validation';

/** Options of listClassFiles. */
export interface ListOptions {
  /** Class sub-folder names, in label order. Defaults to undefined: every sub-folder, sorted. */
  classes?: string[];
  /** Fraction of each class reserved for validation, strictly between 0 and 1. Defaults to 0 (none). */
  validationSplit?: number;
  /** Which side of the split to list; requires `validationSplit`. Defaults to undefined: all files. */
  subset?: Subset;
  /** Follow symbolic links to sub-folders inside class folders. Defaults to false (Keras `follow_links`). */
  followLinks?: boolean;
  /** How labels will be used; null allows a single class (Keras' predict-on-a-folder idiom). Defaults to 'categorical'. */
  classMode?: ClassMode;
  /** Function name for error messages. Defaults to 'flowFromDirectory'. */
  caller?: string;
}

/** The files of a dataset folder, by class, before decoding. */
export interface ClassFileListing {
  /** The folder listed, as given. */
  directory: string;
  /** Class names in label order. */
  classNames: string[];
  /** Class name -> label index. */
  classIndices: Record<string, number>;
  /** Image file paths (directory joined with class/relative path), class by class. */
  filepaths: string[];
  /** The label index of each file in `filepaths`. */
  classes: number[];
  /** Number of files per class before the split (to report a class folder without images). */
  totalPerClass: number[];
}

/** Compares strings by Unicode code point, like Python's `sorted()` (JS `sort()` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i].codePointAt(0) ?? 0) - (cb[i].codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory(); // follows links, like os.path.isdir
  } catch {
    return false;
  }
}

function hasImageExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(`.${ext}`));
}

/** All image files under a class folder, in Keras' os.walk order. */
function walkClassFolder(classDir: string, followLinks: boolean): string[] {
  const folders: string[] = [];
  const visit = (dir: string): void => {
    folders.push(dir);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() || (followLinks && entry.isSymbolicLink() && isDirectory(full))) visit(full);
    }
  };
  visit(classDir);
  folders.sort(compareCodePoints);
  const files: string[] = [];
  for (const dir of folders) {
    const names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && !(e.isSymbolicLink() && isDirectory(path.join(dir, e.name))))
      .map((e) => e.name)
      .filter(hasImageExtension)
      .sort(compareCodePoints);
    for (const name of names) files.push(path.join(dir, name));
  }
  return files;
}

/**
 * Lists the image files of a folder with one sub-folder per class (no decoding), with Keras'
 * class order and validation split. Throws DataError for a missing folder, no class folders,
 * a single class (unless `classMode` is null) or a class folder with no image files.
 */
export function listClassFiles(directory: string, opts: ListOptions = {}): ClassFileListing {
  const fn = opts.caller ?? 'flowFromDirectory';
  const { validationSplit = 0, subset, followLinks = false } = opts;
  const classMode = opts.classMode === undefined ? 'categorical' : opts.classMode;
  if (!existsSync(directory)) {
    throw new DataError(
      `${fn}: folder '${directory}' does not exist. Pass a folder with one sub-folder per class (e.g. train/ants, train/bees); check the path and the current directory (${process.cwd()}).`,
    );
  }
  if (!isDirectory(directory)) {
    throw new DataError(`${fn}: '${directory}' is a file, not a folder. Pass the folder that holds one sub-folder per class.`);
  }
  if (validationSplit !== 0 && !(validationSplit > 0 && validationSplit < 1)) {
    throw new DataError(`${fn}: validationSplit must be strictly between 0 and 1; received ${validationSplit}.`);
  }
  if (subset !== undefined && subset !== 'training' && subset !== 'validation') {
    throw new DataError(`${fn}: subset must be 'training' or 'validation'; received '${String(subset)}'.`);
  }
  if (subset !== undefined && validationSplit === 0) {
    throw new DataError(
      `${fn}: subset '${subset}' needs a validationSplit (e.g. validationSplit: 0.2); received none. Without a split, leave subset out.`,
    );
  }

  let classNames: string[];
  if (opts.classes !== undefined && opts.classes.length > 0) {
    classNames = [...opts.classes];
    for (const name of classNames) {
      if (!isDirectory(path.join(directory, name))) {
        throw new DataError(`${fn}: class folder '${path.join(directory, name)}' (from the classes option) does not exist. Create it or fix the class name.`);
      }
    }
  } else {
    const entries = readdirSync(directory).sort(compareCodePoints);
    classNames = entries.filter((name) => !name.startsWith('.') && isDirectory(path.join(directory, name)));
  }

  if (classNames.length === 0) {
    const images = readdirSync(directory).filter(hasImageExtension).length;
    throw new DataError(
      `${fn}: folder '${directory}' has no class sub-folders` +
        (images > 0 ? ` (it holds ${images} image files directly)` : '') +
        '. Put each class\'s images in its own sub-folder, e.g. ' +
        `${path.join(directory, 'cats')}/ and ${path.join(directory, 'dogs')}/.`,
    );
  }
  if (classNames.length === 1 && classMode !== null) {
    throw new DataError(
      `${fn}: folder '${directory}' has only one class sub-folder ('${classNames[0]}'); a classifier needs at least two classes. ` +
        `Add a sub-folder per class, or point at the parent folder if '${classNames[0]}' is a split (train/val) rather than a class.`,
    );
  }
  if (classMode === 'binary' && classNames.length !== 2) {
    throw new DataError(
      `${fn}: classMode 'binary' needs exactly 2 classes; folder '${directory}' has ${classNames.length} (${classNames.join(', ')}). Use classMode 'categorical' or 'sparse'.`,
    );
  }

  const classIndices: Record<string, number> = {};
  classNames.forEach((name, i) => {
    classIndices[name] = i;
  });
  const filepaths: string[] = [];
  const classes: number[] = [];
  const totalPerClass: number[] = [];
  for (const [ci, name] of classNames.entries()) {
    const all = walkClassFolder(path.join(directory, name), followLinks);
    if (all.length === 0) {
      throw new DataError(
        `${fn}: class folder '${path.join(directory, name)}' has no image files (allowed extensions: ${IMAGE_EXTENSIONS.join(', ')}). ` +
          'Put images in it, or remove the folder if it is not a class.',
      );
    }
    totalPerClass.push(all.length);
    let chosen = all;
    if (subset !== undefined) {
      // Same arithmetic as Keras: int(split * n) truncates, in float64.
      const cut = Math.trunc(validationSplit * all.length);
      chosen = subset === 'validation' ? all.slice(0, cut) : all.slice(cut);
    }
    for (const file of chosen) {
      filepaths.push(file);
      classes.push(ci);
    }
  }
  return { directory, classNames, classIndices, filepaths, classes, totalPerClass };
}
