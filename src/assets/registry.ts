/**
 * The course's pretrained models and datasets, by name. Only this module knows URLs and
 * checksums; everything else asks for an asset by name (`resolveAsset('hymenoptera_data')`).
 */

/** Names of every asset the course can use. */
export type AssetName =
  | 'mobilenet_v1_0.25_224'
  | 'mobilenet_v1_0.75_224'
  | 'mobilenet_v2_0.35_224_no_top'
  | 'keras_mobilenet_2_5_224_tf_no_top'
  | 'imagenet_class_index'
  | 'hymenoptera_data'
  | 'flowers12'
  | 'cats_dogs_100'
  | 'mnist'
  | 'keras_vgg16'
  | 'keras_vgg16_no_top'
  | 'keras_vgg19'
  | 'keras_vgg19_no_top'
  | 'keras_resnet50'
  | 'keras_resnet50_no_top'
  | 'keras_inception_v3'
  | 'keras_inception_v3_no_top'
  | 'keras_mobilenet_v2_1.0_224'
  | 'keras_mobilenet_v2_1.0_224_no_top'
  | 'keras_mobilenet_1_0_224'
  | 'keras_mobilenet_1_0_224_no_top';

/** Expected digest of a downloaded file: Keras publishes md5 for its weights, we prefer sha256. */
export interface Digest {
  sha256?: string;
  md5?: string;
}

/**
 * The Keras application a .h5 weight file belongs to: a download without a published hash is kept
 * only if every weighted layer of this model is in the file with the right shapes.
 */
export interface KerasWeightsModel {
  family: 'mobilenet' | 'mobilenet_v2';
  alpha: number;
  includeTop: boolean;
}

/** How an asset is obtained from its official source. */
export type AssetSource =
  /**
   * One file, saved under `file` (a weights .h5, a labels .json). `size` is its byte length, the
   * check when the publisher gives no digest; `kerasModel` is the model its .h5 weights must fit.
   */
  | { kind: 'file'; url: string; file: string; digest?: Digest; size?: number; kerasModel?: KerasWeightsModel }
  /** A TF.js layers model: model.json, then every shard its weightsManifest lists. */
  | { kind: 'tfjs-model'; url: string }
  /** A .zip or .tar.gz archive, extracted; `root` is the folder inside it that becomes the asset. */
  | { kind: 'archive'; url: string; format: 'zip' | 'tar.gz'; root: string; digest?: Digest }
  /** Several files saved side by side (MNIST's four idx files). */
  | { kind: 'files'; files: { url: string; file: string; digest?: Digest }[] }
  /**
   * Built on this machine from an official download (`from`) by the builder `build` of
   * src/assets/builders/; `origin` says what the official source is. Where the result cannot be
   * byte-identical to the course mirror's copy, the asset's description says so.
   */
  | { kind: 'built'; from: BuildInput; build: BuilderName; origin: string };

/** Names of the builders of src/assets/builders/. */
export type BuilderName = 'flowers12' | 'cats_dogs_100' | 'mobilenet_v2_0.35_224_no_top';

/** The official file a builder starts from. */
export interface BuildInput {
  url: string;
  /** File name it is saved under before the build. */
  file: string;
  /** The digest the download must have; absent where none is published (the builder then checks the content). */
  digest?: Digest;
}

export interface AssetEntry {
  name: AssetName;
  kind: 'model' | 'weights' | 'dataset' | 'labels';
  /** One line for tables and errors. */
  description: string;
  /** Where the asset sits inside a mirror folder (the layout of ../shared/assets). */
  mirrorPath: string;
  /** Whether the local asset is a folder or a single file. */
  layout: 'folder' | 'file';
  source: AssetSource;
  /**
   * File of `datasets/manifests/` that lists `sha256  ./relative/path` for every file of the
   * asset as the course uses it; present where the bytes are known.
   */
  manifest?: string;
  /** Approximate size in MB, to warn before a long download. */
  sizeMB: number;
}

const TFJS_MODELS = 'https://storage.googleapis.com/tfjs-models/tfjs';
const KERAS_APPS = 'https://storage.googleapis.com/tensorflow/keras-applications';

function kerasWeights(
  name: AssetName,
  description: string,
  folder: string,
  file: string,
  md5: string | undefined,
  sizeMB: number,
  unhashed?: { size: number; kerasModel: KerasWeightsModel },
): AssetEntry {
  return {
    name,
    kind: 'weights',
    description,
    mirrorPath: `models/keras/${file}`,
    layout: 'file',
    source: { kind: 'file', url: `${KERAS_APPS}/${folder}/${file}`, file, digest: md5 ? { md5 } : undefined, ...unhashed },
    sizeMB,
  };
}

