/**
 * The lab's two-phase recipe, in one place: notebook 05 reads it for its knobs, `trainClassifier`
 * takes its defaults from it, and test/lessons/recipe.test.ts checks that the lesson plans (en,
 * zh-CN) and the instructor notes name the same settings. Change a number here and the test tells
 * you which text to update.
 *
 * `MATERIALS_RECIPE` is the course materials' Keras setting (VGG19, 256 px), kept next to it so a
 * notebook can show the materials' choice first and then the lab's departure from it.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import type { OptimizerConfig } from '../train/optimizer';

import type { HeadName } from '../transfer/heads';

/** Callback settings of one training phase (Keras names). */
export interface EarlyStoppingSetting {
  /** Quantity watched, as in Keras `EarlyStopping(monitor=...)`. */
  monitor: 'val_loss' | 'val_acc';
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest change that counts as an improvement. */
  minDelta: number;
  /** Whether the best epoch's weights are put back at the end. */
  restoreBestWeights: boolean;
}

/** One recipe: the new head, the two phases' optimizers and callbacks. */
export interface Recipe {
  /** Short name used in tables. */
  name: string;
  /** Base network and input size. */
  base: string;
  /** The new head, as a layer list (Keras names). */
  head: string;
  /** Phase 1 (frozen base): optimizer and learning rate. */
  headOptimizer: OptimizerConfig;
  /** Phase 2 (fine-tuning): optimizer and learning rate. */
  fineTuneOptimizer: OptimizerConfig;
  /** What is unfrozen in phase 2, in words. */
  unfrozen: string;
  /** Number of top blocks unfrozen in phase 2. */
  blocksUnfrozen: number;
  /** Batch size of both phases. */
  batchSize: number;
  /** EarlyStopping of the head phase. */
  headEarlyStopping: EarlyStoppingSetting;
  /** EarlyStopping of the fine-tuning phase. */
  fineTuneEarlyStopping: EarlyStoppingSetting;
  /** ModelCheckpoint: the quantity whose best value is kept on disk. */
  checkpointMonitor: 'val_loss' | 'val_acc';
}

/** The lab's recipe (notebook 05 and `trainClassifier`'s defaults). */
export const LAB_RECIPE: Readonly<Recipe> = Object.freeze({
  name: 'lab',
  base: 'MobileNet v1 0.75 (0.25 in quick mode), 224x224, two pooled taps',
  head: 'Dropout 0.3 → Dense n softmax',
  headOptimizer: { optimizer: 'adam', learningRate: 1e-3 },
  fineTuneOptimizer: { optimizer: 'adam', learningRate: 1e-5 },
  unfrozen: 'blocks 12 and 13 (after conv_pw_11_relu), BatchNorm kept frozen',
  blocksUnfrozen: 2,
  batchSize: 32,
  headEarlyStopping: { monitor: 'val_loss', patience: 8, minDelta: 0, restoreBestWeights: true },
  fineTuneEarlyStopping: { monitor: 'val_loss', patience: 2, minDelta: 0, restoreBestWeights: true },
  checkpointMonitor: 'val_acc',
} as Recipe);

/**
 * The materials' recipe with the numbers a notebook builds it from (the `Recipe` fields are text
 * for tables; these are what `VGG19(...)`, `freeze(...)` and `fit(...)` take).
 */
export interface MaterialsRecipe extends Recipe {
  /** Input size in pixels, square: `input_shape=(256, 256, 3)`. */
  inputSize: number;
  /** How many of the base's first layers stay frozen: `for layer in model.layers[:5]`. */
  freezeFirst: number;
  /** The head as a `buildTransferModel` head name. */
  headName: HeadName;
  /** Epochs of the materials' `fit`. */
  epochs: number;
}

/** The course materials' Keras recipe (VGG19 at 256 px). */
export const MATERIALS_RECIPE: Readonly<MaterialsRecipe> = Object.freeze({
  name: 'materials',
  base: 'VGG19 without top, 256x256, first 5 layers frozen',
  head: 'Flatten → Dense 1024 relu → Dropout 0.5 → Dense 1024 relu → Dense n softmax',
  headOptimizer: { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 },
  fineTuneOptimizer: { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 },
  unfrozen: 'all layers after the first 5',
  blocksUnfrozen: 4,
  batchSize: 16,
  headEarlyStopping: { monitor: 'val_acc', patience: 10, minDelta: 0, restoreBestWeights: false },
  fineTuneEarlyStopping: { monitor: 'val_acc', patience: 10, minDelta: 0, restoreBestWeights: false },
  checkpointMonitor: 'val_acc',
  inputSize: 256,
  freezeFirst: 5,
  headName: 'flatten-dense1024x2',
  epochs: 50,
} as MaterialsRecipe);

/** An optimizer setting as the plans write it, e.g. "Adam 1e-3" or "SGD 1e-4 momentum 0.9". */
export function optimizerText(o: OptimizerConfig): string {
  const name = o.optimizer === 'sgd' ? 'SGD' : o.optimizer === 'adam' ? 'Adam' : 'rmsprop';
  const rate = o.learningRate.toExponential(); // 0.001 -> '1e-3'
  return o.momentum ? `${name} ${rate} momentum ${o.momentum}` : `${name} ${rate}`;
}

/** An EarlyStopping setting as the plans write it, e.g. "val_loss, patience 8". */
export function earlyStoppingText(e: EarlyStoppingSetting): string {
  return `${e.monitor}, patience ${e.patience}`;
}

/** The side-by-side table of notebook 05: one row per knob, the materials' column first. */
export function recipeComparison(materials: Recipe = MATERIALS_RECIPE, lab: Recipe = LAB_RECIPE): Array<Record<string, string>> {
  const row = (knob: string, m: string, l: string) => ({ knob, materials: m, lab: l });
  return [
    row('base', materials.base, lab.base),
    row('head', materials.head, lab.head),
    row('phase 1 optimizer', optimizerText(materials.headOptimizer), optimizerText(lab.headOptimizer)),
    row('phase 2 optimizer', optimizerText(materials.fineTuneOptimizer), optimizerText(lab.fineTuneOptimizer)),
    row('unfrozen in phase 2', materials.unfrozen, lab.unfrozen),
    row('batch size', String(materials.batchSize), String(lab.batchSize)),
    row('EarlyStopping, phase 1', earlyStoppingText(materials.headEarlyStopping), earlyStoppingText(lab.headEarlyStopping)),
    row('EarlyStopping, phase 2', earlyStoppingText(materials.fineTuneEarlyStopping), earlyStoppingText(lab.fineTuneEarlyStopping)),
    row('ModelCheckpoint keeps best', materials.checkpointMonitor, lab.checkpointMonitor),
  ];
}
