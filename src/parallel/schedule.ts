/**
 * Pure helpers of the parallel extraction: cutting the work into batches and putting the answers
 * back together in input order. Batches are the unit of work whatever the number of workers, so a
 * batch is computed with the same shapes (and the same bits) by 1 worker or by 8.
 */
import { DataError } from '../errors';

/**
 * Splits `items` into consecutive batches of `size` (the last one may be shorter).
 *
 * @example
 * chunk(['a', 'b', 'c'], 2); // [['a', 'b'], ['c']]
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new DataError(`chunk(): size must be a whole number >= 1, received ${JSON.stringify(size)}.`);
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One batch's output as plain data (the shape starts with the batch's row count). */
export interface OutputPart {
  data: Float32Array;
  shape: number[];
}

/**
 * Concatenates batch outputs along the first axis, in the order given. Throws a DataError when
 * the parts disagree on the per-row shape or a part's data does not match its shape.
 */
export function concatParts(parts: readonly OutputPart[]): OutputPart {
  if (parts.length === 0) throw new DataError('concatParts(): no parts to concatenate (received an empty list).');
  const rowShape = parts[0].shape.slice(1);
  let rows = 0;
  let total = 0;
  parts.forEach((p, i) => {
    const same = p.shape.length === rowShape.length + 1 && p.shape.slice(1).every((d, j) => d === rowShape[j]);
    if (!same) {
      throw new DataError(`concatParts(): part ${i} has shape [${p.shape.join(', ')}], expected [n, ${rowShape.join(', ')}].`);
    }
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (p.data.length !== size) {
      throw new DataError(`concatParts(): part ${i} has ${p.data.length} values for shape [${p.shape.join(', ')}] (${size} expected).`);
    }
    rows += p.shape[0];
    total += size;
  });
  const data = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, shape: [rows, ...rowShape] };
}
