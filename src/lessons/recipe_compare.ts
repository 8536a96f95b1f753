/**
 * The measured reason for the lab's departure from the materials' optimizer and callbacks:
 * the same linear head, on the same cached features, trained once with each recipe's phase-1
 * optimizer, batch size and EarlyStopping, over a few seeds. Notebook 05 shows the table.
 * @see src/lessons/recipe.ts
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { linearHead } from '../pipeline/train_classifier';
import { EarlyStopping } from '../train/callbacks/early_stopping';
import { fit } from '../train/fit';
import { makeOptimizer } from '../train/optimizer';
import { LAB_RECIPE, MATERIALS_RECIPE, earlyStoppingText, optimizerText, type Recipe } from './recipe';

/** Cached features and one-hot labels. */
export interface FeatureData { x: tf.Tensor2D; y: tf.Tensor2D }

/** `compareHeadRecipes` options. */
export interface CompareHeadRecipesOptions {
  /** Seeds of the head's initial weights, dropout and shuffle. Defaults to [1, 2, 3]. */
  seeds?: number[];
  /** Most epochs per run (early stopping may end sooner). Defaults to 40. */
  epochs?: number;
  /** Recipes to compare, in table order. Defaults to [MATERIALS_RECIPE, LAB_RECIPE]. */
  recipes?: Recipe[];
}

/** One row of the table: a recipe's phase-1 settings and what they gave (a type, so it fits `toHtmlTable`'s records). */
export type HeadRecipeRow = {
  recipe: string;
  optimizer: string;
  'batch size': number;
  EarlyStopping: string;
  'epochs run (per seed)': string;
  'val accuracy (per seed)': string;
  'mean val accuracy': number;
};

async function valAccuracy(model: tf.LayersModel, val: FeatureData): Promise<number> {
  const hit = tf.tidy(() => tf.equal((model.predict(val.x) as tf.Tensor).argMax(-1), val.y.argMax(-1)).mean());
  const value = (await hit.data())[0];
  hit.dispose();
  return value;
}

/**
 * Trains `linearHead` on `train` with each recipe's phase-1 optimizer, batch size and
 * EarlyStopping (best weights restored in both, so the comparison is of what training reaches,
 * not of which epoch it ends on), and reports validation accuracy per seed.
 */
export async function compareHeadRecipes(train: FeatureData, val: FeatureData, options: CompareHeadRecipesOptions = {}): Promise<HeadRecipeRow[]> {
  const seeds = options.seeds ?? [1, 2, 3];
  const epochs = options.epochs ?? 40;
  if (seeds.length === 0 || !(Number.isInteger(epochs) && epochs > 0)) {
    throw new DataError(`compareHeadRecipes: need at least one seed and a positive integer epochs, got seeds ${JSON.stringify(seeds)}, epochs ${epochs}.`);
  }
  const [features, numClasses] = [train.x.shape[1], train.y.shape[1]];
  const rows: HeadRecipeRow[] = [];
  for (const recipe of options.recipes ?? [MATERIALS_RECIPE, LAB_RECIPE]) {
    const accs: number[] = [];
    const ran: number[] = [];
    for (const seed of seeds) {
      const head = linearHead(features, numClasses, { seed });
      head.compile({ optimizer: makeOptimizer(recipe.headOptimizer), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const early = new EarlyStopping({ ...recipe.headEarlyStopping, restoreBestWeights: true });
      const history = await fit(head, train, { epochs, batchSize: recipe.batchSize, validationData: val, callbacks: [early], seed, verbose: 0 });
      ran.push(history.epoch.length);
      accs.push(await valAccuracy(head, val));
      head.optimizer.dispose();
      head.dispose();
    }
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    rows.push({
      recipe: recipe.name, optimizer: optimizerText(recipe.headOptimizer), 'batch size': recipe.batchSize,
      EarlyStopping: earlyStoppingText(recipe.headEarlyStopping), 'epochs run (per seed)': ran.join(' / '),
      'val accuracy (per seed)': accs.map((a) => a.toFixed(3)).join(' / '), 'mean val accuracy': Number(mean.toFixed(3)),
    });
  }
  return rows;
}
