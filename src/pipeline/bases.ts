/**
 * The pretrained bases the headless pipeline (`transfer-lab train`) and the lab notebook can use,
 * by one short name each, with where to tap pooled features and where to cut for fine-tuning.
 */
import type * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors';
import { MobileNet, MobileNetV2, ResNet50, VGG16, VGG19, InceptionV3, type PreprocessMode } from '../models';

/** A pretrained base without its top, ready for transfer. */
export interface PipelineBase {
  name: string;
  description: string;
  /** Square input size in pixels. */
  inputSize: number;
  preprocess: PreprocessMode;
  /** Builds the base with ImageNet weights and no top. */
  build(): Promise<tf.LayersModel>;
  /** Layers whose pooled outputs form the features (the last block and the block before it). */
  taps: string[];
  /** Block boundary before the top blocks that fine-tuning trains. */
  fineTuneCut: string;
}

const imagenet = { includeTop: false, weights: 'imagenet' as const };

/** Every base by name; MobileNet 0.75 is the lab's default (its weights are in the course mirror). */
export const PIPELINE_BASES: Readonly<Record<string, PipelineBase>> = {
  'mobilenet_v1_0.75': {
    name: 'mobilenet_v1_0.75',
    description: 'MobileNet v1 alpha 0.75 (2.6M params, ImageNet top-1 68.4%)',
    inputSize: 224,
    preprocess: 'tf',
    build: () => MobileNet({ ...imagenet, alpha: 0.75 }),
    taps: ['conv_pw_11_relu', 'conv_pw_13_relu'],
    fineTuneCut: 'conv_pw_11_relu',
  },
  'mobilenet_v1_0.25': {
    name: 'mobilenet_v1_0.25',
    description: 'MobileNet v1 alpha 0.25 (0.2M params, ImageNet top-1 49.7%): the quickest',
    inputSize: 224,
    preprocess: 'tf',
    build: () => MobileNet({ ...imagenet, alpha: 0.25 }),
    taps: ['conv_pw_11_relu', 'conv_pw_13_relu'],
    fineTuneCut: 'conv_pw_11_relu',
  },
  'mobilenet_v1_1.0': {
    name: 'mobilenet_v1_1.0',
    description: 'MobileNet v1 alpha 1.0 (Keras .h5 weights)',
    inputSize: 224,
    preprocess: 'tf',
    build: () => MobileNet({ ...imagenet, alpha: 1.0 }),
    taps: ['conv_pw_11_relu', 'conv_pw_13_relu'],
    fineTuneCut: 'conv_pw_11_relu',
  },
  'mobilenet_v2_0.35': {
    name: 'mobilenet_v2_0.35',
    description: 'MobileNetV2 alpha 0.35 (0.4M params, ImageNet top-1 60.3%)',
    inputSize: 224,
    preprocess: 'tf',
    build: () => MobileNetV2({ ...imagenet, alpha: 0.35 }),
    taps: ['block_15_add', 'out_relu'],
    fineTuneCut: 'block_15_add',
  },
  'mobilenet_v2_1.0': {
    name: 'mobilenet_v2_1.0',
    description: 'MobileNetV2 alpha 1.0 (Keras .h5 weights)',
    inputSize: 224,
    preprocess: 'tf',
    build: () => MobileNetV2({ ...imagenet, alpha: 1.0 }),
    taps: ['block_15_add', 'out_relu'],
    fineTuneCut: 'block_15_add',
  },
  resnet50: {
    name: 'resnet50',
    description: 'ResNet50 (Keras .h5 weights)',
    inputSize: 224,
    preprocess: 'caffe',
    build: () => ResNet50(imagenet),
    taps: ['conv5_block2_out', 'conv5_block3_out'],
    fineTuneCut: 'conv5_block2_out',
  },
  vgg16: {
    name: 'vgg16',
    description: 'VGG16 (Keras .h5 weights)',
    inputSize: 224,
    preprocess: 'caffe',
    build: () => VGG16(imagenet),
    taps: ['block4_pool', 'block5_pool'],
    fineTuneCut: 'block4_pool',
  },
  vgg19: {
    name: 'vgg19',
    description: 'VGG19 (Keras .h5 weights)',
    inputSize: 224,
    preprocess: 'caffe',
    build: () => VGG19(imagenet),
    taps: ['block4_pool', 'block5_pool'],
    fineTuneCut: 'block4_pool',
  },
  inception_v3: {
    name: 'inception_v3',
    description: 'InceptionV3 at 299x299 (Keras .h5 weights)',
    inputSize: 299,
    preprocess: 'tf',
    build: () => InceptionV3(imagenet),
    taps: ['mixed9', 'mixed10'],
    fineTuneCut: 'mixed9',
  },
};

/** The base named `name`, or a TrainError listing the names. */
export function pipelineBase(name: string): PipelineBase {
  const base = PIPELINE_BASES[name];
  if (!base) {
    throw new TrainError(`pipelineBase: unknown model '${name}'. Use one of: ${Object.keys(PIPELINE_BASES).join(', ')}.`);
  }
  return base;
}
