/**
 * Reading and changing the learning rate of a tfjs optimizer during training.
 *
 * tfjs-core 4.x declares `learningRate` as a *protected* field: there is no public setter except
 * `SGDOptimizer.setLearningRate` (also used by MomentumOptimizer, which derives from it). SGD and
 * Momentum cache `-learningRate` in a scalar tensor, so they must go through `setLearningRate`;
 * Adam, Adamax, Adagrad, Adadelta and RMSProp read the field at every step, so writing the field is
 * enough. `getConfig().learningRate` reflects the field for all of them, which is how we verify.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors';

/** The optimizer's current learning rate, from its public config. */
export function getLearningRate(optimizer: tf.Optimizer, caller = 'getLearningRate'): number {
  const lr = optimizer.getConfig()['learningRate'];
  if (typeof lr !== 'number') {
    throw new TrainError(
      `${caller}: optimizer ${optimizer.getClassName()} has no numeric learningRate in its config (got ${JSON.stringify(lr)}); ` +
        'use SGD, Momentum, RMSProp, Adam, Adamax, Adagrad or Adadelta.',
    );
  }
  return lr;
}

/**
 * Sets the optimizer's learning rate in place, for the next training step on.
 * @throws TrainError when lr is not a positive number or the optimizer ignores the change.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number, caller = 'setLearningRate'): void {
  if (!(Number.isFinite(lr) && lr >= 0)) {
    throw new TrainError(`${caller}: learning rate must be a finite number >= 0, got ${lr}.`);
  }
  // `instanceof tf.SGDOptimizer` cannot tell: tfjs optimizers answer instanceof by duck typing.
  const setter: unknown = Reflect.get(optimizer, 'setLearningRate');
  if (typeof setter === 'function') {
    setter.call(optimizer, lr);
  } else {
    // The field is protected in the typings but is the one the update step reads (see above).
    Reflect.set(optimizer, 'learningRate', lr);
  }
  if (getLearningRate(optimizer, caller) !== lr) {
    throw new TrainError(`${caller}: optimizer ${optimizer.getClassName()} did not accept learning rate ${lr}; recompile with a new optimizer instead.`);
  }
}
