/**
 * What `fit` tells the callbacks that care about more than the current `model.fit` call: the
 * history of earlier phases (so plots and checkpoints continue it), the checkpoint a run was
 * resumed from, and the number of batches per epoch when tfjs does not know it yet.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingHistory } from './history';
import type { TrainingState } from './save';

/** Context handed to callbacks by `fit` before training starts. */
export interface TrainingContext {
  /** History before this run's first epoch (earlier phases, or the resumed part), with this run's phase started. */
  history: TrainingHistory;
  /** The state read from `resumeFrom`, when this run continues a saved checkpoint. */
  resumed?: { dir: string; state: TrainingState };
  /** Batches per epoch when known (tfjs only learns it after the first epoch of `fitDataset`). */
  stepsPerEpoch?: number;
}

/** A callback that wants the {@link TrainingContext}; `fit` calls `setTrainingContext` before training. */
export interface TrainingContextAware {
  /** Stores the context for the next training run (undefined clears it); the callback also drops it at train end. */
  setTrainingContext(context: TrainingContext | undefined): void;
}

/** Type guard: does this callback accept a {@link TrainingContext}? */
export function isContextAware<T extends object>(callback: T): callback is T & TrainingContextAware {
  return 'setTrainingContext' in callback && typeof callback.setTrainingContext === 'function';
}

/** Callbacks as `fit` accepts them: tfjs callback instances or plain `{onEpochEnd(...) {...}}` objects. */
export type FitCallback = tf.Callback | tf.CustomCallback | tf.CustomCallbackArgs;
