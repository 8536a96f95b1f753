/**
 * "Did fine-tuning help?" answered with a count, not an anecdote (lesson 05, issue 13 item 6):
 * the lab's recipe (`trainClassifier`, strategy 'fineTune') runs once per seed on a dataset, and
 * each run reports its validation accuracy after the head (feature extraction) and after
 * fine-tuning. A seed changes the head's initial weights, its dropout masks, the batch order and
 * the augmented copies; a difference smaller than what seeds move is no difference.
 *
 * `MEASURED_FINE_TUNE_GAIN` holds the full-mode figures as they were measured with the CLI
 * (commands included), so a quick-mode notebook can show them beside its own small-scale run;
 * test/lessons/fine_tune_gain.test.ts checks that they are consistent (accuracies are whole
 * photos of the validation set, the summary and the verdicts follow from the rows).
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as path from 'node:path';
import { resolveAsset } from '../assets';
import { DataError } from '../errors';
import { trainClassifier, type TrainClassifierOptions } from '../pipeline';
import { subsetPerClass } from './05_lab';
import { mnistFolders } from './mnist_folders';

/** The MNIST folders the lesson trains on: 100 training and 50 test images per digit. */
export const MNIST_FOLDERS = { trainPerDigit: 100, testPerDigit: 50 } as const;

/** A course dataset with a training and a validation split folder. */
export interface GainDataset {
  /** Name in tables, e.g. 'ants/bees'. */
  label: string;
  /** The dataset's folder: the asset by name (resolveAsset), or a folder made from one (mnistFolders). */
  root(): Promise<string>;
  /** Training split folder under the asset. */
  train: string;
  /** Validation split folder under the asset. */
  val: string;
}

/** The datasets lesson 05 compares: its own (close to ImageNet) and the contrast. */
export const GAIN_DATASETS: Readonly<Record<'ants' | 'catsDogs' | 'mnist', GainDataset>> = Object.freeze({
  ants: { label: 'ants/bees', root: () => resolveAsset('hymenoptera_data'), train: 'train', val: 'val' },
  catsDogs: { label: 'cats/dogs 100 px', root: () => resolveAsset('cats_dogs_100'), train: 'train', val: 'test' },
  // Digits: grey strokes on black, 28 px blown up to 224; ImageNet has nothing like them.
  mnist: { label: 'MNIST digits', root: () => mnistFolders(MNIST_FOLDERS), train: 'train', val: 'test' },
});

/** Options of {@link fineTuneGainBySeed}. */
export interface FineTuneGainOptions {
  /** One full run of the recipe per seed. Required (at least one). */
  seeds: number[];
  /** Photos per class and split (a temporary copy, removed afterwards). Defaults to undefined: every photo, read in place. */
  perClass?: number;
  /** trainClassifier settings for every run (model, augmentCopies, epochs, fineTuneEpochs, ...). Defaults to the pipeline's. */
  settings?: Partial<TrainClassifierOptions>;
}

/** One run: validation accuracy after each phase, and the phase `trainClassifier` kept (a type, so it is a table row). */
export type FineTuneGainRow = {
  dataset: string;
  seed: number;
  /** Validation photos (one photo is 1 / valImages of accuracy). */
  valImages: number;
  afterHead: number;
  afterFineTune: number;
  /** 'featureExtraction' or 'fineTune': the phase whose best epoch had the higher val_acc. */
  kept: 'featureExtraction' | 'fineTune';
};

/**
 * Runs `trainClassifier` (strategy 'fineTune') once per seed on `dataset` and returns one row per
 * run. Each run's model is disposed; only the figures are kept.
 *
 * @example
 * const rows = await fineTuneGainBySeed(GAIN_DATASETS.ants, { seeds: [1, 2, 3] });
 */
