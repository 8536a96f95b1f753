/**
 * The course materials' VGG19 recipe, end to end (notebook 05): VGG19 without top, the first
 * layers frozen, Flatten → Dense 1024 → Dropout 0.5 → Dense 1024 → Dense n softmax, SGD with
 * momentum, ModelCheckpoint + EarlyStopping on val_acc. Every number comes from
 * `MATERIALS_RECIPE`; only the input size and the epoch budget may be shrunk to fit a CPU.
 *
 * VGG19's ImageNet weights are not in the course mirror: `materialsVgg19Weights` says whether the
 * official Keras file is on this machine (mirror or cache, never downloaded here), and the run
 * falls back to random weights, which show the mechanics and the cost, not an accuracy. The same
 * recipe shape on the MobileNet base gives the real accuracy.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { locateAsset } from '../assets/resolve';
import type { AssetLocationOptions } from '../assets/locations';
import { ImageDataGenerator } from '../data';
import { ModelError } from '../errors';
import { MobileNet } from '../models/mobilenet';
import { preprocessInput, type PreprocessMode } from '../models/preprocess';
import { VGG19 } from '../models/vgg';
import { trainableReport } from '../transfer/freeze';
import { applyStrategy } from '../transfer/strategies';
import { EarlyStopping } from '../train/callbacks/early_stopping';
import { ModelCheckpoint } from '../train/callbacks/model_checkpoint';
import type { FitCallback } from '../train/context';
import { fit } from '../train/fit';
import { subsetPerClass } from './05_lab';
import { MATERIALS_RECIPE, type MaterialsRecipe } from './recipe';

/** Which VGG19 weights the recipe can use on this machine. */
export interface Vgg19WeightsChoice {
  /** `'imagenet'` when Keras' VGG19 no-top file is in the mirror or the cache, else `null` (random). */
  weights: 'imagenet' | null;
  /** Where the file was found, if it was. */
  file?: string;
  /** One sentence for the notebook saying what that means for the run. */
  note: string;
}

/**
 * Whether the official Keras VGG19 no-top weight file (`keras_vgg19_no_top`, 80 MB) is already on
 * this machine, in the offline mirror or the cache. It never downloads: a lesson must not start an
 * 80 MB download on a classroom network; `npx transfer-lab fetch keras_vgg19_no_top` does that.
 */
export function materialsVgg19Weights(options: AssetLocationOptions = {}): Vgg19WeightsChoice {
  const found = locateAsset('keras_vgg19_no_top', options);
  if (found) {
    return { weights: 'imagenet', file: found.path, note: `VGG19 ImageNet weights: Keras' file from the ${found.origin} (${found.path}).` };
  }
  return {
    weights: null,
    note:
      "VGG19's ImageNet weights (Keras' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) are not on this machine: " +
      'this VGG19 has RANDOM weights, so its run shows the mechanics and the cost of the recipe, not what it learns. ' +
      '(npx transfer-lab fetch keras_vgg19_no_top gets the file where there is a network.)',
  };
}

/** `materialsRecipeModel` options. */
export interface MaterialsModelOptions {
  /** Number of classes (>= 2). */
  numClasses: number;
  /** The recipe. Defaults to `MATERIALS_RECIPE`. */
  recipe?: MaterialsRecipe;
}

/**
 * The materials' model on `base`, compiled: the first `recipe.freezeFirst` layers frozen and the
 * rest trainable (BatchNormalization, which VGG19 does not have, stays frozen in inference mode as
 * everywhere in the lab), the recipe's head, and its optimizer. This is `applyStrategy(base,
 * 'fineTune', ...)` with the recipe's numbers. The base's layers are shared with the new model.
 *
 * @example
 * const model = materialsRecipeModel(await VGG19({ includeTop: false, inputShape: [256, 256, 3] }), { numClasses: 16 });
 */
export function materialsRecipeModel(base: tf.LayersModel, options: MaterialsModelOptions): tf.LayersModel {
  const recipe = options.recipe ?? MATERIALS_RECIPE;
  return applyStrategy(base, 'fineTune', {
    numClasses: options.numClasses,
    freezeFirst: recipe.freezeFirst,
    head: recipe.headName,
    compile: recipe.headOptimizer,
    name: `${base.name}_materials_recipe`,
  }).model;
}

