/** A Dropout layer with reproducible masks, new at every step, that a resumed run can line up. */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors';

/** The training-call counter of each seeded dropout layer. */
const steps = new WeakMap<tf.layers.Layer, { step: number }>();

/**
 * A Dropout layer whose masks are reproducible and new at every training step. tfjs' own `seed`
 * option draws the SAME mask at every call (it seeds each draw with the one number), which weakens
 * dropout; here the seed moves on by one per training call, so a run with the same seed repeats
 * its sequence of masks exactly. Saved models hold a plain Dropout layer.
 */
export function seededDropout(rate: number, seed: number, name: string, inputShape?: number[]): tf.layers.Layer {
  const layer = tf.layers.dropout({ rate, seed, name, inputShape });
  const original = layer.call.bind(layer);
  const counter = { step: 0 };
  steps.set(layer, counter);
  const field = layer as unknown as { seed: number };
  layer.call = (inputs, kwargs) => {
    if (kwargs?.training !== true) return original(inputs, kwargs);
    field.seed = seed + counter.step++;
    try {
      return original(inputs, kwargs);
    } finally {
      // The config keeps the first seed: a copy in a data-parallel worker starts its masks from it.
      field.seed = seed;
    }
  };
  return layer;
}

/**
 * Sets the training-step count of a `seededDropout` layer, so that a run resumed at epoch e uses
 * the masks an uninterrupted run uses there (step = e * batches per epoch).
 * @throws TrainError when `layer` was not made by seededDropout.
 */
export function setDropoutStep(layer: tf.layers.Layer, step: number): void {
  const counter = steps.get(layer);
  if (counter === undefined) throw new TrainError(`setDropoutStep: layer '${layer.name}' was not made by seededDropout.`);
  counter.step = step;
}
