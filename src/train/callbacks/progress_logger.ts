/**
 * ProgressLogger: text progress for terminals and notebook logs, one line per epoch with its
 * metrics and seconds; on a TTY also a batch counter rewritten in place during the epoch.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProgressStream } from '../../notebook';
import type { TrainingContext, TrainingContextAware } from '../context';
import { formatLogs, resolveLogs, type UnresolvedLogs } from '../logs';


/** Options of {@link ProgressLogger}. */
export interface ProgressLoggerArgs {
  /** Output: anything with `write(text)` and `isTTY` (tests pass a fake). Default `process.stdout`. */
  stream?: ProgressStream;
  /** Show the in-place batch counter. Default: only when the stream is a TTY. */
  batchCounter?: boolean;
  /** Metrics to print, in this order. Default: every metric in the logs. */
  metrics?: string[];
  /** Least milliseconds between two batch-counter updates. Default 100. */
  updateEveryMs?: number;
}

/**
 * Prints `Epoch 3/10 - 4.2s - loss: 0.4321 - acc: 0.8500 - val_loss: ... - val_acc: ...`
 * after each epoch (epochs counted from 1), and while an epoch runs on a terminal,
 * `Epoch 3/10 - batch 12/40 - loss: 0.4410` rewritten in place.
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
  private lastUpdate = 0;
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
    this.lastUpdate = 0;
  }

  override async onBatchEnd(batch: number, logs?: UnresolvedLogs): Promise<void> {
    if (!this.batchCounter) return;
    this.batchesThisEpoch = batch + 1;
    const now = Date.now();
    if (now - this.lastUpdate < this.updateEveryMs) return;
    this.lastUpdate = now;
    const values = await resolveLogs(logs);
    const steps = this.steps();
    const counter = `batch ${batch + 1}/${steps ?? '?'}`;
    const metrics = formatLogs(values, this.metrics?.filter((k) => !k.startsWith('val_')));
    this.stream.write(`\r\x1b[K${this.epochLabel()} - ${counter}${metrics ? ` - ${metrics}` : ''}`);
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
