/**
 * `Conv2DBackpropInput` for the wasm backend, replacing the one tfjs-backend-wasm 4.22 ships.
 * Theirs is a plain scalar loop; in a MobileNetV2 top-block fine-tuning step it took ~43% of all
 * kernel time (profile in the #6 notes), more than every forward convolution together.
 *
 * The input gradient of a convolution is a stride-1 'valid' convolution of dy, with `stride - 1`
 * zeros inserted between its rows and columns and `K - 1 - padBefore` of padding in front, by the
 * filter flipped in space with its in/out channels swapped. That convolution runs on the wasm
 * `Conv2D` kernel (XNNPACK); for the 1x1 stride-1 convolutions that dominate MobileNets it is
 * one matrix product.
 */
import * as tf from '@tensorflow/tfjs';
import { inputGradientSource, shape4 } from './conv_util';
import { readConvAttrs, readShapeAttr } from './attrs';
import { requireInput, WASM, withWasmScope } from './scope';

function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: {};
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const name = tf.Conv2DBackpropInput;
  const dy = requireInput(name, args.inputs, 'dy');
  const filter = requireInput(name, args.inputs, 'filter');
  const { strides, pad, dimRoundingMode } = readConvAttrs(name, args.attrs);
  const inputShape = readShapeAttr(name, args.attrs, 'inputShape');
  // tfjs' Conv2D gradient exists for dilation 1 only, and this kernel has no dilations attr.
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    shape4(filter.shape),
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight, filterWidth } = info;

  return withWasmScope(name, args.backend as tf.KernelBackend, (scope) => {
    const padded = inputGradientSource(scope, dy, info);

    // [KH, KW, Cin, Cout] -> flipped taps, [KH, KW, Cout, Cin]: dy's channels in, x's channels out.
    const unflipped = filterHeight === 1 && filterWidth === 1;
    const flipped = unflipped ? filter : scope.run('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = scope.transpose(flipped, [0, 1, 3, 2]);
    if (flipped !== filter) scope.free(flipped);
    return scope.run(
      'Conv2D',
      { x: padded, filter: swapped },
      { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC' },
    );
  });
}

/**
 * Kernel config registered for backend 'wasm' by `registerWasmGradientKernels`, which replaces
 * the built-in kernel of this name (see the file comment for why).
 */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: WASM,
  kernelFunc: conv2DBackpropInput,
};
