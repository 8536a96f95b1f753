/**
 * Reads and checks the attributes of the convolution gradient kernels. tfjs hands kernels an
 * untyped attribute map; checking it here gives a clear error instead of a wrong gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError, TransferLabError } from '../../errors';

type Pair = number | [number, number];
type Padding = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

/** The convolution attributes the gradient kernels use. */
export interface ConvAttrs {
  /** Stride per spatial axis (one number for both). */
  strides: Pair;
  /** Dilation per spatial axis; 1 when the kernel has no `dilations` attr. */
  dilations: Pair;
  /** 'same', 'valid', one number for all sides, or explicit NHWC `[[0,0],[t,b],[l,r],[0,0]]`. */
  pad: Padding;
  /** Rounding of output sizes for a numeric `pad`; tfjs' default (truncation) when absent. */
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Reads strides, dilations, pad and dimRoundingMode, and refuses a data format other than NHWC
 * (the only layout XNNPACK and these kernels handle).
 */
export function readConvAttrs(kernelName: string, attrs: tf.NamedAttrMap | undefined): ConvAttrs {
  const map = attrs ?? {};
  const dataFormat = map.dataFormat;
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new ModelError(
      `${kernelName} (transfer-lab wasm kernel) does not support dataFormat '${String(dataFormat)}'. ` +
        `Please use 'channelsLast' (NHWC) in the layer, or train on the 'cpu' backend.`,
    );
  }
  const rounding = map.dimRoundingMode;
  if (rounding != null && !isRounding(rounding)) {
    throw badAttr(kernelName, 'dimRoundingMode', rounding, "'floor', 'round' or 'ceil'");
  }
  return {
    strides: readPair(kernelName, map, 'strides', undefined),
    dilations: readPair(kernelName, map, 'dilations', 1),
    pad: readPad(kernelName, map.pad),
    dimRoundingMode: rounding == null ? undefined : rounding,
  };
}

/** Reads a rank-4 shape attribute such as `filterShape` or `inputShape`. */
export function readShapeAttr(kernelName: string, attrs: tf.NamedAttrMap | undefined, key: string): Shape4 {
  const value = attrs?.[key];
  if (isIntArray(value, 4)) return [value[0], value[1], value[2], value[3]];
  throw badAttr(kernelName, key, value, 'four positive integers');
}

function readPair(kernelName: string, map: tf.NamedAttrMap, key: string, fallback: Pair | undefined): Pair {
  const value = map[key];
  if (value == null && fallback !== undefined) return fallback;
  if (isPositiveInt(value)) return value;
  if (isIntArray(value, 2)) return [value[0], value[1]];
  throw badAttr(kernelName, key, value, 'a positive integer or two of them');
}

function readPad(kernelName: string, value: tf.NamedAttrMap[string] | undefined): Padding {
  if (isOneOf(value, ['same', 'valid'] as const)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (Array.isArray(value) && value.length === 4) {
    const rows = value.map((row) => (isIntArray(row, 2, 0) ? row : null));
    if (rows.every((row) => row !== null)) {
      const [a, b, c, d] = rows as number[][];
      return [[a[0], a[1]], [b[0], b[1]], [c[0], c[1]], [d[0], d[1]]];
    }
  }
  throw badAttr(kernelName, 'pad', value, "'same', 'valid', a number or [[0,0],[t,b],[l,r],[0,0]]");
}

function isRounding(value: unknown): value is 'floor' | 'round' | 'ceil' {
  return isOneOf(value, ['floor', 'round', 'ceil'] as const);
}

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === 'string' && (options as readonly string[]).includes(value);
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function isIntArray(value: unknown, length: number, min = 1): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min)
  );
}

function badAttr(kernelName: string, key: string, value: unknown, expected: string): TransferLabError {
  return new TransferLabError(
    `${kernelName} (transfer-lab wasm kernel): attr '${key}' must be ${expected}, got ` +
      `${JSON.stringify(value)}. This is a tfjs-internal call; please report it.`,
  );
}
