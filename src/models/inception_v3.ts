/**
 * InceptionV3 (Szegedy et al. 2015) with the exact structure and parameter counts of
 * `keras.applications.InceptionV3`. Keras names only the concatenations ('mixed0' ... 'mixed10',
 * 'mixed9_0', 'mixed9_1') and the top ('avg_pool', 'predictions'); every other layer gets the
 * name a fresh Keras session gives it ('conv2d', 'conv2d_1', ..., 'batch_normalization_93',
 * 'activation_93'), so the names do not depend on what was built before.
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
  kerasNamer,
  poolingTail,
  resolveOptions,
} from './common';
import { applyWeights, resolveWeightsSource } from './weights/pretrained';

/** Options of {@link InceptionV3}: the shared ones, documented on `BaseModelOptions` (default size 299). */
export type InceptionV3Options = BaseModelOptions;

type Namer = (prefix: string) => string;
type Padding = 'same' | 'valid';

/**
 * Builds InceptionV3 as Keras does (23,851,784 parameters with the top, 21,802,784 without),
 * for 299x299 inputs by default (at least 75x75). `weights: 'imagenet'` loads Keras' .h5 files
 * ('keras_inception_v3', 'keras_inception_v3_no_top'). Inputs are preprocessed in 'tf' mode.
 *
 * @example
 * const base = await InceptionV3({ includeTop: false, pooling: 'avg', inputShape: [299, 299, 3] });
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function InceptionV3(opts: InceptionV3Options = {}): Promise<tf.LayersModel> {
  const fn = 'InceptionV3';
  checkKnownKeys(fn, opts, []);
  const o = resolveOptions({ fn, defaultSize: 299, minSize: 75 }, opts);
  const source = await resolveWeightsSource(o.weights, fn, () => ({
    kind: 'h5',
    asset: o.includeTop ? 'keras_inception_v3' : 'keras_inception_v3_no_top',
  }));
  const name = kerasNamer();
  const cb = (x: tf.SymbolicTensor, filters: number, rows: number, cols: number, padding: Padding = 'same', strides = 1) =>
    conv2dBn(name, x, filters, rows, cols, padding, strides);
  const maxPool = (x: tf.SymbolicTensor) => call(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: name('max_pooling2d') }), x);
  const avgPool = (x: tf.SymbolicTensor) =>
    call(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: name('average_pooling2d') }), x);
  const concat = (xs: tf.SymbolicTensor[], layerName: string) => call(tf.layers.concatenate({ axis: 3, name: layerName }), xs);

  const input = imageInput(o.inputShape);
  let x = cb(input, 32, 3, 3, 'valid', 2);
  x = cb(x, 32, 3, 3, 'valid');
  x = cb(x, 64, 3, 3);
  x = maxPool(x);
  x = cb(x, 80, 1, 1, 'valid');
  x = cb(x, 192, 3, 3, 'valid');
  x = maxPool(x);

  // mixed 0, 1, 2: 35 x 35 x 256 / 288 / 288
  [32, 64, 64].forEach((poolFilters, i) => {
    const b1 = cb(x, 64, 1, 1);
    const b5 = cb(cb(x, 48, 1, 1), 64, 5, 5);
    const b3 = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = cb(avgPool(x), poolFilters, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  });

  // mixed 3: 17 x 17 x 768
  {
    const b3 = cb(x, 384, 3, 3, 'valid', 2);
    const bd = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 'valid', 2);
    const bp = maxPool(x);
    x = concat([b3, bd, bp], 'mixed3');
  }

  // mixed 4, 5, 6, 7: 17 x 17 x 768, the 7x7 convolutions factorised into 1x7 and 7x1
  [128, 160, 160, 192].forEach((f, i) => {
    const b1 = cb(x, 192, 1, 1);
    const b7 = cb(cb(cb(x, f, 1, 1), f, 1, 7), 192, 7, 1);
    let bd = cb(x, f, 1, 1);
    bd = cb(cb(cb(cb(bd, f, 7, 1), f, 1, 7), f, 7, 1), 192, 1, 7);
    const bp = cb(avgPool(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${4 + i}`);
  });

  // mixed 8: 8 x 8 x 1280
  {
    const b3 = cb(cb(x, 192, 1, 1), 320, 3, 3, 'valid', 2);
    const b7 = cb(cb(cb(cb(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 'valid', 2);
    const bp = maxPool(x);
    x = concat([b3, b7, bp], 'mixed8');
  }

  // mixed 9, 10: 8 x 8 x 2048
  for (let i = 0; i < 2; i++) {
    const b1 = cb(x, 320, 1, 1);
    const b3in = cb(x, 384, 1, 1);
    const b3 = concat([cb(b3in, 384, 1, 3), cb(b3in, 384, 3, 1)], `mixed9_${i}`);
    const bdin = cb(cb(x, 448, 1, 1), 384, 3, 3);
    const bd = concat([cb(bdin, 384, 1, 3), cb(bdin, 384, 3, 1)], name('concatenate'));
    const bp = cb(avgPool(x), 192, 1, 1);
    x = concat([b1, b3, bd, bp], `mixed${9 + i}`);
  }

  if (o.includeTop) {
    x = call(tf.layers.globalAveragePooling2d({ name: 'avg_pool' }), x);
    x = call(dense({ units: o.classes, activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = poolingTail(x, o.pooling);
  }
  return applyWeights(tf.model({ inputs: input, outputs: x, name: 'inception_v3' }), source);
}

/** Conv (no bias) -> BN (no scale, as the ReLU follows) -> ReLU, Keras' `conv2d_bn`. */
function conv2dBn(
  name: Namer,
  x: tf.SymbolicTensor,
  filters: number,
  rows: number,
  cols: number,
  padding: Padding,
  strides: number,
): tf.SymbolicTensor {
  x = call(conv2d({ filters, kernelSize: [rows, cols], strides, padding, useBias: false, name: name('conv2d') }), x);
  x = call(tf.layers.batchNormalization({ axis: 3, scale: false, name: name('batch_normalization') }), x);
  return call(tf.layers.activation({ activation: 'relu', name: name('activation') }), x);
}
