/**
 * MobileNet v1 (Howard et al. 2017) with the exact layer names and parameter counts of
 * `keras.applications.MobileNet`: conv1 / conv_dw_N / conv_pw_N blocks, each Conv -> BN -> ReLU6,
 * and Keras 2's top: GlobalAveragePooling -> Reshape(1,1,C) 'reshape_1' -> Dropout 'dropout' ->
 * 1x1 Conv 'conv_preds' -> Reshape 'reshape_2' -> Activation 'predictions'.
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
  depthwiseConv2d,
  imageInput,
  poolingTail,
  quote,
  resolveOptions,
} from './common';
import { applyWeights, ImagenetWeights, resolveWeightsSource } from './weights/pretrained';

/** Options of {@link MobileNet}; the shared ones are documented on `BaseModelOptions`. */
export interface MobileNetOptions extends BaseModelOptions {
  /** Width multiplier: scales the number of filters of every layer. Defaults to 1.0. */
  alpha?: number;
  /** Depth multiplier of the depthwise convolutions (must be 1 with 'imagenet'). Defaults to 1. */
  depthMultiplier?: number;
  /** Dropout rate before the classifier (with the top). Defaults to 1e-3. */
  dropout?: number;
}

const IMAGENET_ALPHAS = [0.25, 0.5, 0.75, 1.0];
const IMAGENET_SIZES = [128, 160, 192, 224];

/**
 * Builds MobileNet v1 as Keras does, optionally with pretrained weights.
 *
 * With `weights: 'imagenet'`: alpha 0.25 and 0.75 copy the course's tfjs models
 * ('mobilenet_v1_0.25_224', 'mobilenet_v1_0.75_224') by layer name; alpha 1.0 loads the Keras
 * .h5 files ('keras_mobilenet_1_0_224[_no_top]'). The 224x224 weights are used for every input
 * size (only those files are registered).
 *
 * @example
 * const base = await MobileNet({ alpha: 0.25, includeTop: false, weights: 'imagenet', inputShape: [224, 224, 3] });
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function MobileNet(opts: MobileNetOptions = {}): Promise<tf.LayersModel> {
  const fn = 'MobileNet';
  checkKnownKeys(fn, opts, ['alpha', 'depthMultiplier', 'dropout']);
  const alpha = opts.alpha ?? 1.0;
  const depthMultiplier = opts.depthMultiplier ?? 1;
  const dropout = opts.dropout ?? 1e-3;
  if (typeof alpha !== 'number' || !(alpha > 0)) {
    throw new ModelError(`${fn}: alpha must be a positive number; received alpha=${quote(alpha)}.`);
  }
  if (!Number.isInteger(depthMultiplier) || depthMultiplier < 1) {
    throw new ModelError(`${fn}: depthMultiplier must be a positive integer; received depthMultiplier=${quote(depthMultiplier)}.`);
  }
  if (typeof dropout !== 'number' || dropout < 0 || dropout >= 1) {
    throw new ModelError(`${fn}: dropout must be a rate in [0, 1); received dropout=${quote(dropout)}.`);
  }
  // Keras picks the default size from a square input of a size it has weights for.
  const rows = opts.inputShape?.[0];
  const defaultSize = rows != null && rows === opts.inputShape?.[1] && IMAGENET_SIZES.includes(rows) ? rows : 224;
  const o = resolveOptions({ fn, defaultSize: 224, minSize: 32 }, opts, defaultSize);
  if (o.weights === 'imagenet') {
    if (depthMultiplier !== 1) {
      throw new ModelError(`${fn}: with weights='imagenet' depthMultiplier must be 1; received depthMultiplier=${depthMultiplier}.`);
    }
    if (!IMAGENET_ALPHAS.includes(alpha)) {
      throw new ModelError(
        `${fn}: with weights='imagenet' alpha must be one of 0.25, 0.5, 0.75, 1.0; received alpha=${alpha}.`,
      );
    }
  }

  const source = await resolveWeightsSource(o.weights, fn, () => imagenetWeights(alpha, o.includeTop));

  const input = imageInput(o.inputShape);
  let x = convBlock(input, 32, alpha, 2);
  const plan: [number, number][] = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
    [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  plan.forEach(([filters, stride], i) => {
    x = depthwiseConvBlock(x, filters, alpha, depthMultiplier, stride, i + 1);
  });

  if (o.includeTop) {
    const channels = Math.trunc(1024 * alpha);
    x = call(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
    x = call(tf.layers.reshape({ targetShape: [1, 1, channels], name: 'reshape_1' }), x);
    x = call(tf.layers.dropout({ rate: dropout, name: 'dropout' }), x);
    x = call(conv2d({ filters: o.classes, kernelSize: 1, padding: 'same', name: 'conv_preds' }), x);
    x = call(tf.layers.reshape({ targetShape: [o.classes], name: 'reshape_2' }), x);
    x = call(tf.layers.activation({ activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = poolingTail(x, o.pooling);
  }
  const model = tf.model({ inputs: input, outputs: x, name: `mobilenet_${alphaText(alpha)}_${o.inputShape[0] ?? 224}` });
  return applyWeights(model, source);
}

/** Which registered asset holds the ImageNet weights for this alpha / top choice. */
function imagenetWeights(alpha: number, includeTop: boolean): ImagenetWeights {
  if (alpha === 0.25) return { kind: 'tfjs', asset: 'mobilenet_v1_0.25_224' };
  if (alpha === 0.75) return { kind: 'tfjs', asset: 'mobilenet_v1_0.75_224' };
  if (alpha === 1.0) return { kind: 'h5', asset: includeTop ? 'keras_mobilenet_1_0_224' : 'keras_mobilenet_1_0_224_no_top' };
  throw new ModelError(
    `MobileNet: no ImageNet weights are registered for alpha=${alpha} (the course registers 0.25, 0.75 and 1.0). ` +
      `Download Keras' mobilenet_5_0_224_tf${includeTop ? '' : '_no_top'}.h5 yourself and pass its path as weights.`,
  );
}

