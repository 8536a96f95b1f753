/**
 * Data: decode images, folder-per-class datasets with Keras' DirectoryIterator semantics,
 * ImageDataGenerator augmentation, MNIST, the course datasets by name, and a dataset summary.
 */
export { decodeImage, sniffFormat, IMAGE_EXTENSIONS, type DecodeImageOptions, type DecodedImage } from './decode';
export { decodeBmp, isBmp } from './bmp';
export { decodePnm, isPnm } from './ppm';
export { listClassFiles, compareCodePoints, type ListOptions, type ClassFileListing, type Subset } from './directory';
export {
  ImageDataGenerator,
  flowFromDirectory,
  type ImageDataGeneratorOptions,
} from './generator';
export {
  DirectoryIterator,
  ArrayIterator,
  type ArrayBatch,
  type ArrayFlowOptions,
  type BatchTransformer,
  type FlowFromDirectoryOptions,
} from './flow';
export { BatchIterator, type IteratorOptions } from './iterator';
export { applyTransforms, transformVector, IDENTITY_TRANSFORM, type FillMode, type TransformParams } from './augment';
export { createRng, deriveSeed, type Rng } from './random';
export {
  datasetSummary,
  type DatasetSummary,
  type DatasetSummaryOptions,
  type SplitFileIssue,
  type SummarySource,
} from './summary';
export { loadMnist, parseIdx, type IdxArray, type LoadMnistOptions, type MnistData } from './mnist';
export { antsBees, flowers12, catsDogs100, mnist, type DatasetLoaderOptions, type SplitIterators } from './datasets';
export {
  ImageDecodeError,
  INTERPOLATIONS,
  type Batch,
  type ClassMode,
  type DecodeReason,
  type FileIssue,
  type Interpolation,
  type SkippedFile,
} from './types';
