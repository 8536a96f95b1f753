/**
 * ReduceLROnPlateau: multiplies the optimizer's learning rate by `factor` when the monitored
 * metric has not improved for `patience` epochs. Keras' ReduceLROnPlateau, for tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../../errors';
import { getLearningRate, setLearningRate } from '../learning_rate';
import { formatValue, resolveLogs, type UnresolvedLogs } from '../logs';
import { MetricMonitor, type MonitorMode } from '../monitor';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauArgs {
  /** Metric to watch. Default 'val_loss'. */
  monitor?: string;
  /** New learning rate = old * factor; must be < 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before the rate is reduced. Default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement (absolute). Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before watching again. Default 0. */
  cooldown?: number;
  /** The rate is never reduced below this. Default 0. */
  minLr?: number;
  /** 'min', 'max', or 'auto' ('max' for accuracy-like names, else 'min'). Default 'auto'. */
  mode?: MonitorMode;
  /** 0: silent; 1: one line per reduction. Default 0. */
  verbose?: 0 | 1;
}

/**
 * Lowers the learning rate on a plateau. Like Keras, it also adds the learning rate used during
 * the epoch to the epoch logs as `learning_rate`, so it shows up in the history.
 *
 * @example
 * const plateau = new ReduceLROnPlateau({ monitor: 'val_loss', factor: 0.2, patience: 3, minLr: 1e-6 });
 */
export class ReduceLROnPlateau extends tf.Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly verbose: 0 | 1;
  /** Epochs since the last improvement (outside cooldown). */
  wait = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** Best monitored value in this run. */
  best: number;
  private readonly metric: MetricMonitor;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.1;
    this.patience = args.patience ?? 10;
    this.cooldown = args.cooldown ?? 0;
    this.minLr = args.minLr ?? 0;
    this.verbose = args.verbose ?? 0;
    if (!(this.factor > 0 && this.factor < 1)) {
      throw new TrainError(`ReduceLROnPlateau: option factor must be between 0 and 1 (exclusive), got ${args.factor}; e.g. 0.1 or 0.5.`);
    }
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) {
      throw new TrainError(`ReduceLROnPlateau: option patience must be an integer >= 0, got ${args.patience}.`);
    }
    if (!(Number.isInteger(this.cooldown) && this.cooldown >= 0)) {
      throw new TrainError(`ReduceLROnPlateau: option cooldown must be an integer >= 0, got ${args.cooldown}.`);
    }
    if (!(this.minLr >= 0)) {
      throw new TrainError(`ReduceLROnPlateau: option minLr must be >= 0, got ${args.minLr}.`);
    }
    this.metric = new MetricMonitor('ReduceLROnPlateau', this.monitor, args.mode ?? 'auto', args.minDelta ?? 1e-4);
    this.best = this.metric.worst();
  }

  /** 'min' or 'max' after resolving mode 'auto'. */
  get mode(): 'min' | 'max' {
    return this.metric.direction;
  }

  override async onTrainBegin(): Promise<void> {
    this.metric.reset();
    this.best = this.metric.worst();
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const values = await resolveLogs(logs);
    const optimizer = this.model.optimizer;
    const lr = getLearningRate(optimizer, 'ReduceLROnPlateau');
    if (logs != null) logs['learning_rate'] = lr;
    const current = this.metric.read(values, epoch);
    if (current === undefined) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.metric.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait += 1;
    // Compare in float32 as the optimizer computes in it (Keras does the same).
    if (this.wait >= this.patience && Math.fround(lr) > Math.fround(this.minLr)) {
      const newLr = Math.max(lr * this.factor, this.minLr);
      setLearningRate(optimizer, newLr, 'ReduceLROnPlateau');
      if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${formatValue(newLr)}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}
