/**
 * The Keras BatchNormalization rule for transfer learning: a BatchNormalization layer whose
 * `trainable` is false runs in inference mode, also inside `fit`. It then normalises with the
 * moving mean/variance learned on the source data and never updates them.
 *
 * Why this file exists: tfjs-layers 4.x does not follow that rule. Its `BatchNormalization.call`
 * looks only at `kwargs.training`; during `fit` that is true, so a frozen BN layer still
 * normalises with the statistics of each small batch and still overwrites its moving
 * mean/variance (the moving-average update writes the variables directly, ignoring `trainable`).
 * On a small target dataset that quietly destroys the pretrained statistics. We fix it per layer
 * instance: the layer's `call` is wrapped so that a frozen layer sees `training: false`. The
 * class, its config and its saved form stay plain `BatchNormalization`, so saved models load in
 * any tfjs; after loading a saved model, call `applyFrozenBatchNormRule` (or `freeze`/`unfreeze`,
 * which call it) again. Inside `fit` a frozen layer computes the same values as `x * scale + shift`,
 * whose gradient is far cheaper than tfjs' batchNorm gradient (see `frozenAffine`).
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { leafLayers } from './layer_lookup';

type CallFn = tf.layers.Layer['call'];

/** What tfjs' BatchNormalization keeps privately; read only to compute the frozen affine form. */
interface BatchNormInternals {
  axis: number;
  epsilon: number;
  gamma?: tf.LayerVariable | null;
  beta?: tf.LayerVariable | null;
  movingMean?: tf.LayerVariable;
  movingVariance?: tf.LayerVariable;
}

/** Layers whose `call` this module already wrapped (wrapping twice would be harmless but wasteful). */
const wrapped = new WeakSet<tf.layers.Layer>();

/** True when `layer` is a BatchNormalization layer (by class name, so subclasses from other bundles count). */
export function isBatchNorm(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

/**
 * True when a BatchNormalization layer counts as frozen: its own `trainable` is false, or its
 * gamma/beta were frozen from outside (tfjs' `container.trainable = false` sets the weights'
 * flags but not the inner layers' `trainable`).
 */
export function isFrozenBatchNorm(layer: tf.layers.Layer): boolean {
  if (!layer.trainable) return true;
  const gammaBeta = layer.weights.filter((w) => /(gamma|beta)(_\d+)?$/.test(w.originalName ?? w.name));
  return gammaBeta.length > 0 && gammaBeta.every((w) => !w.trainable);
}

/**
 * Makes every BatchNormalization layer of `model` (nested models included) obey the Keras rule:
 * frozen means inference mode, in `fit` too. Idempotent; returns how many BN layers the model has.
 * `freeze`, `unfreeze`, `buildTransferModel` and `applyStrategy` call it for you.
 *
 * @example
 * const model = await tf.loadLayersModel(handler); // a saved fine-tuned model
 * applyFrozenBatchNormRule(model);                  // frozen BN layers stay in inference mode
 */
export function applyFrozenBatchNormRule(model: tf.LayersModel): number {
  let count = 0;
  for (const layer of leafLayers(model)) {
    if (!isBatchNorm(layer)) continue;
    count++;
    if (wrapped.has(layer)) continue;
    const original: CallFn = layer.call.bind(layer);
    const call: CallFn = (inputs, kwargs) => {
      if (!isFrozenBatchNorm(layer)) return original(inputs, kwargs);
      if (kwargs?.training === true) {
        const affine = frozenAffine(layer, inputs);
        if (affine != null) return affine;
      }
      return original(inputs, { ...kwargs, training: false });
    };
    layer.call = call;
    wrapped.add(layer);
  }
  return count;
}

/**
 * A frozen BN inside `fit` as `x * scale + shift`, with scale = gamma / sqrt(var + eps) and
 * shift = beta - mean * scale: the same values as inference mode, but its input gradient is one
 * broadcast multiply. tfjs' batchNorm gradient tiles its per-channel factors to the full
 * activation shape, which took ~22% of a MobileNetV2 fine-tuning step on wasm. Returns null for
 * shapes this form does not cover (channel axis not last), which keep tfjs' own path.
 */
function frozenAffine(layer: tf.layers.Layer, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | null {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const bn = layer as unknown as BatchNormInternals;
  const axis = bn.axis < 0 ? bn.axis + x.rank : bn.axis;
  if (axis !== x.rank - 1 || bn.movingMean == null || bn.movingVariance == null) return null;
  const { movingMean, movingVariance, gamma, beta, epsilon } = bn;
  return tf.tidy(() => {
    let scale = tf.rsqrt(tf.add(movingVariance.read(), epsilon));
    if (gamma != null) scale = tf.mul(scale, gamma.read());
    let shift = tf.neg(tf.mul(movingMean.read(), scale));
    if (beta != null) shift = tf.add(shift, beta.read());
    return tf.add(tf.mul(x, scale), shift);
  });
}

/** True when `applyFrozenBatchNormRule` has wrapped this BatchNormalization layer. */
export function followsFrozenBatchNormRule(layer: tf.layers.Layer): boolean {
  return wrapped.has(layer);
}
