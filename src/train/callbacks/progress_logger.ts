/**
 * ProgressLogger: text progress for terminals and notebook logs, one line per epoch with its
 * metrics and seconds (the training log, as Keras' verbose=2); on a TTY also the epoch's batches
 * as a bar rewritten in place, drawn by the library's one progress renderer (notebook/progress.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { ProgressBar, type ProgressStream } from '../../notebook/progress';
import type { TrainingContext, TrainingContextAware } from '../context';
import { formatLogs, resolveLogs, type UnresolvedLogs } from '../logs';


/** Options of {@link ProgressLogger}. */
export interface ProgressLoggerArgs {
  /** Output: anything with `write(text)` and `isTTY` (tests pass a fake). Default `process.stdout`. */
  stream?: ProgressStream;
  /** Show the in-place batch bar. Default: only when the stream is a TTY. */
  batchCounter?: boolean;
  /** Metrics to print, in this order. Default: every metric in the logs. */
  metrics?: string[];
  /** Least milliseconds between two batch-bar updates. Default 100. */
  updateEveryMs?: number;
}

/**
 * Prints `Epoch 3/10 - 4.2s - loss: 0.4321 - acc: 0.8500 - val_loss: ... - val_acc: ...`
 * after each epoch (epochs counted from 1), and while an epoch runs on a terminal,
 * `Epoch 3/10 [#########---------] 12/40 30% 1.2s<2.8s loss: 0.4410` rewritten in place (the
 * batches of the first epoch of a dataset of unknown length are not counted yet: no bar then).
 *
 * @example await fit(model, train, { epochs: 5, callbacks: [new ProgressLogger()], verbose: 0 });
 */
export class ProgressLogger extends tf.Callback implements TrainingContextAware {
  private readonly stream: ProgressStream;
  private readonly batchCounter: boolean;
  private readonly metrics?: string[];
  private readonly updateEveryMs: number;
  private context?: TrainingContext;
  private epochStart = 0;
  private bar?: ProgressBar;
  private lineOpen = false;
  private stepsSeen?: number;
  private batchesThisEpoch = 0;
  private currentEpoch = 0;

  constructor(args: ProgressLoggerArgs = {}) {
    super();
    this.stream = args.stream ?? process.stdout;
    this.batchCounter = args.batchCounter ?? this.stream.isTTY === true;
    this.metrics = args.metrics;
    this.updateEveryMs = args.updateEveryMs ?? 100;
  }

  /** Called by `fit`: gives the batches per epoch when tfjs does not know them yet (datasets). */
  setTrainingContext(context: TrainingContext | undefined): void {
    this.context = context;
  }

  override async onTrainBegin(): Promise<void> {
    this.stepsSeen = undefined;
    this.lineOpen = false;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.currentEpoch = epoch;
    this.batchesThisEpoch = 0;
    this.epochStart = Date.now();
    this.bar = undefined;
  }

  override async onBatchEnd(batch: number, logs?: UnresolvedLogs): Promise<void> {
    if (!this.batchCounter) return;
    this.batchesThisEpoch = batch + 1;
    const steps = this.steps();
    if (steps === undefined) return;
    // 'tty' mode: the bar rewrites one line with \r; onEpochEnd overwrites it with the epoch line.
    this.bar ??= new ProgressBar({ total: steps, label: this.epochLabel(), stream: this.stream, mode: 'tty', minIntervalMs: this.updateEveryMs });
    const values = await resolveLogs(logs);
    const metrics = formatLogs(values, this.metrics?.filter((k) => !k.startsWith('val_')));
    // update, never done(): done would end the line that the epoch line replaces. The first update always draws.
    this.bar.update(Math.min(batch + 1, steps), metrics);
    this.lineOpen = true;
  }

  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    if (this.batchesThisEpoch > 0) this.stepsSeen = this.batchesThisEpoch;
    const values = await resolveLogs(logs);
    const seconds = ((Date.now() - this.epochStart) / 1000).toFixed(1);
    const metrics = formatLogs(values, this.metrics);
    const clear = this.lineOpen ? '\r\x1b[K' : '';
    this.lineOpen = false;
    this.stream.write(`${clear}${this.epochLabel(epoch)} - ${seconds}s${metrics ? ` - ${metrics}` : ''}\n`);
  }

  override async onTrainEnd(): Promise<void> {
    if (this.lineOpen) this.stream.write('\n');
    this.lineOpen = false;
    this.context = undefined;
  }

  private epochLabel(epoch = this.currentEpoch): string {
    const total = typeof this.params.epochs === 'number' ? `/${this.params.epochs}` : '';
    return `Epoch ${epoch + 1}${total}`;
  }

  /** Batches per epoch: from tfjs' params, else from fit's context, else the batches counted in the previous epoch. */
  private steps(): number | undefined {
    const { steps, samples, batchSize } = this.params;
    if (typeof steps === 'number' && steps > 0) return steps;
    if (typeof samples === 'number' && typeof batchSize === 'number' && batchSize > 0) return Math.ceil(samples / batchSize);
    return this.context?.stepsPerEpoch ?? this.stepsSeen;
  }
}
