/**
 * ModelCheckpoint: saves the model (or only its weights) to a folder at the end of epochs,
 * optionally only when the monitored metric improved, together with the training state that
 * `fit({resumeFrom})` needs to continue an interrupted run. Keras' ModelCheckpoint, for tfjs.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../../errors';
import type { TrainingContext, TrainingContextAware } from '../context';
import { cloneHistory, createHistory, recordEpoch, type TrainingHistory } from '../history';
import { resolveLogs, type UnresolvedLogs } from '../logs';
import { MetricMonitor, type MonitorMode } from '../monitor';
import { optimizerState, saveModelToDir } from '../save';

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointArgs {
  /**
   * Folder to save into (model.json + weights.bin + training_state.json). May contain Keras-style
   * placeholders filled from the epoch (counted from 1) and the logs: `{epoch}`, `{epoch:02d}`,
   * `{val_loss:.4f}`. Required.
   */
  filepath: string;
  /** Metric that decides "best", e.g. 'val_loss' or 'val_acc'. Default 'val_loss'. */
  monitor?: string;
  /** Save only when the monitored metric improved on the best so far. Default false (save every epoch). */
  saveBestOnly?: boolean;
  /** 'min', 'max', or 'auto' ('max' for accuracy-like names, else 'min'). Default 'auto'. */
  mode?: MonitorMode;
  /** Save only the weights (weights.json + weights.bin) instead of the whole model. Default false. */
  saveWeightsOnly?: boolean;
  /** Best value to beat before the first save with saveBestOnly. Default none (the first epoch is saved). */
  initialValueThreshold?: number;
  /** 0: silent; 1: one line per epoch saying what was saved or why not. Default 0. */
  verbose?: 0 | 1;
}

/**
 * Saves checkpoints during training. `best` restarts at train begin (so one instance can be
 * reused), except when `fit` resumes from a checkpoint that monitored the same metric: then the
 * stored best carries on, so a resumed run never overwrites a better checkpoint with a worse one.
 *
 * @example
 * const checkpoint = new ModelCheckpoint({ filepath: 'build/checkpoints/flowers', monitor: 'val_acc', saveBestOnly: true });
 * await fit(model, train, { epochs: 20, validationData: val, callbacks: [checkpoint] });
 */
export class ModelCheckpoint extends tf.Callback implements TrainingContextAware {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly verbose: 0 | 1;
  readonly initialValueThreshold?: number;
  /** Best monitored value so far in this run (±Infinity before the first value). */
  best: number;
  /** Folder and 0-based epoch of the last save in this run, if any. */
  lastSaved?: { dir: string; epoch: number };
  private readonly metric: MetricMonitor;
  private context?: TrainingContext;
  private history: TrainingHistory = createHistory();

  constructor(args: ModelCheckpointArgs) {
    super();
    if (args == null || typeof args.filepath !== 'string' || args.filepath.length === 0) {
      throw new TrainError(
        `ModelCheckpoint: option filepath must be a folder path such as 'build/checkpoints/run1', got ${JSON.stringify(args?.filepath)}.`,
      );
    }
    this.filepath = args.filepath;
    this.monitor = args.monitor ?? 'val_loss';
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveWeightsOnly = args.saveWeightsOnly ?? false;
    this.verbose = args.verbose ?? 0;
    this.initialValueThreshold = args.initialValueThreshold;
    this.metric = new MetricMonitor('ModelCheckpoint', this.monitor, args.mode ?? 'auto');
    this.best = this.metric.worst();
  }

  /** 'min' or 'max' after resolving mode 'auto'. */
  get mode(): 'min' | 'max' {
    return this.metric.direction;
  }

  /** Called by `fit`: earlier epochs to store with each checkpoint, and the resumed state if any. */
  setTrainingContext(context: TrainingContext | undefined): void {
    this.context = context;
  }

  override async onTrainBegin(): Promise<void> {
    this.metric.reset();
    this.lastSaved = undefined;
    this.history = this.context != null ? cloneHistory(this.context.history) : createHistory();
    const resumed = this.context?.resumed?.state;
    if (resumed != null && resumed.monitor === this.monitor && resumed.mode === this.mode && resumed.best != null) {
      this.best = resumed.best;
    } else {
      this.best = this.initialValueThreshold ?? this.metric.worst();
    }
  }

  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    const values = await resolveLogs(logs);
    recordEpoch(this.history, epoch, values);
    const dir = formatFilepath(this.filepath, epoch, values);
    const where = `Epoch ${epoch + 1}: `;
    if (this.saveBestOnly) {
      const current = this.metric.read(values, epoch);
      if (current === undefined) return;
      if (!this.metric.isImprovement(current, this.best)) {
        if (this.verbose > 0) console.log(`${where}${this.monitor} did not improve from ${fmt(this.best)}`);
        return;
      }
      if (this.verbose > 0) {
        console.log(`${where}${this.monitor} improved from ${fmt(this.best)} to ${fmt(current)}, saving ${this.what()} to ${dir}`);
      }
      this.best = current;
    } else {
      // Keep `best` up to date for training_state.json, without warning when the metric is absent.
      const current = values[this.monitor];
      if (typeof current === 'number' && this.metric.isImprovement(current, this.best)) this.best = current;
      if (this.verbose > 0) console.log(`${where}saving ${this.what()} to ${dir}`);
    }
    await saveModelToDir(this.model, dir, {
      weightsOnly: this.saveWeightsOnly,
      state: {
        epoch,
        monitor: this.monitor,
        mode: this.mode,
        best: Number.isFinite(this.best) ? this.best : null,
        history: cloneHistory(this.history),
        optimizer: optimizerState(this.model),
      },
    });
    this.lastSaved = { dir: path.resolve(dir), epoch };
  }

  override async onTrainEnd(): Promise<void> {
    // The context belongs to one fit call; a later plain model.fit must not reuse it.
    this.context = undefined;
  }

  private what(): string {
    return this.saveWeightsOnly ? 'weights' : 'model';
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(5) : String(v);
}

/**
 * Fills Keras-style placeholders in a checkpoint path: `{epoch}` (counted from 1), `{epoch:02d}`,
 * `{val_loss:.4f}`, `{acc}`.
 * @throws TrainError when a placeholder names a metric that is not in the logs.
 */
export function formatFilepath(template: string, epoch: number, logs: Record<string, number>): string {
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (_, name: string, spec: string | undefined) => {
    const value = name === 'epoch' ? epoch + 1 : logs[name];
    if (typeof value !== 'number') {
      throw new TrainError(
        `ModelCheckpoint: filepath '${template}' uses {${name}} but the logs of epoch ${epoch + 1} only have ` +
          `${Object.keys(logs).join(', ') || '(nothing)'}; use {epoch} or one of those.`,
      );
    }
    const int = spec != null ? /^(0?)(\d+)d$/.exec(spec) : null;
    if (int != null) return String(Math.round(value)).padStart(Number(int[2]), int[1] === '0' ? '0' : ' ');
    const fixed = spec != null ? /^\.(\d+)f$/.exec(spec) : null;
    if (fixed != null) return value.toFixed(Number(fixed[1]));
    return String(value);
  });
}
