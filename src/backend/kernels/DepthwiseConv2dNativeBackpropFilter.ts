/**
 * `DepthwiseConv2dNativeBackpropFilter` for the wasm backend: the filter gradient of a depthwise
 * convolution (MobileNet's DepthwiseConv2D layers), missing from tfjs-backend-wasm 4.22.
 *
 * dW[kh, kw, c, m] = sum over n, oh, ow of
 *   x_pad[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * dy[n, oh, ow, c*M + m]      (M = channel multiplier)
 * That is itself a depthwise convolution, of the padded input by dy used as the filter (dilated
 * by the stride, strided by the dilation), except that it must also sum over the batch. Stacking
 * the N images vertically, each in a tile of R*sh rows (R*sh >= the rows one image's taps reach),
 * and dy's images in tiles of R rows, makes one XNNPACK depthwise convolution of a single tall
 * image do it all: a dy row of image n only ever meets input rows of image n. 10-40x faster than
 * slicing the input once per tap, but XNNPACK's depthwise kernels are made for small filters and
 * reach ~1 GFLOP/s on such a tall one; with channel multiplier 1 (every MobileNet) the SIMD heap
 * kernel does the same sum directly, ~12x faster. The composite remains for multiplier > 1 and
 * runtimes without WebAssembly SIMD.
 */
import * as tf from '@tensorflow/tfjs';
import { readConvAttrs, readShapeAttr } from './attrs';
import { heapKernelsFor, heapOffset } from '../simd/heap_kernels';
import { padOrCrop, shape4, tapExtent } from './conv_util';
import { requireInput, WASM, WasmHeapBackend, withWasmScope } from './scope';

function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const name = tf.DepthwiseConv2dNativeBackpropFilter;
  const x = requireInput(name, args.inputs, 'x');
  const dy = requireInput(name, args.inputs, 'dy');
  // The attrs carry no data format; readConvAttrs refuses one passed along that is not NHWC.
  const { strides, dilations, pad, dimRoundingMode } = readConvAttrs(name, args.attrs);
  const filterShape = readShapeAttr(name, args.attrs, 'filterShape');
  const info = tf.backend_util.computeConv2DInfo(
    shape4(x.shape),
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const simd = multiplier === 1 ? heapKernelsFor(args.backend) : null;
  if (simd !== null) {
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput(info.filterShape, 'float32');
    simd.depthwiseFilterGrad(
      heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out),
      batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, info.filterHeight, info.filterWidth,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    );
    return out;
  }
  const tileRows = Math.ceil(tapExtent(info, 'height') / info.strideHeight); // R
  const tileHeight = tileRows * info.strideHeight;
  const width = tapExtent(info, 'width');
  const top = info.padInfo.top;
  const left = info.padInfo.left;

  return withWasmScope(name, args.backend as tf.KernelBackend, (scope) => {
    // Input: each image zero-padded into a tileHeight x width tile, the tiles stacked vertically.
    const tiles = padOrCrop(scope, x, [top, tileHeight - top - inHeight], [left, width - left - inWidth]);
    const tall = scope.reshape(tiles, [1, batchSize * tileHeight, width, inChannels]);
    // Filter: dy's images padded to R rows each and stacked; the last image's padding is dropped
    // so the filter does not reach past the input.
    const dyTiles = padOrCrop(scope, dy, [0, tileRows - outHeight], [0, 0]);
    const dyTall = scope.reshape(dyTiles, [batchSize * tileRows, outWidth, inChannels, multiplier]);
    // (When no padding is needed this filter shares dy's data; XNNPACK's conv cache is keyed by
    // tensor id *and* full geometry, so that stays correct and is freed with dy.)
    const filterRows = (batchSize - 1) * tileRows + outHeight;
    const filter =
      filterRows === batchSize * tileRows
        ? dyTall
        : scope.run('Slice', { x: dyTall }, { begin: [0, 0, 0, 0], size: [filterRows, outWidth, inChannels, multiplier] });
    const out = scope.run(
      'DepthwiseConv2dNative',
      { x: tall, filter },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad: 'valid',
        dataFormat: 'NHWC',
      },
    );
    // The tall input yields a few rows past the last tap: keep the first filterHeight.
    const taps =
      out.shape[1] === info.filterHeight
        ? out
        : scope.run('Slice', { x: out }, { begin: [0, 0, 0, 0], size: [1, info.filterHeight, info.filterWidth, outChannels] });
    return scope.reshape(taps, info.filterShape);
  });
}

/** Kernel config registered for backend 'wasm' by `registerWasmGradientKernels`. */
export const depthwiseConv2dNativeBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: WASM,
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
