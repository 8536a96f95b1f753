/**
 * Freeing models when a lesson is done with them. Models built on one another share layers
 * (a truncated model, a base and the model with its head), and tfjs' `model.dispose()` of one of
 * them disposes the shared layers, after which `dispose()` of the other throws. `disposeModels`
 * frees every weight of all of them once, and the optimizers they were compiled with.
 * @see notebooks/04-dataset-and-pretrained-model.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** True when the variable's tensor is gone (LayerVariable keeps it in a protected field). */
function isDisposed(weight: tf.LayerVariable): boolean {
  return (weight['val'] as tf.Variable).isDisposed;
}

/**
 * Disposes the weights of every model given (each shared weight once) and their optimizers.
 * Skips `undefined`, so optional models can be passed as they are. Returns the number of weight
 * tensors freed.
 *
 * @example
 * disposeModels(wider, fromH5, reference);
 */
export function disposeModels(...models: Array<tf.LayersModel | undefined>): number {
  const weights = new Set<tf.LayerVariable>();
  const optimizers = new Set<tf.Optimizer>();
  models.forEach((model, i) => {
    if (model === undefined) return;
    if (!(model instanceof tf.LayersModel)) {
      throw new ModelError(`disposeModels(): argument ${i + 1} must be a tf.LayersModel or undefined, received ${String(model)}.`);
    }
    for (const w of model.weights) weights.add(w);
    if (model.optimizer != null) optimizers.add(model.optimizer);
  });
  let freed = 0;
  for (const w of weights) {
    if (isDisposed(w)) continue;
    w.dispose();
    freed += 1;
  }
  for (const o of optimizers) o.dispose();
  return freed;
}
