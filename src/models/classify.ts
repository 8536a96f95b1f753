/**
 * Classifies one image file with a model: decode, resize to the model's input, preprocess, predict,
 * and name the top classes. Used to try a pretrained model on a photo and to predict a new image
 * with a fine-tuned one.
 * @see notebooks/00-setup-check.ipynb, notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { decodeImage, type Interpolation } from '../data';
import { ModelError } from '../errors';
import { decodePredictions, IMAGENET_CLASSES, type Prediction } from './imagenet';
import { preprocessInput, type PreprocessMode } from './preprocess';

export interface ClassifyImageOptions {
  /** How many classes to return, best first. Defaults to 5. */
  top?: number;
  /** The model family's preprocessing. Defaults to 'tf' ([-1, 1], MobileNet / Inception). */
  preprocess?: PreprocessMode | 'none' | ((x: tf.Tensor4D) => tf.Tensor4D);
  /** Names of the model's classes; defaults to the ImageNet names for a 1000-class output. */
  classNames?: string[];
  /** Resize filter; use what the model was trained with. Defaults to 'bilinear'. */
  interpolation?: Interpolation;
  /** Centre-crop to the input's aspect ratio first (what `transfer-lab train` does). Defaults to false (stretch). */
  keepAspectRatio?: boolean;
}

/**
 * Top predictions of `model` for the image at `file`.
 *
 * @example
 * const top5 = await classifyImage(mobilenet, 'val/ants/8124241_36b290d372.jpg');
 * // [{ className: 'ant, emmet, pismire', probability: 0.83, classIndex: 310 }, ...]
 */
export async function classifyImage(model: tf.LayersModel, file: string, options: ClassifyImageOptions = {}): Promise<Prediction[]> {
  const shape = model.inputs[0].shape;
  const [height, width] = [shape[1], shape[2]];
  if (height == null || width == null) {
    throw new ModelError(`classifyImage: model '${model.name}' has no fixed input size (${JSON.stringify(shape)}); build it with inputShape.`);
  }
  const image = await decodeImage(file, {
    targetSize: [height, width],
    interpolation: options.interpolation ?? 'bilinear',
    keepAspectRatio: options.keepAspectRatio ?? false,
  });
  const preprocess = options.preprocess ?? 'tf';
  const probs = tf.tidy(() => {
    const x = tf.tensor4d(image.data, [1, height, width, 3], 'int32').toFloat();
    const input =
      preprocess === 'none' ? x : typeof preprocess === 'function' ? preprocess(x) : preprocessInput(x, preprocess);
    const out = model.predict(input) as tf.Tensor;
    return out.reshape([1, -1]) as tf.Tensor2D;
  });
  try {
    const top = options.top ?? 5;
    const width = probs.shape[1];
    if (options.classNames) {
      if (options.classNames.length !== width && !(width === 1 && options.classNames.length === 2)) {
        throw new ModelError(
          `classifyImage: ${options.classNames.length} class names given, but model '${model.name}' has ${width} output(s).`,
        );
      }
      const values = Array.from(await probs.data());
      // A single sigmoid unit is the probability of class 1 (Keras' binary class_mode).
      const scores = width === 1 ? [1 - values[0], values[0]] : values;
      return scores
        .map((probability, classIndex) => ({ classIndex, className: options.classNames![classIndex], probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, top);
    }
    if (width !== IMAGENET_CLASSES) {
      throw new ModelError(`classifyImage: model '${model.name}' has ${width} outputs; pass classNames to name them.`);
    }
    return (await decodePredictions(probs, top))[0];
  } finally {
    probs.dispose();
  }
}