/** First block: 3x3 conv (stride 2) -> BN -> ReLU6, named conv1 / conv1_bn / conv1_relu. */
function convBlock(x: tf.SymbolicTensor, filters: number, alpha: number, stride: number): tf.SymbolicTensor {
  const f = Math.trunc(filters * alpha);
  x = call(conv2d({ filters: f, kernelSize: 3, padding: 'same', useBias: false, strides: stride, name: 'conv1' }), x);
  x = call(tf.layers.batchNormalization({ axis: -1, name: 'conv1_bn' }), x);
  return call(tf.layers.reLU({ maxValue: 6, name: 'conv1_relu' }), x);
}

/** Depthwise 3x3 -> BN -> ReLU6 -> pointwise 1x1 -> BN -> ReLU6, Keras' `_depthwise_conv_block`. */
function depthwiseConvBlock(
  x: tf.SymbolicTensor,
  pointwiseFilters: number,
  alpha: number,
  depthMultiplier: number,
  stride: number,
  id: number,
): tf.SymbolicTensor {
  const filters = Math.trunc(pointwiseFilters * alpha);
  if (stride !== 1) {
    x = call(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${id}` }), x);
  }
  x = call(
    depthwiseConv2d({
      kernelSize: 3,
      padding: stride === 1 ? 'same' : 'valid',
      depthMultiplier,
      strides: stride,
      useBias: false,
      name: `conv_dw_${id}`,
    }),
    x,
  );
  x = call(tf.layers.batchNormalization({ axis: -1, name: `conv_dw_${id}_bn` }), x);
  x = call(tf.layers.reLU({ maxValue: 6, name: `conv_dw_${id}_relu` }), x);
  x = call(conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, strides: 1, name: `conv_pw_${id}` }), x);
  x = call(tf.layers.batchNormalization({ axis: -1, name: `conv_pw_${id}_bn` }), x);
  return call(tf.layers.reLU({ maxValue: 6, name: `conv_pw_${id}_relu` }), x);
}
