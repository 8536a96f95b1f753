/**
 * Assigning weights to a model layer by layer, the part the .h5 and tfjs-folder loaders share:
 * check every matched layer's weight count and shapes first (so a bad file leaves the model
 * untouched), then copy the values in.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../errors';

/** One stored weight: its name in the source, its shape, and a reader that makes a fresh tensor. */
export interface WeightSource {
  name: string;
  shape: number[];
  /** Returns a new tensor the caller disposes. */
  read: () => tf.Tensor;
}

/** A model layer paired with the source layer (by name or position) whose weights it gets. */
export interface LayerMatch {
  layer: tf.layers.Layer;
  /** Name of the layer in the source file (differs from `layer.name` for legacy names). */
  sourceName: string;
  weights: WeightSource[];
}

/** What a weight loader did. */
export interface WeightLoadReport {
  /** Model layers whose weights were set, in model order. */
  loaded: string[];
  /** Model layers left as they were (only with `skipMismatch`), with the reason. */
  skipped: { layer: string; reason: string }[];
}

/** Model layers that own weights, in the model's (topological) order. */
export function layersWithWeights(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((layer) => layer.weights.length > 0);
}

/** '[3, 3, 3, 8]' */
export function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Why the source weights do not fit the layer (count or shape), or null if they fit.
 * The text names the layer, the expected and the found shapes.
 */
export function mismatch(match: LayerMatch, sourceLabel: string): string | null {
  const { layer, sourceName, weights } = match;
  const expected = layer.weights;
  const from = sourceName === layer.name ? `'${sourceName}'` : `'${sourceName}' (matched to '${layer.name}')`;
  if (expected.length !== weights.length) {
    return (
      `layer '${layer.name}' has ${expected.length} weights (${expected.map((w) => shapeText(w.shape)).join(', ')}) ` +
      `but ${sourceLabel} layer ${from} has ${weights.length} (${weights.map((w) => shapeText(w.shape)).join(', ')})`
    );
  }
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i].shape;
    const got = weights[i].shape;
    if (want.length !== got.length || want.some((d, k) => d !== got[k])) {
      return (
        `layer '${layer.name}' weight '${expected[i].originalName}' expects shape ${shapeText(want)} ` +
        `but ${sourceLabel} layer ${from} has '${weights[i].name}' with shape ${shapeText(got)}`
      );
    }
  }
  return null;
}

/**
 * Validates all matches (throwing a ModelError for the first bad one, unless `skipMismatch`),
 * then sets the weights of every good match. Returns which layers were loaded / skipped.
 */
export function assignMatches(
  fn: string,
  matches: LayerMatch[],
  sourceLabel: string,
  skipMismatch: boolean,
  skipped: WeightLoadReport['skipped'] = [],
): WeightLoadReport {
  const good: LayerMatch[] = [];
  for (const match of matches) {
    const problem = mismatch(match, sourceLabel);
    if (problem === null) {
      good.push(match);
    } else if (skipMismatch) {
      skipped.push({ layer: match.layer.name, reason: problem });
    } else {
      throw new ModelError(
        `${fn}: ${problem}. The weights were made for another architecture or size ` +
          `(check alpha / includeTop / classes), or pass skipMismatch: true to skip such layers.`,
      );
    }
  }
  for (const { layer, weights } of good) {
    const tensors = weights.map((w) => w.read());
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
  return { loaded: good.map((m) => m.layer.name), skipped };
}
