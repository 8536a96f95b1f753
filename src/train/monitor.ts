/**
 * The "monitored metric" logic that ModelCheckpoint, EarlyStopping and ReduceLROnPlateau share:
 * which direction is better, what counts as an improvement, and one warning (listing the
 * metrics that do exist) when the monitored one is missing.
 */
import { TrainError } from '../errors';

/** 'min': lower is better; 'max': higher is better; 'auto': decided from the metric's name. */
export type MonitorMode = 'auto' | 'min' | 'max';

/** Metric names that are better when higher (Keras' rule: 'acc' in the name, plus a few more). */
const HIGHER_IS_BETTER = /acc|auc|precision|recall|f1|fmeasure/;

/**
 * Resolves a mode to 'min' or 'max'; 'auto' means 'max' for accuracy-like names (acc, auc,
 * precision, recall, f1) and 'min' otherwise (losses, errors).
 * @throws TrainError when mode is not one of 'auto' | 'min' | 'max'.
 */
export function monitorDirection(monitor: string, mode: string, caller: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') {
    throw new TrainError(
      `${caller}: option mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}. ` +
        `Use 'min' for losses, 'max' for accuracies, or 'auto' to decide from the metric name.`,
    );
  }
  return HIGHER_IS_BETTER.test(monitor) ? 'max' : 'min';
}

/** Keras writes `accuracy`, tfjs logs `acc`: accept either spelling. */
function aliasOf(name: string): string | undefined {
  if (/(^|_)accuracy$/.test(name)) return name.replace(/accuracy$/, 'acc');
  if (/(^|_)acc$/.test(name)) return name.replace(/acc$/, 'accuracy');
  return undefined;
}

/** Reads one monitored metric from epoch logs and compares values, Keras style. */
export class MetricMonitor {
  /** 'min' or 'max' after resolving 'auto'. */
  readonly direction: 'min' | 'max';
  private warned = false;

  /**
   * @param caller class name used in messages, e.g. 'EarlyStopping'.
   * @param monitor metric name as it appears in the logs, e.g. 'val_loss', 'val_acc'.
   * @param mode see {@link MonitorMode}.
   * @param minDelta smallest change that counts as an improvement (absolute value is used).
   */
  constructor(
    readonly caller: string,
    readonly monitor: string,
    mode: MonitorMode = 'auto',
    readonly minDelta = 0,
  ) {
    if (!(typeof monitor === 'string' && monitor.length > 0)) {
      throw new TrainError(`${caller}: option monitor must be a metric name such as 'val_loss', got ${JSON.stringify(monitor)}.`);
    }
    if (!(Number.isFinite(minDelta))) {
      throw new TrainError(`${caller}: option minDelta must be a finite number, got ${minDelta}.`);
    }
    this.minDelta = Math.abs(minDelta);
    this.direction = monitorDirection(monitor, mode, caller);
  }

  /** Forgets that a warning was given (called at train begin, so each run warns at most once). */
  reset(): void {
    this.warned = false;
  }

  /** The value no real metric can be worse than: +Infinity for 'min', -Infinity for 'max'. */
  worst(): number {
    return this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  /**
   * The monitored value in `logs` (also found under its acc/accuracy alias), or undefined after
   * warning once per run with the list of metrics that are available.
   * @param epoch 0-based epoch index, printed counting from 1.
   */
  read(logs: Record<string, number>, epoch: number): number | undefined {
    if (typeof logs[this.monitor] === 'number') return logs[this.monitor];
    const alias = aliasOf(this.monitor);
    if (alias != null && typeof logs[alias] === 'number') return logs[alias];
    if (!this.warned) {
      this.warned = true;
      const available = Object.keys(logs).filter((k) => k !== 'batch' && k !== 'size');
      const hint =
        this.monitor.startsWith('val_') && !available.some((k) => k.startsWith('val_'))
          ? 'Pass validationData (or validationSplit) to fit to get val_* metrics, or monitor one of those.'
          : 'Set monitor to one of those.';
      console.warn(
        `${this.caller}: monitored metric '${this.monitor}' is not in the logs of epoch ${epoch + 1}; ` +
          `available: ${available.length > 0 ? available.join(', ') : '(none)'}. ${hint}`,
      );
    }
    return undefined;
  }

  /**
   * True when `current` beats `reference` by more than minDelta in the monitored direction.
   * An undefined reference is always beaten; NaN never beats anything.
   */
  isImprovement(current: number, reference: number | undefined): boolean {
    if (Number.isNaN(current)) return false;
    if (reference == null) return true;
    return this.direction === 'min' ? current < reference - this.minDelta : current > reference + this.minDelta;
  }
}
