/**
 * ResNet50 (He et al. 2015) with the exact layer names and parameter counts of
 * `keras.applications.ResNet50` (keras >= 2.2.5 names: 'conv1_conv', 'conv2_block1_1_conv',
 * ..., 'conv5_block3_out', 'avg_pool', 'predictions'). Old keras_applications files named the
 * same layers 'res2a_branch2a' etc.; the .h5 loader maps those names, the builder does not.
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import {
  BaseModelOptions,
  call,
  checkKnownKeys,
  conv2d,
  dense,
  imageInput,
  poolingTail,
  resolveOptions,
} from './common';
import { applyWeights, resolveWeightsSource } from './weights/pretrained';

/** Options of {@link ResNet50}: the shared ones, documented on `BaseModelOptions`. */
export type ResNetOptions = BaseModelOptions;

const BN_EPSILON = 1.001e-5;

/**
 * Builds ResNet50 as Keras does (25,636,712 parameters with the top, 23,587,712 without).
 * `weights: 'imagenet'` loads Keras' .h5 files ('keras_resnet50', 'keras_resnet50_no_top').
 * Inputs are preprocessed in 'caffe' mode (BGR, ImageNet mean subtracted).
 *
 * @example
 * const base = await ResNet50({ includeTop: false, pooling: 'avg', inputShape: [224, 224, 3] });
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function ResNet50(opts: ResNetOptions = {}): Promise<tf.LayersModel> {
  const fn = 'ResNet50';
  checkKnownKeys(fn, opts, []);
  const o = resolveOptions({ fn, defaultSize: 224, minSize: 32 }, opts);
  const source = await resolveWeightsSource(o.weights, fn, () => ({
    kind: 'h5',
    asset: o.includeTop ? 'keras_resnet50' : 'keras_resnet50_no_top',
  }));
  const input = imageInput(o.inputShape);

  let x = call(tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }), input);
  x = call(conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: true, name: 'conv1_conv' }), x);
  x = call(tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name: 'conv1_bn' }), x);
  x = call(tf.layers.activation({ activation: 'relu', name: 'conv1_relu' }), x);
  x = call(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }), x);
  x = call(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);

  x = stack(x, 64, 3, 1, 'conv2');
  x = stack(x, 128, 4, 2, 'conv3');
  x = stack(x, 256, 6, 2, 'conv4');
  x = stack(x, 512, 3, 2, 'conv5');

  if (o.includeTop) {
    x = call(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    x = call(dense({ units: o.classes, activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = poolingTail(x, o.pooling, { avg: 'avg_pool', max: 'max_pool' });
  }
  return applyWeights(tf.model({ inputs: input, outputs: x, name: 'resnet50' }), source);
}

/** `blocks` bottleneck blocks; the first has a conv shortcut and the stage's stride. */
function stack(x: tf.SymbolicTensor, filters: number, blocks: number, stride1: number, name: string): tf.SymbolicTensor {
  x = block(x, filters, stride1, true, `${name}_block1`);
  for (let i = 2; i <= blocks; i++) x = block(x, filters, 1, false, `${name}_block${i}`);
  return x;
}

/** Bottleneck block: 1x1 -> 3x3 -> 1x1 (4x filters), added to the shortcut, then ReLU. */
function block(x: tf.SymbolicTensor, filters: number, stride: number, convShortcut: boolean, name: string): tf.SymbolicTensor {
  let shortcut = x;
  if (convShortcut) {
    shortcut = call(conv2d({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }), x);
    shortcut = call(tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name: `${name}_0_bn` }), shortcut);
  }
  let y = call(conv2d({ filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }), x);
  y = call(tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name: `${name}_1_bn` }), y);
  y = call(tf.layers.activation({ activation: 'relu', name: `${name}_1_relu` }), y);
  y = call(conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_2_conv` }), y);
  y = call(tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name: `${name}_2_bn` }), y);
  y = call(tf.layers.activation({ activation: 'relu', name: `${name}_2_relu` }), y);
  y = call(conv2d({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), y);
  y = call(tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name: `${name}_3_bn` }), y);
  y = call(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
  return call(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), y);
}
