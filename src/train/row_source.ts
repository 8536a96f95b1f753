/**
 * Training rows that are not one tensor: `fit` draws each batch from a RowSource (e.g. the
 * host-memory `FeatureRows` of src/transfer), so data larger than the backend's tensor memory
 * can still be trained on, with the same batches as the equivalent tensor.
 */
import * as tf from '@tensorflow/tfjs';

/** Something `fit` can draw batches of rows from without holding them as one tensor (see {@link FeatureRows}). */
export interface RowSource {
  /** Number of rows. */
  readonly rows: number;
  /** Shape of one row, e.g. [14, 14, 384]. */
  readonly rowShape: number[];
  /** A new tensor [indices.length, ...rowShape] holding those rows in that order; the caller disposes it. */
  gather(indices: number[]): tf.Tensor;
}

/** True for a {@link RowSource} (rows in batches), false for a tensor or a tensor list. */
export function isRowSource(x: unknown): x is RowSource {
  return x != null && typeof x === 'object' && !(x instanceof tf.Tensor) && typeof (x as RowSource).gather === 'function' && typeof (x as RowSource).rows === 'number';
}
