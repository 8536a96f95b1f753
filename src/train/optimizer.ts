/**
 * The one optimizer factory: Keras-style settings to a tfjs optimizer, for `recompile`/`unfreeze`
 * and `compileFor` (the data-parallel trainer's workers rebuild the model's optimizer from its
 * class and config instead). No imports from the rest of the library, so transfer/ (recompile) may use it.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** The optimizers made by name (Keras names). */
export type OptimizerName = 'sgd' | 'rmsprop' | 'adam';

/**
 * The one optimizer spec of the library (Keras names): `recompile`/`unfreeze`, the strategies'
 * compile defaults, the scenarios, the lesson recipes and `compileFor` (where every field is
 * optional) all take this shape.
 */
export interface OptimizerConfig {
  /** Optimizer, as in Keras `compile(optimizer=...)`. */
  optimizer: OptimizerName;
  /** Learning rate; fine-tuning uses a low one (1e-5 .. 1e-4). */
  learningRate: number;
  /** SGD momentum (0 = plain SGD). Defaults to 0; ignored by rmsprop and adam. */
  momentum?: number;
}

/** Optimizers made here: recompile may dispose the one it replaces (never one the user made). */
const ownOptimizers = new WeakSet<tf.Optimizer>();

/** True when `optimizer` was made by {@link makeOptimizer}. */
export function isOwnOptimizer(optimizer: tf.Optimizer): boolean {
  return ownOptimizers.has(optimizer);
}

/** Builds a tfjs optimizer from a Keras-style config (SGD with momentum is `tf.train.momentum`). */
export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  const { optimizer, learningRate } = config;
  if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate))) {
    throw new ModelError(`makeOptimizer(): learningRate must be a positive number, received ${JSON.stringify(learningRate)}.`);
  }
  let result: tf.Optimizer;
  switch (optimizer) {
    case 'sgd': {
      const momentum = config.momentum ?? 0;
      result = momentum > 0 ? tf.train.momentum(learningRate, momentum) : tf.train.sgd(learningRate);
      break;
    }
    case 'rmsprop':
      result = tf.train.rmsprop(learningRate);
      break;
    case 'adam':
      result = tf.train.adam(learningRate);
      break;
    default:
      throw new ModelError(
        `makeOptimizer(): optimizer must be 'sgd', 'rmsprop' or 'adam', received ${JSON.stringify(optimizer)}.`,
      );
  }
  ownOptimizers.add(result);
  return result;
}
