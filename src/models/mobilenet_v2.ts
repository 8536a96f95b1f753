/**
 * MobileNetV2 (Sandler et al. 2018) with the exact layer names and parameter counts of
 * `keras.applications.MobileNetV2`: Conv1 / bn_Conv1 / Conv1_relu, inverted residual blocks
 * `expanded_conv_*` and `block_1_*` ... `block_16_*` (expand -> depthwise -> project, with an
 * Add where shapes allow), then Conv_1 / Conv_1_bn / out_relu and the Dense 'predictions' top.
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import {
  alphaText,
  BaseModelOptions,
  call,
  checkKnownKeys,
  conv2d,
  dense,
  depthwiseConv2d,
  imageInput,
  poolingTail,
  quote,
  resolveOptions,
} from './common';
import { applyWeights, ImagenetWeights, resolveWeightsSource } from './weights/pretrained';

/** Options of {@link MobileNetV2}; the shared ones are documented on `BaseModelOptions`. */
export interface MobileNetV2Options extends BaseModelOptions {
  /** Width multiplier: scales the number of filters of every block. Defaults to 1.0. */
  alpha?: number;
}

const IMAGENET_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];
const IMAGENET_SIZES = [96, 128, 160, 192, 224];

/**
 * Builds MobileNetV2 as Keras does, optionally with pretrained weights.
 *
 * With `weights: 'imagenet'`: alpha 0.35 without the top copies the course's tfjs model
 * 'mobilenet_v2_0.35_224_no_top' by layer name; alpha 1.0 loads the Keras .h5 files
 * ('keras_mobilenet_v2_1.0_224[_no_top]'). Other alphas need a weights path.
 *
 * @example
 * const base = await MobileNetV2({ alpha: 0.35, includeTop: false, weights: 'imagenet', inputShape: [224, 224, 3] });
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function MobileNetV2(opts: MobileNetV2Options = {}): Promise<tf.LayersModel> {
  const fn = 'MobileNetV2';
  checkKnownKeys(fn, opts, ['alpha']);
  const alpha = opts.alpha ?? 1.0;
  if (typeof alpha !== 'number' || !(alpha > 0)) {
    throw new ModelError(`${fn}: alpha must be a positive number; received alpha=${quote(alpha)}.`);
  }
  const rows = opts.inputShape?.[0];
  const defaultSize = rows != null && rows === opts.inputShape?.[1] && IMAGENET_SIZES.includes(rows) ? rows : 224;
  const o = resolveOptions({ fn, defaultSize: 224, minSize: 32 }, opts, defaultSize);
  if (o.weights === 'imagenet' && !IMAGENET_ALPHAS.includes(alpha)) {
    throw new ModelError(
      `${fn}: with weights='imagenet' alpha must be one of 0.35, 0.5, 0.75, 1.0, 1.3, 1.4; received alpha=${alpha}.`,
    );
  }

  const source = await resolveWeightsSource(o.weights, fn, () => imagenetWeights(alpha, o.includeTop));

  const input = imageInput(o.inputShape);
  const first = makeDivisible(32 * alpha, 8);
  let x = call(conv2d({ filters: first, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1' }), input);
  x = call(tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name: 'bn_Conv1' }), x);
  x = call(tf.layers.reLU({ maxValue: 6, name: 'Conv1_relu' }), x);

  // [filters, stride, expansion] for blocks 0..16, as in the paper's Table 2.
  const plan: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, 6], [24, 1, 6],
    [32, 2, 6], [32, 1, 6], [32, 1, 6],
    [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
    [96, 1, 6], [96, 1, 6], [96, 1, 6],
    [160, 2, 6], [160, 1, 6], [160, 1, 6],
    [320, 1, 6],
  ];
  plan.forEach(([filters, stride, expansion], blockId) => {
    x = invertedResBlock(x, expansion, stride, alpha, filters, blockId);
  });

  // No width multiplier on the last conv unless it widens the network (as in the paper).
  const last = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = call(conv2d({ filters: last, kernelSize: 1, useBias: false, name: 'Conv_1' }), x);
  x = call(tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name: 'Conv_1_bn' }), x);
  x = call(tf.layers.reLU({ maxValue: 6, name: 'out_relu' }), x);

  if (o.includeTop) {
    x = call(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
    x = call(dense({ units: o.classes, activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = poolingTail(x, o.pooling);
  }
  const model = tf.model({ inputs: input, outputs: x, name: `mobilenetv2_${alphaText(alpha)}_${o.inputShape[0] ?? 224}` });
  return applyWeights(model, source);
}

function imagenetWeights(alpha: number, includeTop: boolean): ImagenetWeights {
  if (alpha === 0.35 && !includeTop) return { kind: 'tfjs', asset: 'mobilenet_v2_0.35_224_no_top' };
  if (alpha === 1.0) {
    return { kind: 'h5', asset: includeTop ? 'keras_mobilenet_v2_1.0_224' : 'keras_mobilenet_v2_1.0_224_no_top' };
  }
  throw new ModelError(
    `MobileNetV2: no ImageNet weights are registered for alpha=${alpha} with includeTop=${includeTop} ` +
      `(the course registers 0.35 without the top and 1.0). Download Keras' ` +
      `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${Number.isInteger(alpha) ? alpha.toFixed(1) : String(alpha)}_224${includeTop ? '' : '_no_top'}.h5 ` +
      `yourself and pass its path as weights.`,
  );
}

/** Rounds a channel count to a multiple of `divisor`, never going down by more than 10%. */
function makeDivisible(v: number, divisor: number): number {
  let newV = Math.max(divisor, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

/** Zero padding before a stride-2 depthwise conv, Keras' `correct_pad` for a 3x3 kernel. */
function correctPad(x: tf.SymbolicTensor): [[number, number], [number, number]] {
  const [, h, w] = x.shape;
  const adjust = (size: number | null) => (size == null ? 1 : 1 - (size % 2));
  return [[1 - adjust(h), 1], [1 - adjust(w), 1]];
}

/** Inverted residual block: 1x1 expand -> 3x3 depthwise -> 1x1 linear projection (+ skip). */
function invertedResBlock(
  inputs: tf.SymbolicTensor,
  expansion: number,
  stride: number,
  alpha: number,
  filters: number,
  blockId: number,
): tf.SymbolicTensor {
  const inChannels = inputs.shape[inputs.shape.length - 1];
  if (inChannels == null) throw new ModelError(`MobileNetV2: block ${blockId} got an input with unknown channels.`);
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
  let prefix = `block_${blockId}_`;
  let x = inputs;
  if (blockId > 0) {
    x = call(conv2d({ filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}expand` }), x);
    x = call(tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name: `${prefix}expand_BN` }), x);
    x = call(tf.layers.reLU({ maxValue: 6, name: `${prefix}expand_relu` }), x);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) {
    x = call(tf.layers.zeroPadding2d({ padding: correctPad(x), name: `${prefix}pad` }), x);
  }
  x = call(
    depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      useBias: false,
      padding: stride === 1 ? 'same' : 'valid',
      name: `${prefix}depthwise`,
    }),
    x,
  );
  x = call(tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name: `${prefix}depthwise_BN` }), x);
  x = call(tf.layers.reLU({ maxValue: 6, name: `${prefix}depthwise_relu` }), x);
  x = call(conv2d({ filters: pointwiseFilters, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }), x);
  x = call(tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name: `${prefix}project_BN` }), x);
  if (inChannels === pointwiseFilters && stride === 1) {
    return call(tf.layers.add({ name: `${prefix}add` }), [inputs, x]);
  }
  return x;
}