/**
 * The materials' two callbacks, set as the recipe sets them: ModelCheckpoint keeps the model of the
 * best `recipe.checkpointMonitor` in `checkpointDir` (save_best_only), EarlyStopping watches the
 * recipe's quantity with its patience and min_delta (and, like Keras' default, keeps the last
 * epoch's weights rather than restoring the best).
 */
export function materialsCallbacks(checkpointDir: string, recipe: MaterialsRecipe = MATERIALS_RECIPE): [ModelCheckpoint, EarlyStopping] {
  const e = recipe.headEarlyStopping;
  return [
    new ModelCheckpoint({ filepath: checkpointDir, monitor: recipe.checkpointMonitor, saveBestOnly: true }),
    new EarlyStopping({ monitor: e.monitor, patience: e.patience, minDelta: e.minDelta, restoreBestWeights: e.restoreBestWeights }),
  ];
}

/** `runMaterialsRecipe` options. */
export interface MaterialsRunOptions {
  /** The base: `'vgg19'` (the materials') or `'mobilenet'` (MobileNet v1, ImageNet weights from the mirror). */
  base: 'vgg19' | 'mobilenet';
  /** Folder with a training and a validation split, one folder per class in each. */
  data: string;
  /** Names of the training and validation split folders. Defaults to ['train', 'val']. */
  splits?: [string, string];
  /**
   * Photos per class and split: a copy of that many (spread over each class, see `subsetPerClass`)
   * in a temporary folder, removed at the end. Defaults to all photos, read in place.
   */
  perClass?: number;
  /** Input size in pixels (square). Defaults to `recipe.inputSize` for VGG19, 224 for MobileNet. */
  inputSize?: number;
  /** MobileNet width (0.25 or 0.75 have ImageNet weights in the course). Defaults to 0.25. */
  alpha?: number;
  /** Base weights. Defaults to `materialsVgg19Weights().weights` for VGG19, 'imagenet' for MobileNet. */
  weights?: 'imagenet' | null;
  /** Most epochs (EarlyStopping may end sooner). Defaults to `recipe.epochs`. */
  epochs?: number;
  /** Seed of the shuffle. Defaults to 42. */
  seed?: number;
  /** More callbacks, e.g. a LivePlot. Defaults to none. */
  callbacks?: FitCallback[];
  /** The recipe. Defaults to `MATERIALS_RECIPE`. */
  recipe?: MaterialsRecipe;
}

/** One row of the notebook's table (a type alias, so it passes straight to `toHtmlTable`). */
export type MaterialsRunRow = {
  base: string;
  weights: string;
  input: string;
  'trainable params': number;
  'photos (train / val)': string;
  'epochs run': number;
  's per epoch': number;
  'best val_acc (checkpoint)': number;
  'val accuracy, last epoch': number;
};

/** What `runMaterialsRecipe` measured. */
export interface MaterialsRunResult {
  row: MaterialsRunRow;
  /** val_acc per epoch. */
  valAccuracy: number[];
  /** 1-based epoch the checkpoint kept (0 when none was saved). */
  checkpointEpoch: number;
  /** 1-based epoch EarlyStopping stopped after, or 0 when every epoch ran. */
  stoppedEpoch: number;
  /** Wall-clock seconds of training (all epochs, validation included). */
  seconds: number;
}

const PREPROCESS: Record<MaterialsRunOptions['base'], PreprocessMode> = { vgg19: 'caffe', mobilenet: 'tf' };

function checkRunOptions(o: MaterialsRunOptions, recipe: MaterialsRecipe): { size: number; epochs: number } {
  const where = 'runMaterialsRecipe()';
  if (o.base !== 'vgg19' && o.base !== 'mobilenet') {
    throw new ModelError(`${where}: base must be 'vgg19' or 'mobilenet', received ${JSON.stringify(o.base)}.`);
  }
  const size = o.inputSize ?? (o.base === 'vgg19' ? recipe.inputSize : 224);
  if (!(Number.isInteger(size) && size >= 32)) {
    throw new ModelError(`${where}: inputSize must be a whole number >= 32 (five 2x2 poolings), received ${JSON.stringify(size)}.`);
  }
  const epochs = o.epochs ?? recipe.epochs;
  if (!(Number.isInteger(epochs) && epochs > 0)) {
    throw new ModelError(`${where}: epochs must be a whole number >= 1, received ${JSON.stringify(epochs)}.`);
  }
  return { size, epochs };
}