export async function fineTuneGainBySeed(dataset: GainDataset, options: FineTuneGainOptions): Promise<FineTuneGainRow[]> {
  const { seeds } = options;
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s))) {
    throw new DataError(`fineTuneGainBySeed(): seeds must be a non-empty list of whole numbers, e.g. [1, 2, 3]; received ${JSON.stringify(seeds)}.`);
  }
  const root = await dataset.root();
  // Without perClass nothing is copied and the asset folder is read in place. A copy keeps one
  // name (a classroom's shared copy when the teacher's warm-up made it), so its features are cached.
  const subset = subsetPerClass(root, { splits: [dataset.train, dataset.val], perClass: options.perClass });
  const rows: FineTuneGainRow[] = [];
  for (const seed of seeds) {
    const run = await trainClassifier({
      ...options.settings, data: path.join(subset.dir, dataset.train), val: path.join(subset.dir, dataset.val),
      strategy: 'fineTune', seed, verbose: 0,
    });
    rows.push({
      dataset: dataset.label, seed, valImages: run.valImages, afterHead: run.featureExtraction.accuracy,
      afterFineTune: run.fineTune?.accuracy ?? run.featureExtraction.accuracy, kept: run.kept.phase,
    });
    run.model.dispose();
  }
  return rows;
}

/** What a dataset's runs say about fine-tuning, averaged over seeds. */
export type FineTuneGainSummary = {
  dataset: string;
  seeds: number;
  /** Mean validation accuracy after the head, and after fine-tuning. */
  afterHead: number;
  afterFineTune: number;
  /** afterFineTune - afterHead, in accuracy (0.02 = 2 points). */
  gain: number;
  /** The mean gain in validation photos (gain x valImages). */
  gainPhotos: number;
  /** Runs where fine-tuning was better / worse than the head. */
  better: number;
  worse: number;
  verdict: string;
};

/**
 * Averages rows per dataset and says, in one sentence, what the class may conclude: fine-tuning
 * "helps" only when it is better on every seed AND by at least `minPhotos` validation photos on
 * average (default 2: one photo is what a seed moves); otherwise the runs show no gain, or a loss.
 */
