/**
 * One training history across several `fit` calls: a feature-extraction phase followed by a
 * fine-tuning phase becomes one `{epoch, history, phases}` whose epoch numbers keep counting.
 */
import type { HistoryLike } from '../viz';

/** Where one phase of training (one `fit` call, e.g. 'feature extraction', 'fine-tune') starts. */
export interface TrainingPhase {
  /** Name shown in messages and plots, e.g. 'train' or 'fine-tune'. */
  name: string;
  /** 0-based index of the phase's first epoch (as in `TrainingHistory.epoch`). */
  startEpoch: number;
}

/**
 * A Keras-style history (`epoch` holds 0-based epoch indices, `history[metric][i]` the value at
 * `epoch[i]`) plus the phases it was trained in. Compatible with `HistoryLike` from src/viz.
 * A metric missing in some epochs (e.g. `val_acc` in a phase without validation) holds NaN there,
 * so every array has one value per epoch.
 */
export interface TrainingHistory extends HistoryLike {
  epoch: number[];
  history: Record<string, number[]>;
  phases: TrainingPhase[];
}

/** An empty history with no phases. */
export function createHistory(): TrainingHistory {
  return { epoch: [], history: {}, phases: [] };
}

/**
 * Copies any history-like value (what `model.fit` or our `fit` returned, or JSON read back from
 * `training_state.json`, where NaN was stored as null) into a fresh `TrainingHistory`.
 * A history without phases gets one phase 'train' starting at its first epoch.
 */
export function toTrainingHistory(source?: HistoryLike & { phases?: TrainingPhase[] }): TrainingHistory {
  const out = createHistory();
  if (source == null) return out;
  out.epoch = [...source.epoch];
  for (const [key, values] of Object.entries(source.history)) {
    // JSON has no NaN: values saved as null come back as null.
    out.history[key] = values.map((v) => (typeof v === 'number' ? v : Number.NaN));
  }
  if (source.phases != null && source.phases.length > 0) {
    out.phases = source.phases.map((p) => ({ name: p.name, startEpoch: p.startEpoch }));
  } else if (out.epoch.length > 0) {
    out.phases = [{ name: 'train', startEpoch: out.epoch[0] }];
  }
  return out;
}

/** The epoch index the next `fit` call should start at: one past the last recorded epoch. */
export function nextEpoch(history: HistoryLike): number {
  return history.epoch.length === 0 ? 0 : history.epoch[history.epoch.length - 1] + 1;
}

/**
 * Appends one epoch's metric values in place. Metrics seen for the first time are back-filled
 * with NaN; metrics absent this epoch get NaN, so all arrays stay aligned with `epoch`.
 * Recording the same epoch index again replaces the old values (a resumed run redoes an epoch).
 */
export function recordEpoch(history: TrainingHistory, epoch: number, logs: Record<string, number>): void {
  const existing = history.epoch.indexOf(epoch);
  if (existing >= 0) {
    for (const key of Object.keys(logs)) {
      if (history.history[key] == null) history.history[key] = history.epoch.map(() => Number.NaN);
      history.history[key][existing] = logs[key];
    }
    return;
  }
  const n = history.epoch.length;
  history.epoch.push(epoch);
  for (const key of Object.keys(logs)) {
    if (history.history[key] == null) history.history[key] = new Array<number>(n).fill(Number.NaN);
  }
  for (const [key, values] of Object.entries(history.history)) {
    values.push(key in logs ? logs[key] : Number.NaN);
  }
}

/** A copy holding only the epochs before `endEpoch` (0-based, exclusive), and their phases. */
export function truncateHistory(history: TrainingHistory, endEpoch: number): TrainingHistory {
  const keep = history.epoch.map((e) => e < endEpoch);
  const out = createHistory();
  out.epoch = history.epoch.filter((_, i) => keep[i]);
  for (const [key, values] of Object.entries(history.history)) {
    out.history[key] = values.filter((_, i) => keep[i]);
  }
  out.phases = history.phases.filter((p) => p.startEpoch < endEpoch).map((p) => ({ ...p }));
  return out;
}

/**
 * Marks the start of a phase in place, unless the last phase already has this name (a resumed
 * run continues its phase instead of starting a new one).
 */
export function startPhase(history: TrainingHistory, name: string, startEpoch: number): void {
  const last = history.phases[history.phases.length - 1];
  if (last != null && last.name === name) return;
  history.phases.push({ name, startEpoch });
}

/**
 * 1-based number of the first epoch of the last phase when there is more than one phase (what
 * `trainingCurvesFigure`'s `fineTuneEpoch` expects); undefined for a single-phase history.
 */
export function fineTuneEpoch(history: TrainingHistory): number | undefined {
  if (history.phases.length < 2) return undefined;
  return history.phases[history.phases.length - 1].startEpoch + 1;
}

/**
 * `earlier` up to where `later` begins, then all of `later` (a copy; inputs are not changed).
 * Used when a resumed checkpoint's history does not include the phases before it.
 */
export function mergeHistories(earlier: TrainingHistory, later: TrainingHistory): TrainingHistory {
  if (later.epoch.length === 0) return cloneHistory(earlier);
  const out = truncateHistory(earlier, later.epoch[0]);
  for (let i = 0; i < later.epoch.length; i++) {
    const logs: Record<string, number> = {};
    for (const [key, values] of Object.entries(later.history)) logs[key] = values[i];
    recordEpoch(out, later.epoch[i], logs);
  }
  for (const phase of later.phases) {
    if (!out.phases.some((p) => p.startEpoch === phase.startEpoch)) out.phases.push({ ...phase });
  }
  out.phases.sort((a, b) => a.startEpoch - b.startEpoch);
  return out;
}

/** A deep copy (so a callback can keep recording without changing the caller's object). */
export function cloneHistory(history: TrainingHistory): TrainingHistory {
  return {
    epoch: [...history.epoch],
    history: Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, [...v]])),
    phases: history.phases.map((p) => ({ ...p })),
  };
}
