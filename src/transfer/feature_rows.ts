/**
 * Feature rows kept in host memory (JS Float32Arrays, one part per pass over the data), outside
 * the backend's tensor memory, and handed to training one batch at a time.
 *
 * Why: the wasm backend keeps every tensor in ONE WebAssembly heap, and a wasm32 heap ends at
 * 4 GiB. Cut activations are large (MobileNet 0.75 at conv_pw_11: 14x14x384 floats, 294 KiB per
 * photo): 2,000 photos with 2 augmented copies make 5,997 rows, 1.68 GiB in one tensor, and
 * concatenating them next to the passes themselves asks the heap for ~3.4 GiB at once. tfjs-backend-wasm
 * does not check its malloc, so that failure surfaced as `RangeError: Invalid typed array length:
 * 451358208` inside tf.concat. Kept here, the passes cost host memory only (a typed array may hold
 * 2^32 floats) and the heap holds one batch; the batches are the ones one big tensor would give.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { DataError, MemoryLimitError } from '../errors';
import type { RowSource } from '../train/row_source';

/** Most bytes a wasm32 heap can address: every tensor of the wasm backend lives in it. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/**
 * Largest single feature tensor the library builds by default: a quarter of the wasm heap, so
 * that the validation set, the model, its gradients and a batch still fit beside it (and a
 * concatenation, which needs its inputs and its output at once, has room).
 */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 30;

/** "1.68 GiB" / "412.0 MiB". */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Throws a MemoryLimitError when a float32 tensor of `shape` would exceed `maxBytes`; `what`
 * names the tensor and `instead` says what to do, both for the message.
 */
export function checkTensorBytes(caller: string, what: string, shape: number[], maxBytes: number, instead: string): void {
  const bytes = shape.reduce((a, b) => a * b, 1) * 4;
  if (bytes > maxBytes) {
    throw new MemoryLimitError(
      `${caller}: ${what} would be one tensor of shape [${shape.join(', ')}], ${formatBytes(bytes)}, over the limit of ` +
        `${formatBytes(maxBytes)} (maxTensorBytes; the wasm backend's whole heap is ${formatBytes(WASM_HEAP_BYTES)}). ${instead}`,
    );
  }
}

/** One pass's rows: `rows` rows of `rowShape`, row-major. */
export interface RowPart {
  data: Float32Array;
  rows: number;
}

/**
 * Rows of features in several host-memory parts (e.g. the plain pass and each augmented copy),
 * read as if they were one array: row i of the whole is row i - (rows before) of its part.
 *
 * @example
 * const rows = new FeatureRows([{ data: plain, rows: 2000 }, { data: copy1, rows: 2000 }], [14, 14, 384]);
 * const batch = rows.gather([0, 2500, 17]); // [3, 14, 14, 384], only these rows in the heap
 */
export class FeatureRows implements RowSource {
  readonly rows: number;
  readonly rowShape: number[];
  readonly parts: readonly RowPart[];
  private readonly rowSize: number;
  private readonly starts: number[];

  constructor(parts: RowPart[], rowShape: number[]) {
    this.rowShape = [...rowShape];
    this.rowSize = rowShape.reduce((a, b) => a * b, 1);
    this.parts = parts;
    this.starts = [];
    let rows = 0;
    for (const [i, p] of parts.entries()) {
      if (p.data.length !== p.rows * this.rowSize) {
        throw new DataError(`FeatureRows: part ${i} has ${p.data.length} values, but ${p.rows} rows of [${rowShape.join(', ')}] need ${p.rows * this.rowSize}.`);
      }
      this.starts.push(rows);
      rows += p.rows;
    }
    this.rows = rows;
  }

  /** The part holding row `row`, and the row's index inside it. */
  private locate(row: number): { part: RowPart; local: number } {
    if (!(Number.isInteger(row) && row >= 0 && row < this.rows)) {
      throw new DataError(`FeatureRows.gather: row ${row} is out of range; there are ${this.rows} rows.`);
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return { part: this.parts[lo], local: row - this.starts[lo] };
  }

  gather(indices: number[]): tf.Tensor {
    const out = new Float32Array(indices.length * this.rowSize);
    indices.forEach((row, i) => {
      const { part, local } = this.locate(row);
      out.set(part.data.subarray(local * this.rowSize, (local + 1) * this.rowSize), i * this.rowSize);
    });
    return tf.tensor(out, [indices.length, ...this.rowShape]);
  }

  /** Rows `from` .. `to` - 1 as one tensor. */
  slice(from: number, to: number): tf.Tensor {
    return this.gather(Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i));
  }

  /**
   * All rows as ONE tensor, refused with a MemoryLimitError naming the size when it would exceed
   * `maxBytes` (default {@link DEFAULT_MAX_TENSOR_BYTES}) instead of failing inside the backend.
   */
  toTensor(options: { maxBytes?: number; caller?: string; what?: string; instead?: string } = {}): tf.Tensor {
    const shape = [this.rows, ...this.rowShape];
    checkTensorBytes(
      options.caller ?? 'FeatureRows.toTensor', options.what ?? `${this.rows} feature rows`, shape,
      options.maxBytes ?? DEFAULT_MAX_TENSOR_BYTES,
      options.instead ?? 'Train from the rows in batches instead: fit(model, {x: rows, y}) accepts a FeatureRows.',
    );
    if (this.parts.length === 1) return tf.tensor(this.parts[0].data, shape);
    const out = new Float32Array(this.rows * this.rowSize);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p.data, offset);
      offset += p.data.length;
    }
    return tf.tensor(out, shape);
  }

  /**
   * `model` applied to every row, `batchSize` rows at a time (only a batch in the backend's
   * memory), as new host rows: e.g. cut activations through the frozen top into pooled features.
   */
  async map(model: tf.LayersModel, batchSize = 64): Promise<FeatureRows> {
    const chunks: Float32Array[] = [];
    let outShape: number[] = [];
    for (let from = 0; from < this.rows; from += batchSize) {
      const x = this.slice(from, Math.min(this.rows, from + batchSize));
      const y = model.predict(x, { batchSize }) as tf.Tensor;
      outShape = y.shape.slice(1);
      chunks.push((await y.data()) as Float32Array);
      tf.dispose([x, y]);
    }
    const data = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      data.set(c, offset);
      offset += c.length;
    }
    return new FeatureRows([{ data, rows: this.rows }], outShape);
  }
}
