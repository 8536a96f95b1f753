/**
 * LivePlot: the training curves (loss, accuracy, with validation) redrawn in place after every
 * epoch, so every notebook shows training the same way. When `fit` continues an earlier history
 * (feature extraction, then fine-tuning) the earlier epochs are drawn too, with a marker where
 * fine-tuning starts. One instance passed to both phases (as `trainClassifier` does with its
 * `callbacks`) keeps drawing into its one chart instead of starting a second one.
 */
import * as tf from '@tensorflow/tfjs';
import { createDisplay } from '../../notebook';
import { trainingCurvesFigure } from '../../viz';
import type { TrainingContext, TrainingContextAware } from '../context';
import { cloneHistory, createHistory, fineTuneEpoch, recordEpoch, type TrainingHistory } from '../history';
import { resolveLogs, type UnresolvedLogs } from '../logs';

/** Anything that can replace its output in place (a `createDisplay()` display, or a fake in tests). */
export interface LiveDisplayLike {
  update(x: unknown): void;
  /** Called at train end when present (outside a notebook it writes the final figure to an HTML file). */
  close?(): unknown;
}

/** Options of {@link LivePlot}. */
export interface LivePlotArgs {
  /**
   * Where to draw. Default: a new `createDisplay()` from src/notebook at train begin, except when
   * this fit continues the history this same LivePlot drew (the next phase): then it keeps drawing
   * into the chart it already has.
   */
  display?: LiveDisplayLike;
  /** Chart title. Default 'Training curves'. */
  title?: string;
  /** 1-based epoch where fine-tuning starts. Default: the start of the last phase when the history has more than one. */
  fineTuneEpoch?: number;
}

/**
 * Draws `trainingCurvesFigure` (src/viz) after each epoch into one display that updates in place.
 *
 * @example await fit(model, train, { epochs: 10, validationData: val, history: frozenHistory, callbacks: [new LivePlot()] });
 */
export class LivePlot extends tf.Callback implements TrainingContextAware {
  /** Everything drawn so far: the earlier phases from `fit`, then this run's epochs. */
  history: TrainingHistory = createHistory();
  private readonly args: LivePlotArgs;
  private context?: TrainingContext;
  private display?: LiveDisplayLike;
  /** The chart of the last run, kept after train end for a next phase that continues it. */
  private lastDisplay?: LiveDisplayLike;

  constructor(args: LivePlotArgs = {}) {
    super();
    this.args = args;
  }

  /** Called by `fit`: the earlier history to continue drawing. */
  setTrainingContext(context: TrainingContext | undefined): void {
    this.context = context;
  }

  override async onTrainBegin(): Promise<void> {
    const earlier = this.context?.history;
    const continuesChart = this.lastDisplay !== undefined && earlier !== undefined && continuesHistory(earlier, this.history);
    this.history = earlier !== undefined ? cloneHistory(earlier) : createHistory();
    this.display = this.args.display ?? (continuesChart ? this.lastDisplay : createDisplay());
  }

  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    recordEpoch(this.history, epoch, await resolveLogs(logs));
    const figure = trainingCurvesFigure(this.history, {
      fineTuneEpoch: this.args.fineTuneEpoch ?? fineTuneEpoch(this.history),
      title: this.args.title,
    });
    this.display?.update(figure);
  }

  override async onTrainEnd(): Promise<void> {
    this.display?.close?.();
    this.lastDisplay = this.display;
    this.display = undefined;
    this.context = undefined;
  }
}

/**
 * True when `next` (the history a new fit starts from) begins with every epoch `drawn` holds:
 * the new fit is the next phase of the run this plot drew, not an unrelated one.
 */
function continuesHistory(next: TrainingHistory, drawn: TrainingHistory): boolean {
  const n = drawn.epoch.length;
  if (n === 0 || next.epoch.length < n) return false;
  if (drawn.epoch.some((e, i) => next.epoch[i] !== e)) return false;
  return Object.entries(drawn.history).every(([metric, values]) => values.every((v, i) => Object.is(next.history[metric]?.[i], v)));
}
