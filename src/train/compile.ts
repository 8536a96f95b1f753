/**
 * `model.compile` with Keras' defaults: optimizers by name with Keras' default learning rates
 * (built by `makeOptimizer` of train/optimizer.ts, so `recompile` treats them alike), Keras spellings
 * of losses accepted, and a loss chosen from the output layer when omitted.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors';
import { makeOptimizer, type OptimizerConfig, type OptimizerName } from './optimizer';

export type { OptimizerName };

/** Keras' default learning rate per optimizer. */
export const DEFAULT_LEARNING_RATES: Record<OptimizerName, number> = { rmsprop: 1e-3, sgd: 1e-2, adam: 1e-3 };

/** Keras' snake_case loss names -> tfjs names (tfjs only knows the camelCase ones). */
const KERAS_LOSSES: Record<string, string> = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
};

/**
 * Optimizer settings of {@link compileFor}: the fields of the one spec, {@link OptimizerConfig}, all optional.
 * learningRate defaults to Keras' default for the optimizer (rmsprop 1e-3, sgd 1e-2, adam 1e-3);
 * momentum, for 'sgd' only (tfjs' MomentumOptimizer when > 0), to 0.
 */
export type OptimizerOptions = Partial<Pick<OptimizerConfig, 'learningRate' | 'momentum'>>;

/** Options of {@link compileFor}. */
export interface CompileOptions extends OptimizerOptions {
  /** Optimizer name or instance (an {@link OptimizerConfig}'s `optimizer`, or a tf.Optimizer). Default 'rmsprop' (as in the lesson's first head). */
  optimizer?: OptimizerName | tf.Optimizer;
  /**
   * Loss, tfjs or Keras spelling ('categoricalCrossentropy' or 'categorical_crossentropy').
   * Default: 'binaryCrossentropy' when the model has one output unit (sigmoid), else 'categoricalCrossentropy'.
   */
  loss?: string;
  /** Metrics. Default ['accuracy'] (tfjs logs it as 'acc' / 'val_acc'). */
  metrics?: string[];
}

/**
 * Compiles `model` with Keras defaults and returns it.
 * @example compileFor(model, { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 });
 * @throws TrainError when learningRate/momentum are given together with an optimizer instance.
 */
export function compileFor(model: tf.LayersModel, opts: CompileOptions = {}): tf.LayersModel {
  const choice = opts.optimizer ?? 'rmsprop';
  let optimizer: tf.Optimizer;
  if (typeof choice === 'string') {
    if (!(choice in DEFAULT_LEARNING_RATES)) {
      throw new TrainError(`compileFor: optimizer must be 'rmsprop', 'sgd', 'adam' or a tf.Optimizer, got ${JSON.stringify(choice)}.`);
    }
    if (opts.momentum != null && opts.momentum !== 0 && choice !== 'sgd') {
      throw new TrainError(`compileFor: momentum (${opts.momentum}) applies to optimizer 'sgd' only, got optimizer '${choice}'; use 'sgd' with momentum, or leave momentum out.`);
    }
    // The one makeOptimizer (also used by recompile) with Keras' default learning rate filled in.
    optimizer = makeOptimizer({ optimizer: choice, learningRate: opts.learningRate ?? DEFAULT_LEARNING_RATES[choice], momentum: opts.momentum });
  } else {
    if (opts.learningRate != null || opts.momentum != null) {
      throw new TrainError(
        'compileFor: learningRate/momentum were given together with an optimizer instance; ' +
          `set them in the optimizer's constructor (e.g. tf.train.sgd(1e-4)) or pass optimizer: 'sgd'.`,
      );
    }
    optimizer = choice;
  }
  const loss = opts.loss != null ? (KERAS_LOSSES[opts.loss] ?? opts.loss) : defaultLoss(model);
  model.compile({ optimizer, loss, metrics: opts.metrics ?? ['accuracy'] });
  return model;
}

/** binaryCrossentropy for a single output unit, categoricalCrossentropy otherwise. */
function defaultLoss(model: tf.LayersModel): string {
  const shape = model.outputs[0].shape;
  return shape[shape.length - 1] === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
}
