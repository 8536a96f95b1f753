/**
 * EarlyStopping: stops training when the monitored metric has stopped improving, and (unlike
 * tfjs' own `tf.callbacks.earlyStopping`) can restore the weights of the best epoch.
 * Keras' EarlyStopping, for tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../../errors';
import type { TrainingContext, TrainingContextAware } from '../context';
import { resolveLogs, type UnresolvedLogs } from '../logs';
import { MetricMonitor, type MonitorMode } from '../monitor';

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingArgs {
  /** Metric to watch, e.g. 'val_loss' or 'val_acc'. Default 'val_loss'. */
  monitor?: string;
  /** Epochs without improvement after which training stops. Default 0. */
  patience?: number;
  /** Smallest change that counts as an improvement (absolute). Default 0. */
  minDelta?: number;
  /** 'min', 'max', or 'auto' ('max' for accuracy-like names, else 'min'). Default 'auto'. */
  mode?: MonitorMode;
  /** Value the metric must beat for the patience counter to restart. Default none. */
  baseline?: number;
  /** At train end, put back the weights of the best epoch (keeps one copy of the weights meanwhile). Default false. */
  restoreBestWeights?: boolean;
  /** Epochs (0-based index) before this one are not watched: a warm-up. Default 0. */
  startFromEpoch?: number;
  /** 0: silent; 1: say when and why training stopped and which weights were restored. Default 0. */
  verbose?: 0 | 1;
}

/**
 * Stops `fit` after `patience` epochs without improvement of `monitor`. With
 * `restoreBestWeights`, it keeps a copy of the best epoch's weights (replacing, and disposing,
 * the previous copy whenever the metric improves) and restores it when training ends.
 *
 * @example
 * const stop = new EarlyStopping({ monitor: 'val_acc', patience: 10, restoreBestWeights: true });
 */
export class EarlyStopping extends tf.Callback implements TrainingContextAware {
  readonly monitor: string;
  readonly patience: number;
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: 0 | 1;
  /** Epochs since the last improvement. */
  wait = 0;
  /** 0-based epoch at which training was stopped, or -1 while it was not. */
  stoppedEpoch = -1;
  /** Best monitored value in this run (±Infinity before the first value). */
  best: number;
  /** 0-based epoch of `best`. */
  bestEpoch = 0;
  private readonly metric: MetricMonitor;
  private bestWeights?: tf.Tensor[];
  private context?: TrainingContext;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.patience = args.patience ?? 0;
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    this.verbose = args.verbose ?? 0;
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) {
      throw new TrainError(`EarlyStopping: option patience must be an integer >= 0, got ${args.patience}.`);
    }
    this.metric = new MetricMonitor('EarlyStopping', this.monitor, args.mode ?? 'auto', args.minDelta ?? 0);
    this.best = this.metric.worst();
  }

  /** 'min' or 'max' after resolving mode 'auto'. */
  get mode(): 'min' | 'max' {
    return this.metric.direction;
  }

  /** Called by `fit`: when it resumes a checkpoint, the epochs already done count towards patience. */
  setTrainingContext(context: TrainingContext | undefined): void {
    this.context = context;
  }

  override async onTrainBegin(): Promise<void> {
    this.metric.reset();
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.metric.worst();
    this.bestEpoch = 0;
    this.dropBestWeights();
    if (this.context?.resumed != null) this.replayResumedEpochs(this.context);
  }

  /**
   * A resumed run continues the patience count of the interrupted one: the epochs of the current
   * phase before the resume point are replayed from the history (values only: the best weights of
   * those epochs are not in the checkpoint, so restoreBestWeights restores the best epoch after it).
   */
  private replayResumedEpochs(context: TrainingContext): void {
    const { history } = context;
    const phaseStart = history.phases.length > 0 ? history.phases[history.phases.length - 1].startEpoch : 0;
    history.epoch.forEach((epoch, i) => {
      if (epoch < phaseStart || epoch < this.startFromEpoch) return;
      const logs = Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[i]]));
      const current = this.metric.read(logs, epoch);
      if (current === undefined) return;
      this.wait += 1;
      if (this.metric.isImprovement(current, this.best)) {
        this.best = current;
        this.bestEpoch = epoch;
        if (this.baseline == null || this.metric.isImprovement(current, this.baseline)) this.wait = 0;
      }
    });
  }

  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const values = await resolveLogs(logs);
    const current = this.metric.read(values, epoch);
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights == null) {
      // Until something improves, the first watched epoch is the best one.
      this.keepWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.metric.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepWeights();
      // Restart patience only when the baseline is beaten too.
      if (this.baseline == null || this.metric.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override async onTrainEnd(): Promise<void> {
    this.context = undefined;
    if (this.stoppedEpoch >= 0 && this.verbose > 0) {
      console.log(
        `Epoch ${this.stoppedEpoch + 1}: early stopping (${this.monitor} did not improve for ${this.wait} epochs; best ${this.best.toFixed(5)} at epoch ${this.bestEpoch + 1})`,
      );
    }
    if (this.restoreBestWeights && this.bestWeights != null) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
      this.dropBestWeights();
    }
  }

  /** Replaces the kept copy by the current weights. clone() shares data until a variable is reassigned, so it costs no copy now. */
  private keepWeights(): void {
    this.dropBestWeights();
    this.bestWeights = this.model.getWeights().map((w) => w.clone());
  }

  private dropBestWeights(): void {
    if (this.bestWeights != null) tf.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }
}