export function summarizeFineTuneGain(rows: FineTuneGainRow[], options: { minPhotos?: number } = {}): FineTuneGainSummary[] {
  const minPhotos = options.minPhotos ?? 2;
  const names = [...new Set(rows.map((r) => r.dataset))];
  return names.map((dataset) => {
    const runs = rows.filter((r) => r.dataset === dataset);
    const mean = (f: (r: FineTuneGainRow) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
    const afterHead = mean((r) => r.afterHead);
    const afterFineTune = mean((r) => r.afterFineTune);
    const gainPhotos = mean((r) => Math.round((r.afterFineTune - r.afterHead) * r.valImages));
    const better = runs.filter((r) => r.afterFineTune > r.afterHead).length;
    const worse = runs.filter((r) => r.afterFineTune < r.afterHead).length;
    const per = `${better} of ${runs.length} seeds better, ${worse} worse, mean ${gainPhotos >= 0 ? '+' : ''}${gainPhotos.toFixed(1)} photos`;
    let verdict: string;
    if (better === runs.length && gainPhotos >= minPhotos) verdict = `fine-tuning helps (${per})`;
    else if (worse === runs.length && -gainPhotos >= minPhotos) verdict = `fine-tuning hurts (${per}): keep the head`;
    else verdict = `no measurable gain (${per}): within what seeds move`;
    return { dataset, seeds: runs.length, afterHead, afterFineTune, gain: afterFineTune - afterHead, gainPhotos, better, worse, verdict };
  });
}

/** A table of figures measured outside the notebook, with how to measure them again. */
export interface MeasuredGain {
  /** When and where (the machine was shared: seconds would mean little). */
  measured: string;
  /** The exact commands, one per dataset, as 'dataset: command'; MIRROR is $TRANSFER_LAB_MIRROR, SEED takes each seed in turn (no '$': notebooks read it as math). */
  commands: string[];
  rows: FineTuneGainRow[];
}

/** Seeds, photos per class and trainClassifier settings of the notebook's runs, per mode. */
export const GAIN_RUNS: Readonly<{ quick: FineTuneGainOptions; full: FineTuneGainOptions }> = Object.freeze({
  // Quick: the method at a tiny scale (8 photos per class and split, the small base, no augmented copies).
  quick: { seeds: [1, 2], perClass: 8, settings: { model: 'mobilenet_v1_0.25', augmentCopies: 0, epochs: 15, fineTuneEpochs: 1 } },
  // Full: every photo, the settings of MEASURED_FINE_TUNE_GAIN's commands.
  full: { seeds: [1, 2, 3], settings: { model: 'mobilenet_v1_0.25', augmentCopies: 0 } },
});

const CLI = (dir: string, val: string) =>
  `npx transfer-lab train --data MIRROR/datasets/${dir}/train --val MIRROR/datasets/${dir}/${val} --model mobilenet_v1_0.25 --augment 0 --strategy fineTune --seed SEED --json`;

/**
 * The full-mode figures, measured (not computed here): each dataset with the settings of
 * `GAIN_RUNS.full`, seeds 1, 2, 3, every photo; the last rows with fine-tuning at 1e-4 instead of 1e-5. Accuracies are written as photos right / photos,
 * as the runs reported them (the CLI prints them rounded to 4 places).
 */
export const MEASURED_FINE_TUNE_GAIN: Readonly<MeasuredGain> = Object.freeze<MeasuredGain>({
  measured: '2026-12-03 on the course machine (wasm backend, shared CPU)',
  commands: [
    `ants/bees: ${CLI('hymenoptera_data', 'val')}`,
    `cats/dogs 100 px: ${CLI('cats_dogs_100', 'test')}`,
    "MNIST digits: lab.trainClassifier({ data: dir + '/train', val: dir + '/test', strategy: 'fineTune', model: 'mobilenet_v1_0.25', " +
      'augmentCopies: 0, seed: SEED }) with dir = await lab.mnistFolders(lab.MNIST_FOLDERS)',
    "MNIST digits, fine-tuning at 1e-4: lab.trainClassifier({ data: dir + '/train', val: dir + '/test', strategy: 'fineTune', model: 'mobilenet_v1_0.25', " +
      'augmentCopies: 0, fineTuneLearningRate: 1e-4, seed: SEED }) with the same dir',
  ],
  rows: [
    { dataset: 'ants/bees', seed: 1, valImages: 153, afterHead: 133 / 153, afterFineTune: 132 / 153, kept: 'featureExtraction' },
    { dataset: 'ants/bees', seed: 2, valImages: 153, afterHead: 138 / 153, afterFineTune: 137 / 153, kept: 'featureExtraction' },
    { dataset: 'ants/bees', seed: 3, valImages: 153, afterHead: 138 / 153, afterFineTune: 136 / 153, kept: 'featureExtraction' },
    { dataset: 'cats/dogs 100 px', seed: 1, valImages: 200, afterHead: 192 / 200, afterFineTune: 192 / 200, kept: 'featureExtraction' },
    { dataset: 'cats/dogs 100 px', seed: 2, valImages: 200, afterHead: 191 / 200, afterFineTune: 191 / 200, kept: 'featureExtraction' },
    { dataset: 'cats/dogs 100 px', seed: 3, valImages: 200, afterHead: 193 / 200, afterFineTune: 192 / 200, kept: 'featureExtraction' },
    { dataset: 'MNIST digits', seed: 1, valImages: 500, afterHead: 461 / 500, afterFineTune: 463 / 500, kept: 'fineTune' },
    { dataset: 'MNIST digits', seed: 2, valImages: 500, afterHead: 465 / 500, afterFineTune: 464 / 500, kept: 'featureExtraction' },
    { dataset: 'MNIST digits', seed: 3, valImages: 500, afterHead: 463 / 500, afterFineTune: 464 / 500, kept: 'fineTune' },
    { dataset: 'MNIST digits, fine-tuning at 1e-4', seed: 1, valImages: 500, afterHead: 461 / 500, afterFineTune: 465 / 500, kept: 'fineTune' },
    { dataset: 'MNIST digits, fine-tuning at 1e-4', seed: 2, valImages: 500, afterHead: 465 / 500, afterFineTune: 466 / 500, kept: 'fineTune' },
    { dataset: 'MNIST digits, fine-tuning at 1e-4', seed: 3, valImages: 500, afterHead: 463 / 500, afterFineTune: 471 / 500, kept: 'fineTune' },
  ],
});
