/**
 * Copying weights from a saved TF.js layers model folder into a model we built, by layer name:
 * our builder's model is what runs (Keras names, our options), the folder only supplies values.
 * This is how `weights: 'imagenet'` uses the course's tfjs MobileNet files.
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFromDir } from '../../assets';
import { ModelError } from '../../errors';
import { assignMatches, LayerMatch, layersWithWeights, WeightLoadReport } from './assign';
import { legacyNames } from './names';

/** Options of {@link loadTfjsFolderWeights}. */
export interface TfjsFolderLoadOptions {
  /**
   * Skip model layers missing from the folder's model or whose shapes differ (listed in the
   * report) instead of throwing a ModelError. Defaults to false.
   */
  skipMismatch?: boolean;
}

/**
 * Loads the tfjs layers model in `dir` (model.json + shards) and copies its weights into
 * `model` layer by layer, matching layer names. Layers of the folder's model that `model`
 * lacks are ignored (e.g. its classifier when `model` has no top). Every match is checked
 * before anything is assigned; the first missing layer or shape difference raises a ModelError
 * naming it (unless `skipMismatch`).
 *
 * @example
 * const model = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
 * await loadTfjsFolderWeights(model, await resolveAsset('mobilenet_v1_0.25_224'));
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function loadTfjsFolderWeights(
  model: tf.LayersModel,
  dir: string,
  opts: TfjsFolderLoadOptions = {},
): Promise<WeightLoadReport> {
  const fn = 'loadTfjsFolderWeights';
  const skipMismatch = opts.skipMismatch ?? false;
  const source = await loadLayersModelFromDir(dir);
  try {
    const byName = new Map(source.layers.map((l) => [l.name, l]));
    const label = `the tfjs model in '${dir}'`;
    const matches: LayerMatch[] = [];
    const skipped: WeightLoadReport['skipped'] = [];
    for (const layer of layersWithWeights(model)) {
      const found = [layer.name, ...legacyNames(layer.name)].map((n) => byName.get(n)).find((l) => l !== undefined);
      if (found) {
        matches.push({
          layer,
          sourceName: found.name,
          weights: found.weights.map((w) => ({ name: w.originalName, shape: w.shape.map((d) => d ?? 0), read: () => w.read().clone() })),
        });
        continue;
      }
      const reason = `layer '${layer.name}' (${layer.getClassName()}) has no layer of that name in ${label}`;
      if (!skipMismatch) {
        throw new ModelError(
          `${fn}: ${reason} (its layers: '${source.layers[1]?.name}' ... '${source.layers[source.layers.length - 1].name}'). ` +
            `Build the architecture the folder was saved from (same alpha and layer names), or pass skipMismatch: true.`,
        );
      }
      skipped.push({ layer: layer.name, reason });
    }
    return assignMatches(fn, matches, label, skipMismatch, skipped);
  } finally {
    source.dispose();
  }
}
