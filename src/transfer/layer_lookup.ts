/**
 * Finding layers by name or position, with error messages that suggest close names. Shared by
 * `freeze`, `unfreeze`, `truncateAt` and the strategies, so every "no such layer" error reads alike.
 * @see notebooks/02-reuse-strategies.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * Candidate names closest to `name`: small edit distance or one containing the other,
 * best first, at most `max` of them.
 */
export function closeNames(name: string, candidates: string[], max = 5): string[] {
  const wanted = name.toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return candidates
    .map((candidate) => {
      const c = candidate.toLowerCase();
      const distance = editDistance(wanted, c);
      const contains = c.includes(wanted) || wanted.includes(c);
      return { candidate, score: contains ? Math.min(distance, limit) - 0.5 : distance };
    })
    .filter((x) => x.score <= limit)
    .sort((x, y) => x.score - y.score)
    .slice(0, max)
    .map((x) => x.candidate);
}

/**
 * Index of the layer called `name` in `model.layers`, or a `ModelError` that names the
 * function and argument, quotes the value and lists close layer names.
 */
export function layerIndex(model: tf.LayersModel, name: string, where: string): number {
  const names = model.layers.map((layer) => layer.name);
  const index = names.indexOf(name);
  if (index >= 0) return index;
  const close = closeNames(name, names);
  const hint = close.length > 0 ? `Close names: ${close.join(', ')}.` : 'No layer name is close.';
  throw new ModelError(
    `${where}: '${name}' is not a layer of model '${model.name}' (${names.length} layers). ${hint} ` +
      'List all names with model.layers.map(l => l.name) or trainableReport(model).',
  );
}

/** True for layers that hold other layers (a nested model used as a layer). */
export function isContainer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return layer instanceof tf.LayersModel;
}

/** Every layer of `model`, depth first, including layers of nested models (but not the nested models themselves). */
export function leafLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    if (isContainer(layer)) out.push(...leafLayers(layer));
    else out.push(layer);
  }
  return out;
}
