/**
 * One training phase of the pipeline (the head on cached features, or fine-tuning the top blocks
 * on cached activations), checkpointed after every epoch so it can be resumed, and ending with
 * the weights of its best epoch by the monitored metric (Keras' ModelCheckpoint with
 * save_best_only, then loading that checkpoint).
 */
import type { EarlyStoppingSetting } from '../lessons/recipe';
import * as tf from '@tensorflow/tfjs';
import {
  EarlyStopping,
  fit,
  loadWeightsFromDir,
  ModelCheckpoint,
  readTrainingState,
  type FitCallback,
  type RowSource,
  type TrainingHistory,
} from '../train';
import { setDropoutStep } from './dropout';
import type { PhaseBest, PhaseKey, RunCheckpoints } from './checkpoints';

export interface PhaseOptions {
  key: PhaseKey;
  /** Name in the history and in messages, e.g. 'feature extraction'. */
  name: string;
  model: tf.LayersModel;
  /** Training inputs: a tensor, or rows drawn a batch at a time (FeatureRows: activations too large for one tensor). */
  x: tf.Tensor | RowSource;
  y: tf.Tensor;
  valX: tf.Tensor;
  valY: tf.Tensor;
  /** Final epoch index (Keras' epochs: with a history, not a count). */
  epochs: number;
  seed: number;
  /** History of the earlier phase to continue. */
  history?: TrainingHistory;
  /** EarlyStopping of this phase (monitor, patience, minDelta): LAB_RECIPE's setting for the phase. */
  earlyStopping: Pick<EarlyStoppingSetting, 'monitor' | 'patience' | 'minDelta'>;
  /** Metric that picks the best epoch: 'val_acc' or 'val_loss'. */
  monitor: string;
  checkpoints: RunCheckpoints;
  /** Continue from the phase's last checkpoint (or skip it when it had finished). */
  resume: boolean;
  /** Seeded dropout layers whose mask sequence must follow the epoch (see setDropoutStep). */
  dropoutLayers: tf.layers.Layer[];
  callbacks: FitCallback[];
  verbose: 0 | 2;
  /** fit's `workers`: 1 trains in this thread; undefined leaves fit's default (every core when a step is big enough). */
  workers: 1 | undefined;
  /** Prints a line (resume messages) when verbose. */
  say(line: string): void;
}

export interface PhaseResult {
  history: TrainingHistory;
  /** The best epoch by the monitor, whose weights the model now holds; null when no epoch had the metric. */
  best: PhaseBest | null;
  /** True when this phase was found finished in the checkpoints and not trained again. */
  skipped: boolean;
}

/**
 * Trains one phase with checkpoints; returns with the model holding the best epoch's weights.
 * A finished phase found in the checkpoints (when resuming) is not trained again: its best
 * weights are loaded.
 */
export async function trainPhase(o: PhaseOptions): Promise<PhaseResult> {
  const { checkpoints, key } = o;
  if (o.resume) {
    const done = await checkpoints.readDone(key);
    if (done !== undefined) {
      if (done.best !== null) await loadWeightsFromDir(o.model, checkpoints.best(key));
      o.say(`Resuming: ${o.name} had finished (${done.history.epoch.length} epochs in all so far); its best weights are loaded.`);
      return { history: done.history, best: done.best, skipped: true };
    }
  }
  const rows = o.x instanceof tf.Tensor ? o.x.shape[0] ?? 0 : o.x.rows;
  const stepsPerEpoch = Math.ceil(rows / 32);
  // Each epoch starts its dropout masks where an uninterrupted run would be, also after a resume.
  const dropoutSync: FitCallback = {
    onEpochBegin: async (epoch: number) => {
      for (const layer of o.dropoutLayers) setDropoutStep(layer, epoch * stepsPerEpoch);
    },
  };
  const history = await fit(o.model, { x: o.x, y: o.y }, {
    epochs: o.epochs,
    batchSize: 32,
    seed: o.seed,
    history: o.history,
    validationData: { x: o.valX, y: o.valY },
    callbacks: [
      dropoutSync,
      new EarlyStopping({ monitor: o.earlyStopping.monitor, patience: o.earlyStopping.patience, minDelta: o.earlyStopping.minDelta }),
      new ModelCheckpoint({ filepath: checkpoints.last(key), monitor: o.monitor, saveWeightsOnly: true }),
      new ModelCheckpoint({ filepath: checkpoints.best(key), monitor: o.monitor, saveBestOnly: true, saveWeightsOnly: true }),
      ...o.callbacks,
    ],
    phase: o.name,
    verbose: o.verbose,
    workers: o.workers,
    resumeFrom: o.resume ? checkpoints.last(key) : undefined,
  });
  const bestState = await readTrainingState(checkpoints.best(key));
  let best: PhaseBest | null = null;
  if (bestState != null && bestState.best != null) {
    await loadWeightsFromDir(o.model, checkpoints.best(key));
    best = { epoch: bestState.epoch, value: bestState.best };
  }
  await checkpoints.markDone(key, { history, best });
  return { history, best, skipped: false };
}
