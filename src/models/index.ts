/**
 * Public API of src/models: the Keras applications zoo in tfjs-layers (exact Keras layer names
 * and parameter counts), preprocessing, ImageNet decoding, summaries and weight loaders.
 */
export type { ActivationId, BaseModelOptions, WeightsOption } from './common';
export { MobileNet, type MobileNetOptions } from './mobilenet';
export { MobileNetV2, type MobileNetV2Options } from './mobilenet_v2';
export { VGG16, VGG19, type VGGOptions } from './vgg';
export { ResNet50, type ResNetOptions } from './resnet';
export { InceptionV3, type InceptionV3Options } from './inception_v3';
export { preprocessInput, CAFFE_MEAN_BGR, TORCH_MEAN, TORCH_STD, type PreprocessMode } from './preprocess';
export { MODEL_FAMILIES, FAMILY_NAMES, type FamilyName, type ModelFamily } from './families';
export { decodePredictions, imagenetLabels, IMAGENET_CLASSES, type Prediction } from './imagenet';
export { summary, formatCount, modelShapes, type ModelSummary, type SummaryRow } from './summary';
export { zooParamTable, type ZooParamRow, type ZooParamTableOptions } from './zoo';
export { loadKerasH5Weights, type KerasH5LoadOptions } from './weights/keras_h5';
export { loadTfjsFolderWeights, type TfjsFolderLoadOptions } from './weights/tfjs_folder';
export { loadWeightsFromPath } from './weights/pretrained';
export type { WeightLoadReport } from './weights/assign';
export { openKerasH5, type KerasH5File, type H5Layer } from './weights/keras_h5';
export { saveKerasH5Weights, type KerasH5SaveReport } from './weights/keras_h5_save';
export { disposeModels } from './dispose';