/** Every asset, in the order tables list them. */
export const ASSETS: readonly AssetEntry[] = [
  {
    name: 'mobilenet_v1_0.25_224',
    kind: 'model',
    description: 'MobileNet v1 alpha 0.25, 224x224, ImageNet top (TF.js layers model, top-1 49.7%)',
    mirrorPath: 'models/mobilenet_v1_0.25_224',
    layout: 'folder',
    source: { kind: 'tfjs-model', url: `${TFJS_MODELS}/mobilenet_v1_0.25_224/model.json` },
    manifest: 'mobilenet_v1_0.25_224.sha256',
    sizeMB: 2,
  },
  {
    name: 'mobilenet_v1_0.75_224',
    kind: 'model',
    description: 'MobileNet v1 alpha 0.75, 224x224, ImageNet top (TF.js layers model, top-1 68.4%)',
    mirrorPath: 'models/mobilenet_v1_0.75_224',
    layout: 'folder',
    source: { kind: 'tfjs-model', url: `${TFJS_MODELS}/mobilenet_v1_0.75_224/model.json` },
    manifest: 'mobilenet_v1_0.75_224.sha256',
    sizeMB: 10,
  },
  {
    name: 'mobilenet_v2_0.35_224_no_top',
    kind: 'model',
    description:
      'MobileNetV2 alpha 0.35, 224x224, no top (TF.js layers model; the mirror copy is re-saved from a Teachable Machine base, ' +
      'a download is built from the official Keras .h5: same weights, other model.json bytes)',
    mirrorPath: 'models/mobilenet_v2_0.35_224_no_top',
    layout: 'folder',
    source: {
      kind: 'built',
      // Keras publishes no hash for its MobileNetV2 files: the builder's strict by-name load is the check.
      from: {
        url: `${KERAS_APPS}/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5`,
        file: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5',
      },
      build: 'mobilenet_v2_0.35_224_no_top',
      origin: 'the Keras applications MobileNetV2 0.35 no-top weights (.h5), loaded into our MobileNetV2 builder and saved as TF.js',
    },
    manifest: 'mobilenet_v2_0.35_224_no_top.sha256',
    sizeMB: 2,
  },
  {
    name: 'keras_mobilenet_2_5_224_tf_no_top',
    kind: 'weights',
    description: 'Keras MobileNet v1 alpha 0.25 no-top weights (.h5, keras 2.0.4)',
    mirrorPath: 'models/keras/mobilenet_2_5_224_tf_no_top.h5',
    layout: 'file',
    source: {
      kind: 'file',
      url: 'https://github.com/fchollet/deep-learning-models/releases/download/v0.6/mobilenet_2_5_224_tf_no_top.h5',
      file: 'mobilenet_2_5_224_tf_no_top.h5',
      digest: { sha256: 'dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf' },
    },
    sizeMB: 1,
  },
  {
    name: 'imagenet_class_index',
    kind: 'labels',
    description: 'The 1000 ImageNet class names Keras decode_predictions uses',
    mirrorPath: 'models/imagenet_class_index.json',
    layout: 'file',
    source: {
      kind: 'file',
      url: 'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json',
      file: 'imagenet_class_index.json',
      digest: { md5: 'c2c37ea517e94d9795004a39431a14cb' },
    },
    sizeMB: 0.04,
  },
  {
    name: 'hymenoptera_data',
    kind: 'dataset',
    description: 'Ants vs bees photos (PyTorch transfer-learning tutorial): train 245, val 153',
    mirrorPath: 'datasets/hymenoptera_data',
    layout: 'folder',
    source: {
      kind: 'archive',
      url: 'https://download.pytorch.org/tutorial/hymenoptera_data.zip',
      format: 'zip',
      root: 'hymenoptera_data',
    },
    manifest: 'hymenoptera_data.sha256',
    sizeMB: 47,
  },
  {
    name: 'flowers12',
    kind: 'dataset',
    description:
      '12 Oxford flower species at 224x224: train 720, test 240 (a download is built from 17flowers.tgz: same files and split ' +
      'as the mirror, its own resize, so other JPEG bytes)',
    mirrorPath: 'datasets/flowers12',
    layout: 'folder',
    source: {
      kind: 'built',
      from: {
        url: 'https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz',
        file: '17flowers.tgz',
        // Oxford publishes no digest; this md5 is the one independent loaders (torchvision-style Flowers17, DeepMind's dm_nevis) pin.
        digest: { md5: 'b59a65d8d1a99cd66944d474e1289eab' },
      },
      build: 'flowers12',
      origin: 'a 12-class subset of the Oxford VGG 17 Category Flower dataset (17flowers.tgz), resized to 224x224',
    },
    manifest: 'flowers12.sha256',
    sizeMB: 12,
  },
  {
    name: 'cats_dogs_100',
    kind: 'dataset',
    description:
      'Cats vs dogs at 100x100: train 1999, test 200 (a download is built from the TensorFlow tutorial\'s cats_and_dogs_filtered.zip: ' +
      'same counts, other photos and file names than the mirror copy)',
    mirrorPath: 'datasets/cats_dogs_100',
    layout: 'folder',
    source: {
      kind: 'built',
      // No digest is published for this zip: the builder checks that every file of its recipe is there.
      from: { url: 'https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip', file: 'cats_and_dogs_filtered.zip' },
      build: 'cats_dogs_100',
      origin: 'the Dogs vs Cats subset of the TensorFlow transfer-learning tutorial (cats_and_dogs_filtered.zip), resized to 100x100',
    },
    manifest: 'cats_dogs_100.sha256',
    sizeMB: 10,
  },
  {
    name: 'mnist',
    kind: 'dataset',
    description: 'MNIST handwritten digits in idx format: train 60000, test 10000',
    mirrorPath: 'datasets/mnist',
    layout: 'folder',
    // The course mirror re-packs MNIST sorted by label, so its bytes differ from these originals;
    // both are valid idx files, so each is checked against its own checksums.
    source: {
      kind: 'files',
      files: [
        ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
        ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
        ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
        ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
      ].map(([file, md5]) => ({
        url: `https://storage.googleapis.com/cvdf-datasets/mnist/${file}`,
        file,
        digest: { md5 },
      })),
    },
    manifest: 'mnist.sha256',
    sizeMB: 11,
  },
  kerasWeights('keras_vgg16', 'Keras VGG16 ImageNet weights with top', 'vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels.h5', '64373286793e3c8b2b4e3219cbf3544b', 528),
  kerasWeights('keras_vgg16_no_top', 'Keras VGG16 ImageNet weights, no top', 'vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', '6d6bbae143d832006294945121d1f1fc', 56),
  kerasWeights('keras_vgg19', 'Keras VGG19 ImageNet weights with top', 'vgg19', 'vgg19_weights_tf_dim_ordering_tf_kernels.h5', 'cbe5617147190e668d6c5d5026f83318', 549),
  kerasWeights('keras_vgg19_no_top', 'Keras VGG19 ImageNet weights, no top', 'vgg19', 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', '253f8cb515780f3b799900260a226db6', 80),
  kerasWeights('keras_resnet50', 'Keras ResNet50 ImageNet weights with top', 'resnet', 'resnet50_weights_tf_dim_ordering_tf_kernels.h5', '2cb95161c43110f7111970584f804107', 98),
  kerasWeights('keras_resnet50_no_top', 'Keras ResNet50 ImageNet weights, no top', 'resnet', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', '4d473c1dd8becc155b73f8504c6f6626', 90),
  kerasWeights('keras_inception_v3', 'Keras InceptionV3 ImageNet weights with top', 'inception_v3', 'inception_v3_weights_tf_dim_ordering_tf_kernels.h5', '9a0d58056eeedaa3f26cb7ebd46da564', 92),
  kerasWeights('keras_inception_v3_no_top', 'Keras InceptionV3 ImageNet weights, no top', 'inception_v3', 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5', 'bcbd6486424b2319ff4ef7d526e38f63', 84),
  // Keras publishes no hash for the MobileNet files. A download is kept only if its byte length is
  // the known one (the Content-Length Keras' own get_file reports for these URLs, e.g.
  // "14536120/14536120") and every layer the model needs is in it with the right shapes.
  kerasWeights('keras_mobilenet_v2_1.0_224', 'Keras MobileNetV2 1.0 ImageNet weights with top', 'mobilenet_v2', 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5', undefined, 14,
    { size: 14536120, kerasModel: { family: 'mobilenet_v2', alpha: 1.0, includeTop: true } }),
  kerasWeights('keras_mobilenet_v2_1.0_224_no_top', 'Keras MobileNetV2 1.0 ImageNet weights, no top', 'mobilenet_v2', 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5', undefined, 9,
    { size: 9406464, kerasModel: { family: 'mobilenet_v2', alpha: 1.0, includeTop: false } }),
  kerasWeights('keras_mobilenet_1_0_224', 'Keras MobileNet 1.0 ImageNet weights with top', 'mobilenet', 'mobilenet_1_0_224_tf.h5', undefined, 17,
    { size: 17225924, kerasModel: { family: 'mobilenet', alpha: 1.0, includeTop: true } }),
  kerasWeights('keras_mobilenet_1_0_224_no_top', 'Keras MobileNet 1.0 ImageNet weights, no top', 'mobilenet', 'mobilenet_1_0_224_tf_no_top.h5', undefined, 17,
    { size: 17225924, kerasModel: { family: 'mobilenet', alpha: 1.0, includeTop: false } }),
];

/** The registry entry for `name`, or undefined for an unknown name. */
export function findAsset(name: string): AssetEntry | undefined {
  return ASSETS.find((entry) => entry.name === name);
}
