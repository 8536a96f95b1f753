/**
 * Inference forms: leaner training forms for two layers every MobileNet uses, same values, less
 * work per step, applied by `freeze`, `unfreeze`, the heads and the trainer workers:
 * - a Conv2D without bias and activation (the conv before a BatchNormalization) runs as plain
 *   `tf.conv2d`. tfjs-layers calls the fused convolution, whose gradient computes the input and
 *   filter derivatives together even when nothing needs the input's (the first trainable layer
 *   after a frozen base: ~4% of a MobileNetV2 top-block step); conv2d's gradient is computed per
 *   input, so unneeded ones are skipped.
 * - `ReLU({maxValue})` (ReLU6) runs as one `clipByValue(x, 0, maxValue)`: tfjs-layers applies relu
 *   first, an extra pass forward and backward with the same result.
 * Like the frozen BatchNormalization rule, the layers keep their class and config (saved models
 * are plain Keras layers); the wrapped `call` is per instance.
 */
import * as tf from '@tensorflow/tfjs';
import { leafLayers } from './layer_lookup';

/** What tfjs-layers' Conv2D keeps; read only to run the same convolution. */
interface Conv2DInternals {
  rank: number;
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  activation: { getClassName(): string } | null;
}

const wrapped = new WeakSet<tf.layers.Layer>();

function leanConv2D(layer: tf.layers.Layer): tf.layers.Layer['call'] | null {
  const conv = layer as unknown as Conv2DInternals;
  const linear = conv.activation == null || conv.activation.getClassName().toLowerCase() === 'linear';
  if (layer.getClassName() !== 'Conv2D' || conv.rank !== 2 || conv.bias != null || !linear) return null;
  if (conv.dataFormat !== 'channelsLast' || (conv.padding !== 'same' && conv.padding !== 'valid')) return null;
  return (inputs) =>
    tf.conv2d(
      (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D,
      conv.kernel.read() as tf.Tensor4D,
      conv.strides as [number, number],
      conv.padding as 'same' | 'valid',
      'NHWC',
      conv.dilationRate as [number, number],
    );
}

function leanReLU6(layer: tf.layers.Layer): tf.layers.Layer['call'] | null {
  const maxValue = (layer as unknown as { maxValue?: number | null }).maxValue;
  if (layer.getClassName() !== 'ReLU' || maxValue == null) return null;
  return (inputs) => tf.clipByValue(Array.isArray(inputs) ? inputs[0] : inputs, 0, maxValue);
}

/**
 * Gives the bias-free linear Conv2D and ReLU(maxValue) layers of `model` (nested models included)
 * their lean forms. Idempotent; returns how many layers it changed. `freeze`, `unfreeze` and the
 * trainer workers call it.
 */
export function applyLeanLayerForms(model: tf.LayersModel): number {
  let count = 0;
  for (const layer of leafLayers(model)) {
    if (wrapped.has(layer)) continue;
    const call = leanConv2D(layer) ?? leanReLU6(layer);
    if (call === null) continue;
    layer.call = call;
    wrapped.add(layer);
    count++;
  }
  return count;
}
