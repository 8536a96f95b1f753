/**
 * Convolution geometry shared by the composite gradient kernels: per-tap input slices, pad/crop
 * and zero insertion, each built from fast wasm kernels. A filter gradient is a sum over filter
 * taps: tap (kh, kw) sees the (padded) input at rows `oh*strideH + kh*dilationH`, columns
 * `ow*strideW + kw*dilationW`. Cutting that grid out of the input once per tap turns the gradient
 * into one matrix product per tap, which the wasm backend runs with XNNPACK.
 */
import * as tf from '@tensorflow/tfjs';
import { WasmKernelScope } from './scope';

type ConvInfo = tf.backend_util.Conv2DInfo;

/**
 * The input rearranged so every tap's grid is a plain (unstrided) slice: channel-first, zero-padded
 * (`padInfo.top/left` before, after up to the last tap and a multiple of the stride), and split into
 * stride phases: shape `[sh*sw*C*N, H'/sh, W'/sw]`, phase (ph, pw) holding rows `ph + sh*i` and
 * columns `pw + sw*j`. Rank-4 transposes only: wasm's are fast, its rank-5/6 ones and its strided
 * slice are 10-20x slower.
 */
export function tapSource(scope: WasmKernelScope, x: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const [n, h, w, c] = x.shape;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rows = roundUp(Math.max(tapExtent(info, 'height'), top + h), sh);
  const cols = roundUp(Math.max(tapExtent(info, 'width'), left + w), sw);
  const padded = padOrCrop(scope, x, [top, rows - top - h], [left, cols - left - w]);
  const channelFirst = scope.transpose(padded, [3, 0, 1, 2]); // [C, N, rows, cols]
  if (padded !== x) scope.free(padded);
  if (sh === 1 && sw === 1) return scope.reshape(channelFirst, [c * n, rows, cols]);
  const split = scope.reshape(channelFirst, [(c * n * rows) / sh, sh, cols / sw, sw]);
  scope.free(channelFirst);
  const phases = scope.transpose(split, [1, 3, 0, 2]); // [sh, sw, C*N*rows/sh, cols/sw]
  scope.free(split);
  return scope.reshape(phases, [sh * sw * c * n, rows / sh, cols / sw]);
}

/** Rows (or columns) of padded input the last tap reaches: (K-1)*dilation + (O-1)*stride + 1. */
export function tapExtent(info: ConvInfo, dim: 'height' | 'width'): number {
  return dim === 'height'
    ? (info.filterHeight - 1) * info.dilationHeight + (info.outHeight - 1) * info.strideHeight + 1
    : (info.filterWidth - 1) * info.dilationWidth + (info.outWidth - 1) * info.strideWidth + 1;
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * The input values tap (kh, kw) multiplies, cut from a {@link tapSource} of input `x` (NHWC):
 * shape `[C*N, OH, OW]`, i.e. a `[C, N*OH*OW]` matrix after a (free) reshape.
 */
export function tapSlice(
  scope: WasmKernelScope,
  source: tf.TensorInfo,
  xShape: number[],
  kh: number,
  kw: number,
  info: ConvInfo,
): tf.TensorInfo {
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const block = xShape[0] * xShape[3]; // N*C rows per phase
  const row = kh * info.dilationHeight;
  const col = kw * info.dilationWidth;
  const phase = (row % sh) * sw + (col % sw);
  const [blocks, rows, cols] = source.shape;
  if (blocks === block && rows === info.outHeight && cols === info.outWidth) {
    return scope.reshape(source, source.shape); // 1x1 stride-1 'valid': the whole input, no copy
  }
  return scope.run(
    'Slice',
    { x: source },
    {
      begin: [phase * block, Math.floor(row / sh), Math.floor(col / sw)],
      size: [block, info.outHeight, info.outWidth],
    },
  );
}

/**
 * Pads (positive amounts) or crops (negative amounts) the H and W axes of an NHWC tensor:
 * `[before, after]` per axis.
 */
export function padOrCrop(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  height: [number, number],
  width: [number, number],
): tf.TensorInfo {
  let out = x;
  if (Math.min(height[0], height[1], width[0], width[1]) < 0) {
    const [n, h, w, c] = x.shape;
    const top = Math.max(0, -height[0]);
    const left = Math.max(0, -width[0]);
    const size = [n, h - top - Math.max(0, -height[1]), w - left - Math.max(0, -width[1]), c];
    out = scope.run('Slice', { x }, { begin: [0, top, left, 0], size });
  }
  const pads = [height[0], height[1], width[0], width[1]].map((p) => Math.max(0, p));
  if (pads.some((p) => p > 0)) {
    const padded = scope.run(
      'PadV2',
      { x: out },
      { paddings: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], constantValue: 0 },
    );
    if (out !== x) scope.free(out);
    out = padded;
  }
  return out;
}

/**
 * Inserts `stride - 1` zeros after every row and column of an NHWC tensor (the "transposed" view
 * of a strided convolution): `[N, H, W, C]` becomes `[N, H*sh, W*sw, C]`, value (h, w) moving
 * to (h*sh, w*sw).
 */
export function insertZeros(
  scope: WasmKernelScope,
  x: tf.TensorInfo,
  strideHeight: number,
  strideWidth: number,
): tf.TensorInfo {
  if (strideHeight === 1 && strideWidth === 1) return x;
  const [n, h, w, c] = x.shape;
  const spread = scope.reshape(x, [n, h, 1, w, 1, c]);
  const padded = scope.run(
    'PadV2',
    { x: spread },
    {
      paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]],
      constantValue: 0,
    },
  );
  scope.free(spread);
  const out = scope.reshape(padded, [n, h * strideHeight, w * strideWidth, c]);
  scope.free(padded); // drops one reference; the data lives on in `out`
  return out;
}

/**
 * dy laid out so that a stride-1 'valid' convolution with the spatially flipped filter gives the
 * input gradient: `stride - 1` zeros between its rows and columns (see {@link insertZeros}), then
 * `(K-1)*dilation - padBefore` rows/columns in front and whatever makes the output exactly
 * inHeight x inWidth behind (negative amounts crop). Shared by Conv2D's and DepthwiseConv2D's
 * input gradients.
 */
export function inputGradientSource(scope: WasmKernelScope, dy: tf.TensorInfo, info: ConvInfo): tf.TensorInfo {
  const reachH = (info.filterHeight - 1) * info.dilationHeight;
  const reachW = (info.filterWidth - 1) * info.dilationWidth;
  const spread = insertZeros(scope, dy, info.strideHeight, info.strideWidth);
  const beforeH = reachH - info.padInfo.top;
  const beforeW = reachW - info.padInfo.left;
  const afterH = info.inHeight + reachH - beforeH - spread.shape[1];
  const afterW = info.inWidth + reachW - beforeW - spread.shape[2];
  const padded = padOrCrop(scope, spread, [beforeH, afterH], [beforeW, afterW]);
  if (spread !== dy && padded !== spread) scope.free(spread);
  return padded;
}

/** The four dimensions of a rank-4 shape, typed as tfjs' conv helpers expect. */
export function shape4(shape: number[]): [number, number, number, number] {
  return [shape[0], shape[1], shape[2], shape[3]];
}
