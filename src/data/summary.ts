/**
 * "Look at the data" before training: images per class and split, files that were skipped,
 * and a warning when classes are unbalanced.
 */
import type { DataFrame } from 'danfojs-node';
import { loadDanfo } from '../danfo';
import type { FileIssue, SkippedFile } from './types';

/** What datasetSummary reads from an iterator (a DirectoryIterator has all of it). */
export interface SummarySource {
  classNames: string[];
  /** Label index of each usable file. */
  classes: number[];
  skipped: SkippedFile[];
  warnings?: FileIssue[];
}

/** Options of datasetSummary. */
export interface DatasetSummaryOptions {
  /** Warn when, in a split, the largest class has more than this many times the images of the smallest. Defaults to 1.5. */
  imbalanceRatio?: number;
}

/** A file problem, with the split it was found in. */
export type SplitFileIssue = FileIssue & { split: string };

/** Result of datasetSummary: plain data for any renderer, plus a danfojs DataFrame. */
export interface DatasetSummary {
  /** Split names, in the order given (e.g. ['train', 'val']). */
  splits: string[];
  /** Class names, in label order (classes seen in later splits only are appended). */
  classNames: string[];
  /** Images per split and class: `counts.train.ants`. */
  counts: Record<string, Record<string, number>>;
  /**
   * The table as plain data (the DataFrameLike shape `{columns, values}`): columns
   * `['class', ...splits, 'total']`, one row per class, then a 'total' row.
   */
  table: { columns: string[]; values: (string | number)[][] };
  /** The same rows as objects, `{class: 'ants', train: 124, val: 70, total: 194}`. */
  rows: Record<string, string | number>[];
  /** Files left out because they cannot be decoded. */
  skipped: SplitFileIssue[];
  /** Files used despite a problem (e.g. 'wrong extension'). */
  fileWarnings: SplitFileIssue[];
  /** Largest / smallest class count per split (Infinity when a class has no image there). */
  imbalance: Record<string, number>;
  /** Sentences for the learner: imbalance, classes missing from a split, skipped files. */
  warnings: string[];
  /**
   * The table as a danfojs DataFrame (same columns and rows as `table`). Built on first read,
   * so a summary that is only shown as a table never loads danfojs.
   */
  readonly frame: DataFrame;
}

/**
 * Summarizes one or more iterators keyed by split name: a table of images per class and split,
 * the skipped files, and warnings (class imbalance above `imbalanceRatio`, classes missing
 * from a split, skipped files).
 *
 * @example
 * const s = datasetSummary({ train, val });
 * s.frame.print();            // or show(s.table) in a notebook
 * s.warnings.forEach((w) => console.log(w));
 * @see curriculum 7.4 (the dataset notebook)
 */
export function datasetSummary(iterators: Record<string, SummarySource>, opts: DatasetSummaryOptions = {}): DatasetSummary {
  const ratioLimit = opts.imbalanceRatio ?? 1.5;
  const splits = Object.keys(iterators);
  const classNames: string[] = [];
  for (const split of splits) {
    for (const name of iterators[split].classNames) if (!classNames.includes(name)) classNames.push(name);
  }

  const counts: Record<string, Record<string, number>> = {};
  const skipped: SplitFileIssue[] = [];
  const fileWarnings: SplitFileIssue[] = [];
  const imbalance: Record<string, number> = {};
  const warnings: string[] = [];
  for (const split of splits) {
    const it = iterators[split];
    const perClass: Record<string, number> = {};
    for (const name of classNames) perClass[name] = 0;
    for (const c of it.classes) perClass[it.classNames[c]] += 1;
    counts[split] = perClass;
    skipped.push(...it.skipped.map((s) => ({ ...s, split })));
    fileWarnings.push(...(it.warnings ?? []).map((w) => ({ ...w, split })));

    const missing = classNames.filter((name) => !it.classNames.includes(name));
    if (missing.length > 0) warnings.push(`${split}: no folder for class${missing.length > 1 ? 'es' : ''} ${missing.map((m) => `'${m}'`).join(', ')}.`);
    const present = it.classNames.map((name) => ({ name, n: perClass[name] }));
    if (present.length >= 2) {
      const most = present.reduce((a, b) => (b.n > a.n ? b : a));
      const least = present.reduce((a, b) => (b.n < a.n ? b : a));
      const ratio = least.n === 0 ? Infinity : most.n / least.n;
      imbalance[split] = ratio;
      if (ratio > ratioLimit) {
        warnings.push(
          `${split}: classes are unbalanced: '${most.name}' has ${most.n} images, '${least.name}' only ${least.n}` +
            (Number.isFinite(ratio) ? ` (${ratio.toFixed(1)}x)` : '') +
            '. Accuracy alone will mislead; look at per-class recall, or use class weights / more data.',
        );
      }
    }
  }
  if (skipped.length > 0) {
    const reasons = [...new Set(skipped.map((s) => s.reason))].join(', ');
    warnings.push(`${skipped.length} file${skipped.length > 1 ? 's were' : ' was'} skipped (${reasons}): see .skipped.`);
  }

  const columns = ['class', ...splits, 'total'];
  const values: (string | number)[][] = classNames.map((name) => {
    const row = splits.map((split) => counts[split][name]);
    return [name, ...row, row.reduce((a, b) => a + b, 0)];
  });
  const totals = splits.map((split) => Object.values(counts[split]).reduce((a, b) => a + b, 0));
  values.push(['total', ...totals, totals.reduce((a, b) => a + b, 0)]);
  const rows = values.map((row) => Object.fromEntries(columns.map((col, i) => [col, row[i]])));

  let frame: DataFrame | undefined;
  return {
    splits, classNames, counts, table: { columns, values }, rows, skipped, fileWarnings, imbalance, warnings,
    get frame(): DataFrame {
      frame ??= new (loadDanfo().DataFrame)(values, { columns });
      return frame;
    },
  };
}
