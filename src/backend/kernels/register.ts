/**
 * Fills the gradient-kernel gaps of @tensorflow/tfjs-backend-wasm so that convolutional models
 * train on the `wasm` backend. An audit of one `model.fit` step over every layer type the model
 * zoo uses (Conv2D with and without bias, strides 1 and 2, 'same' and 'valid'; DepthwiseConv2D
 * with multiplier 1 and 2; BatchNormalization; ReLU(maxValue 6); relu/softmax activations;
 * Max/Average/GlobalAverage/GlobalMax pooling; ZeroPadding2D; Add; Concatenate; Dense; Dropout;
 * Flatten; Reshape; optimizers sgd, adam, rmsprop) found exactly these kernels missing on wasm
 * in tfjs 4.22 (MaxPoolGrad and AvgPoolGrad exist). Two built-in kernels are replaced:
 * Conv2DBackpropInput, a scalar loop that dominated fine-tuning steps, and Identity, which copies
 * every tensor a gradient saves where sharing it is enough.
 * @see notebooks/00-setup-check.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { clipByValueGradConfig, clipByValueGradientConfig } from './ClipByValueGrad';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { identityConfig } from './Identity';
import { WASM } from './scope';

const CONFIGS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  clipByValueGradConfig,
];

/** Built-in wasm kernels that transfer-lab's faster versions replace. */
const REPLACEMENTS: readonly tf.KernelConfig[] = [conv2DBackpropInputConfig, identityConfig];

/** Names of the kernels transfer-lab provides for the wasm backend (added or replaced). */
export const WASM_GRADIENT_KERNELS: readonly string[] = [...CONFIGS, ...REPLACEMENTS].map((c) => c.kernelName);

/**
 * Registers transfer-lab's gradient kernels for the `wasm` backend. Idempotent: a kernel is
 * registered only when wasm has none of that name, so a later tfjs that ships its own keeps it;
 * the replacements (Conv2DBackpropInput, Identity) always take the place of the built-in kernel.
 * Call it after importing '@tensorflow/tfjs-backend-wasm' (`setupBackend` does); it works whether
 * or not the wasm backend is already initialised. Returns nothing; see
 * {@link WASM_GRADIENT_KERNELS} for the names.
 *
 * @example
 * require('@tensorflow/tfjs-backend-wasm');
 * registerWasmGradientKernels();
 * await tf.setBackend('wasm'); // model.fit of a CNN now works
 */
export function registerWasmGradientKernels(): void {
  for (const config of CONFIGS) {
    if (tf.getKernel(config.kernelName, WASM) == null) tf.registerKernel(config);
  }
  for (const config of REPLACEMENTS) {
    const current = tf.getKernel(config.kernelName, WASM);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current != null) tf.unregisterKernel(config.kernelName, WASM);
    tf.registerKernel(config);
  }
  // The ReLU6 gradient in one pass where the backend has the kernel (tfjs' formula elsewhere).
  if (tf.getGradient(tf.ClipByValue) !== clipByValueGradientConfig) tf.registerGradient(clipByValueGradientConfig);
}
