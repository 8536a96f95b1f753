/**
 * The model zoo at a glance, as in the Keras applications table: for each family its builder,
 * default input size, preprocessing mode, published ImageNet accuracy, depth, size and the
 * registered Keras weight files. Notebooks and the CLI read this table instead of repeating it.
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { AssetName } from '../assets';
import { BaseModelOptions } from './common';
import { InceptionV3 } from './inception_v3';
import { MobileNet } from './mobilenet';
import { MobileNetV2 } from './mobilenet_v2';
import { preprocessInput, PreprocessMode } from './preprocess';
import { ResNet50 } from './resnet';
import { VGG16, VGG19 } from './vgg';

/** Names of the families in the zoo (the Keras builder names). */
export type FamilyName = 'MobileNet' | 'MobileNetV2' | 'VGG16' | 'VGG19' | 'ResNet50' | 'InceptionV3';

/** One row of the zoo table. */
export interface ModelFamily {
  name: FamilyName;
  /** Builds the model (Keras options, camelCase). */
  builder: (opts?: BaseModelOptions) => Promise<tf.LayersModel>;
  /** Input height = width the ImageNet weights were trained at. */
  defaultInputSize: number;
  /** Smallest input height/width the builder accepts. */
  minInputSize: number;
  /** Keras `preprocess_input` mode of the family. */
  preprocessMode: PreprocessMode;
  /** `preprocessInput(x, preprocessMode)`, ready for ImageDataGenerator's preprocessingFunction. */
  preprocess: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Published ImageNet top-1 accuracy (Keras applications table), as a fraction. */
  top1: number;
  /** Published ImageNet top-5 accuracy, as a fraction. */
  top5: number;
  /** Depth as counted in the Keras applications table. */
  depth: number;
  /** Size of the weights with the top in MB (Keras applications table). */
  sizeMB: number;
  /** Keras' parameter counts at the default input size, with and without the top (alpha 1.0). */
  params: { withTop: number; noTop: number };
  /** Registered Keras .h5 weight assets (alpha 1.0 for the MobileNets). */
  kerasWeights: { withTop: AssetName; noTop: AssetName };
}

function family(
  name: FamilyName,
  builder: ModelFamily['builder'],
  size: [number, number],
  preprocessMode: PreprocessMode,
  stats: { top1: number; top5: number; depth: number; sizeMB: number },
  params: [number, number],
  kerasWeights: [AssetName, AssetName],
): ModelFamily {
  return {
    name,
    builder,
    defaultInputSize: size[0],
    minInputSize: size[1],
    preprocessMode,
    preprocess: (x) => preprocessInput(x, preprocessMode),
    ...stats,
    params: { withTop: params[0], noTop: params[1] },
    kerasWeights: { withTop: kerasWeights[0], noTop: kerasWeights[1] },
  };
}

/**
 * The six families of the course, in the order of the Keras applications table.
 * @see notebooks/03-pretrained-models.ipynb
 */
export const MODEL_FAMILIES: Readonly<Record<FamilyName, ModelFamily>> = {
  VGG16: family('VGG16', VGG16, [224, 32], 'caffe', { top1: 0.713, top5: 0.901, depth: 16, sizeMB: 528 },
    [138_357_544, 14_714_688], ['keras_vgg16', 'keras_vgg16_no_top']),
  VGG19: family('VGG19', VGG19, [224, 32], 'caffe', { top1: 0.713, top5: 0.9, depth: 19, sizeMB: 549 },
    [143_667_240, 20_024_384], ['keras_vgg19', 'keras_vgg19_no_top']),
  ResNet50: family('ResNet50', ResNet50, [224, 32], 'caffe', { top1: 0.749, top5: 0.921, depth: 107, sizeMB: 98 },
    [25_636_712, 23_587_712], ['keras_resnet50', 'keras_resnet50_no_top']),
  InceptionV3: family('InceptionV3', InceptionV3, [299, 75], 'tf', { top1: 0.779, top5: 0.937, depth: 189, sizeMB: 92 },
    [23_851_784, 21_802_784], ['keras_inception_v3', 'keras_inception_v3_no_top']),
  MobileNet: family('MobileNet', MobileNet, [224, 32], 'tf', { top1: 0.704, top5: 0.895, depth: 55, sizeMB: 16 },
    [4_253_864, 3_228_864], ['keras_mobilenet_1_0_224', 'keras_mobilenet_1_0_224_no_top']),
  MobileNetV2: family('MobileNetV2', MobileNetV2, [224, 32], 'tf', { top1: 0.713, top5: 0.901, depth: 105, sizeMB: 14 },
    [3_538_984, 2_257_984], ['keras_mobilenet_v2_1.0_224', 'keras_mobilenet_v2_1.0_224_no_top']),
};

/** The family names in table order. */
export const FAMILY_NAMES = Object.keys(MODEL_FAMILIES) as FamilyName[];
