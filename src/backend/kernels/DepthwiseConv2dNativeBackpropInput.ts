/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend: the input gradient of a depthwise
 * convolution, missing from tfjs-backend-wasm 4.22.
 *
 * The input gradient of a convolution is a convolution of dy with the spatially flipped filter:
 * dy gets `stride - 1` zeros inserted between its rows and columns, is padded by
 * `(K-1)*dilation - padBefore` in front, and goes through a stride-1 depthwise convolution
 * (XNNPACK, with the forward dilation). With channel multiplier M, dy's M channels of input
 * channel c each get their own filter tap and the results are summed per channel.
 */
import * as tf from '@tensorflow/tfjs';
import { inputGradientSource, shape4 } from './conv_util';
import { readConvAttrs, readShapeAttr } from './attrs';
import { requireInput, WASM, withWasmScope } from './scope';

function depthwiseConv2dNativeBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const name = tf.DepthwiseConv2dNativeBackpropInput;
  const dy = requireInput(name, args.inputs, 'dy');
  const filter = requireInput(name, args.inputs, 'filter');
  const { strides, dilations, pad, dimRoundingMode } = readConvAttrs(name, args.attrs);
  const inputShape = readShapeAttr(name, args.attrs, 'inputShape');
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    shape4(filter.shape),
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;

  return withWasmScope(name, args.backend as tf.KernelBackend, (scope) => {
    const padded = inputGradientSource(scope, dy, info);

    // Flip the taps; [KH, KW, C, M] -> [KH, KW, C*M, 1] lines each filter up with its dy channel.
    const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
    const perChannel = scope.reshape(flipped, [info.filterHeight, info.filterWidth, outChannels, 1]);
    const dx = scope.run(
      'DepthwiseConv2dNative',
      { x: padded, filter: perChannel },
      {
        strides: [1, 1],
        pad: 'valid',
        dilations: [info.dilationHeight, info.dilationWidth],
        dataFormat: 'NHWC',
      },
    );
    if (multiplier === 1) return dx;
    const grouped = scope.reshape(dx, [batchSize, inHeight, inWidth, inChannels, multiplier]);
    return scope.run('Sum', { x: grouped }, { axis: [4], keepDims: false });
  });
}

/** Kernel config registered for backend 'wasm' by `registerWasmGradientKernels`. */
export const depthwiseConv2dNativeBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: WASM,
  kernelFunc: depthwiseConv2dNativeBackpropInput,
};
