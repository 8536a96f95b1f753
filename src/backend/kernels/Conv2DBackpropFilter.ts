/**
 * `Conv2DBackpropFilter` for the wasm backend: the filter gradient of a 2-D convolution, which
 * @tensorflow/tfjs-backend-wasm 4.22 lacks (so `model.fit` of any Conv2D model fails on wasm).
 *
 * dW[kh, kw, ci, co] = sum over n, oh, ow of x_pad[n, oh*sh + kh, ow*sw + kw, ci] * dy[n, oh, ow, co].
 * For each tap (kh, kw) that is one matrix product `[Cin, P] @ [P, Cout]` (P = N*OH*OW) between
 * the input values under that tap and dy, run by XNNPACK through the wasm `BatchMatMul`.
 * A 1x1 stride-1 convolution is a single product; there the narrower of x and dy is the packed
 * operand (XNNPACK streams the packed matrix once per block of output rows, so packing the wide
 * one made the 1x1 expansions of MobileNetV2 ~1.5x slower), and dW comes out transposed when
 * dy is the wider.
 */
import * as tf from '@tensorflow/tfjs';
import { shape4, tapSlice, tapSource } from './conv_util';
import { readConvAttrs, readShapeAttr } from './attrs';
import { requireInput, WASM, withWasmScope } from './scope';

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const name = tf.Conv2DBackpropFilter;
  const x = requireInput(name, args.inputs, 'x');
  const dy = requireInput(name, args.inputs, 'dy');
  const { strides, pad, dimRoundingMode } = readConvAttrs(name, args.attrs);
  const filterShape = readShapeAttr(name, args.attrs, 'filterShape');
  // tfjs' Conv2D gradient only exists for dilation 1, and this kernel has no dilations attr.
  const info = tf.backend_util.computeConv2DInfo(
    shape4(x.shape),
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, outHeight, outWidth, inChannels, outChannels } = info;
  const rows = batchSize * outHeight * outWidth;

  const plain1x1 =
    info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.padInfo.top === 0 && info.padInfo.left === 0 && info.padInfo.bottom === 0 && info.padInfo.right === 0;
  if (plain1x1 && outChannels > inChannels) {
    return withWasmScope(name, args.backend as tf.KernelBackend, (scope) => {
      // dW^T = dy^T @ x: the wide dy transposed, the narrow x packed (a private copy: see below).
      const dyRows = scope.reshape(dy, [rows, outChannels]);
      const dyT = scope.reshape(scope.transpose(dyRows, [1, 0]), [1, outChannels, rows]);
      const xCopy = scope.copy(x);
      const product = scope.matMul(dyT, scope.reshape(xCopy, [1, rows, inChannels]));
      const dW = scope.transpose(scope.reshape(product, [outChannels, inChannels]), [1, 0]);
      return scope.reshape(dW, info.filterShape);
    });
  }

  return withWasmScope(name, args.backend as tf.KernelBackend, (scope) => {
    // XNNPACK packs and caches the right-hand matrix keyed by its tensor id: a private copy of dy
    // is packed once, reused by every tap, and its cache entry dies with it below.
    const dyCopy = scope.copy(dy);
    const weights = scope.reshape(dyCopy, [1, rows, outChannels]);
    const source = tapSource(scope, x, info);
    const taps: tf.TensorInfo[] = [];
    for (let kh = 0; kh < info.filterHeight; kh++) {
      for (let kw = 0; kw < info.filterWidth; kw++) {
        const slice = tapSlice(scope, source, x.shape, kh, kw, info);
        const a = scope.reshape(slice, [1, inChannels, rows]);
        taps.push(scope.matMul(a, weights));
        scope.free(a);
        scope.free(slice);
      }
    }
    const stacked = taps.length === 1 ? taps[0] : scope.run('Concat', taps, { axis: 0 });
    return scope.reshape(stacked, info.filterShape);
  });
}

/** Kernel config registered for backend 'wasm' by `registerWasmGradientKernels`. */
export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2DBackpropFilter,
};