/**
 * Runs the materials' recipe for real on a folder dataset: builds the base, `materialsRecipeModel`,
 * reads the photos (all, or `perClass` of each class) at `inputSize` with the base's preprocessing in batches of `recipe.batchSize`
 * (training shuffled), trains with `materialsCallbacks` (the checkpoint goes to a temporary folder,
 * removed at the end) and returns a table row. The model is disposed at the end.
 *
 * @example
 * const run = await runMaterialsRecipe({ base: 'mobilenet', data: antsDir, epochs: 5 });
 */
export async function runMaterialsRecipe(options: MaterialsRunOptions): Promise<MaterialsRunResult> {
  const recipe = options.recipe ?? MATERIALS_RECIPE;
  const { size, epochs } = checkRunOptions(options, recipe);
  const splits = options.splits ?? ['train', 'val'];
  // A folder of its own: the notebook's subset of the same size (same name under tmpdir) stays untouched.
  const scratch = mkdtempSync(path.join(tmpdir(), 'tl-materials-run-'));
  try {
    const subset = subsetPerClass(options.data, { splits, perClass: options.perClass, into: scratch });
    return await runOn(subset.dir, splits, options, recipe, size, epochs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function runOn(
  data: string, [trainSplit, valSplit]: [string, string], options: MaterialsRunOptions, recipe: MaterialsRecipe, size: number, epochs: number,
): Promise<MaterialsRunResult> {
  const seed = options.seed ?? 42;
  const inputShape: [number, number, number] = [size, size, 3];
  const weights = options.weights !== undefined ? options.weights : options.base === 'vgg19' ? materialsVgg19Weights().weights : 'imagenet';
  const alpha = options.alpha ?? 0.25;
  const base = options.base === 'vgg19'
    ? await VGG19({ includeTop: false, weights, inputShape })
    : await MobileNet({ alpha, includeTop: false, weights, inputShape });
  const mode = PREPROCESS[options.base];
  const generator = new ImageDataGenerator({ preprocessingFunction: (x) => preprocessInput(x, mode) });
  // verbose off: the row reports the photo counts.
  const flow = { targetSize: [size, size] as [number, number], batchSize: recipe.batchSize, seed, verbose: false };
  const train = await generator.flowFromDirectory(path.join(data, trainSplit), { ...flow, shuffle: true });
  const val = await generator.flowFromDirectory(path.join(data, valSplit), { ...flow, shuffle: false, classes: train.classNames });
  const model = materialsRecipeModel(base, { numClasses: train.classNames.length, recipe });
  const checkpointDir = mkdtempSync(path.join(tmpdir(), 'tl-materials-ckpt-'));
  try {
    const [checkpoint, early] = materialsCallbacks(path.join(checkpointDir, 'best'), recipe);
    const start = Date.now();
    const history = await fit(model, train, {
      epochs, validationData: val, callbacks: [checkpoint, early, ...(options.callbacks ?? [])], verbose: 0,
    });
    const seconds = (Date.now() - start) / 1000;
    const valAccuracy = (history.history['val_acc'] ?? []).map(Number);
    const round3 = (x: number) => Number(x.toFixed(3));
    const name = options.base === 'vgg19' ? 'VGG19' : `MobileNet ${alpha}`;
    return {
      row: {
        base: name,
        weights: weights === 'imagenet' ? 'ImageNet' : 'random',
        input: `${size}x${size}`,
        'trainable params': trainableReport(model).totals.trainable,
        'photos (train / val)': `${train.samples} / ${val.samples}`,
        'epochs run': valAccuracy.length,
        's per epoch': Number((seconds / Math.max(1, valAccuracy.length)).toFixed(1)),
        'best val_acc (checkpoint)': round3(checkpoint.best),
        'val accuracy, last epoch': round3(valAccuracy[valAccuracy.length - 1] ?? NaN),
      },
      valAccuracy,
      checkpointEpoch: (checkpoint.lastSaved?.epoch ?? -1) + 1,
      stoppedEpoch: early.stoppedEpoch >= 0 ? early.stoppedEpoch + 1 : 0,
      seconds,
    };
  } finally {
    model.optimizer?.dispose();
    model.dispose();
    rmSync(checkpointDir, { recursive: true, force: true });
  }
}
