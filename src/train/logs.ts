/**
 * Epoch and batch logs as tfjs hands them to callbacks: values are numbers or scalar tensors
 * (tfjs keeps metric values on the backend until someone reads them).
 */
import * as tf from '@tensorflow/tfjs';

/** What tfjs passes to `onEpochEnd` / `onBatchEnd`: metric name -> number or scalar tensor. */
export type UnresolvedLogs = Record<string, number | tf.Scalar>;

/**
 * Reads every scalar tensor in `logs` into a number, in place, and disposes the tensor (the
 * same thing tfjs' own EarlyStopping does, so later callbacks and the History see numbers and
 * no scalar outlives its epoch). Returns the values as a plain record. Safe to call twice.
 */
export async function resolveLogs(logs?: UnresolvedLogs): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (logs == null) return out;
  const pending: Promise<void>[] = [];
  for (const key of Object.keys(logs)) {
    const value = logs[key];
    if (typeof value === 'number') {
      out[key] = value;
    } else {
      pending.push(
        value.data().then((data) => {
          out[key] = data[0];
          logs[key] = data[0];
          value.dispose();
        }),
      );
    }
  }
  await Promise.all(pending);
  // Keep the key order of the logs (loss before acc) for printing.
  return Object.fromEntries(Object.keys(logs).filter((k) => k in out).map((k) => [k, out[k]]));
}

/**
 * `loss: 0.4321 - acc: 0.8500 - val_loss: ...` for the given keys; default all but batch
 * bookkeeping, in Keras' order: training metrics, then val_*, then anything else (learning_rate).
 */
export function formatLogs(logs: Record<string, number>, keys?: string[]): string {
  const rank = (k: string): number => (k === 'learning_rate' || k === 'lr' ? 2 : k.startsWith('val_') ? 1 : 0);
  const shown =
    keys ??
    Object.keys(logs)
      .filter((k) => k !== 'batch' && k !== 'size')
      .sort((a, b) => rank(a) - rank(b));
  return shown
    .filter((k) => k in logs)
    .map((k) => `${k}: ${formatValue(logs[k])}`)
    .join(' - ');
}

/** 4 decimals for ordinary values, exponent notation for tiny ones such as learning rates. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return v.toFixed(4);
}
