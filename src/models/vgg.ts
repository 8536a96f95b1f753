/**
 * VGG16 and VGG19 (Simonyan & Zisserman 2014) with the exact layer names and parameter counts of
 * `keras.applications.VGG16` / `VGG19`: five blocks of 3x3 convs ('block1_conv1' ... 'block5_conv3'
 * or 'block5_conv4') each ending in a 2x2 max pool ('block1_pool' ...), then the top:
 * 'flatten' -> 'fc1' (4096) -> 'fc2' (4096) -> 'predictions'.
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

/** Options of {@link VGG16} / {@link VGG19}: the shared ones, documented on `BaseModelOptions`. */
export type VGGOptions = BaseModelOptions;

/** Convolutions per block: VGG16 has 2-2-3-3-3, VGG19 2-2-4-4-4. */
const BLOCKS = { vgg16: [2, 2, 3, 3, 3], vgg19: [2, 2, 4, 4, 4] } as const;
const FILTERS = [64, 128, 256, 512, 512];

/**
 * Builds VGG16 as Keras does (138,357,544 parameters with the top, 14,714,688 without).
 * `weights: 'imagenet'` loads Keras' .h5 files ('keras_vgg16', 'keras_vgg16_no_top').
 * Inputs are preprocessed in 'caffe' mode (BGR, ImageNet mean subtracted).
 *
 * @example
 * const base = await VGG16({ includeTop: false, inputShape: [224, 224, 3] });
 * @see notebooks/03-pretrained-models.ipynb
 */
export function VGG16(opts: VGGOptions = {}): Promise<tf.LayersModel> {
  return buildVGG('VGG16', 'vgg16', opts);
}

/**
 * Builds VGG19 as Keras does (143,667,240 parameters with the top, 20,024,384 without).
 * `weights: 'imagenet'` loads Keras' .h5 files ('keras_vgg19', 'keras_vgg19_no_top').
 *
 * @example
 * const base = await VGG19({ includeTop: false, inputShape: [256, 256, 3] });
 * @see notebooks/03-pretrained-models.ipynb
 */
export function VGG19(opts: VGGOptions = {}): Promise<tf.LayersModel> {
  return buildVGG('VGG19', 'vgg19', opts);
}

async function buildVGG(fn: string, name: 'vgg16' | 'vgg19', opts: VGGOptions): Promise<tf.LayersModel> {
  checkKnownKeys(fn, opts, []);
  const o = resolveOptions({ fn, defaultSize: 224, minSize: 32 }, opts);
  const source = await resolveWeightsSource(o.weights, fn, () => ({
    kind: 'h5',
    asset: o.includeTop ? `keras_${name}` : `keras_${name}_no_top`,
  }));
  const input = imageInput(o.inputShape);
  let x = input;
  BLOCKS[name].forEach((convs, b) => {
    for (let c = 1; c <= convs; c++) {
      x = call(
        conv2d({ filters: FILTERS[b], kernelSize: 3, activation: 'relu', padding: 'same', name: `block${b + 1}_conv${c}` }),
        x,
      );
    }
    x = call(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }), x);
  });
  if (o.includeTop) {
    x = call(tf.layers.flatten({ name: 'flatten' }), x);
    x = call(dense({ units: 4096, activation: 'relu', name: 'fc1' }), x);
    x = call(dense({ units: 4096, activation: 'relu', name: 'fc2' }), x);
    x = call(dense({ units: o.classes, activation: o.classifierActivation, name: 'predictions' }), x);
  } else {
    x = poolingTail(x, o.pooling);
  }
  return applyWeights(tf.model({ inputs: input, outputs: x, name }), source);
}
