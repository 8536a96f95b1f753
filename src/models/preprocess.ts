/**
 * Keras' `preprocess_input` modes: each pretrained family expects its inputs scaled the way its
 * weights were trained ('tf' for MobileNet / MobileNetV2 / InceptionV3, 'caffe' for VGG / ResNet50).
 * Feeding the wrong mode still runs, silently worse: that is why each family names its mode.
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';

/**
 * - 'tf': scale [0, 255] to [-1, 1] (x / 127.5 - 1).
 * - 'caffe': RGB -> BGR, then subtract the ImageNet mean per channel (BGR [103.939, 116.779, 123.68]), no scaling.
 * - 'torch': scale to [0, 1], then normalise per channel with the ImageNet mean [0.485, 0.456, 0.406]
 *   and standard deviation [0.229, 0.224, 0.225] (RGB).
 */
export type PreprocessMode = 'tf' | 'caffe' | 'torch';

/** ImageNet channel means in BGR order, subtracted in 'caffe' mode. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;
/** ImageNet channel means (RGB, of [0, 1] pixels) used in 'torch' mode. */
export const TORCH_MEAN = [0.485, 0.456, 0.406] as const;
/** ImageNet channel standard deviations (RGB, of [0, 1] pixels) used in 'torch' mode. */
export const TORCH_STD = [0.229, 0.224, 0.225] as const;

/**
 * Preprocesses RGB images with pixel values in [0, 255] (shape [h, w, 3] or [n, h, w, 3],
 * channels last) for a pretrained model, as Keras' `preprocess_input(x, mode=...)`. Returns a new
 * float32 tensor of the same shape; `x` is left as it is (the caller disposes both).
 *
 * @example
 * const xs = preprocessInput(images, 'caffe'); // for VGG16 / ResNet50
 * @see notebooks/03-pretrained-models.ipynb
 */
export function preprocessInput<T extends tf.Tensor3D | tf.Tensor4D>(x: T, mode: PreprocessMode): T {
  const fn = 'preprocessInput';
  if (mode !== 'tf' && mode !== 'caffe' && mode !== 'torch') {
    throw new DataError(`${fn}: mode must be 'tf', 'caffe' or 'torch'; received mode=${JSON.stringify(mode)}.`);
  }
  if (x.rank !== 3 && x.rank !== 4) {
    throw new DataError(`${fn}: expects images of shape [h, w, 3] or [n, h, w, 3]; received shape [${x.shape.join(', ')}].`);
  }
  const channels = x.shape[x.rank - 1];
  if (mode !== 'tf' && channels !== 3) {
    throw new DataError(
      `${fn}: mode '${mode}' needs RGB images with 3 channels last; received shape [${x.shape.join(', ')}].`,
    );
  }
  return tf.tidy(() => {
    const f = x.toFloat();
    if (mode === 'tf') return f.div(127.5).sub(1) as T;
    if (mode === 'caffe') return f.reverse(-1).sub(tf.tensor1d([...CAFFE_MEAN_BGR])) as T;
    return f.div(255).sub(tf.tensor1d([...TORCH_MEAN])).div(tf.tensor1d([...TORCH_STD])) as T;
  });
}
