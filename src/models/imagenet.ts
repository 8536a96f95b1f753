/**
 * ImageNet class names and Keras' `decode_predictions`: turn a [n, 1000] probability tensor into
 * the top-k (class index, class name, probability) per image. The names come from the
 * `metadata.json` of the course's MobileNet asset (no copy of the labels lives in the repo).
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveAsset } from '../assets';
import { AssetError, ModelError } from '../errors';

/** One decoded guess. */
export interface Prediction {
  /** ImageNet class index, 0..999. */
  classIndex: number;
  /** Class name with its synonyms, e.g. 'ant, emmet, pismire'. */
  className: string;
  /** The model's probability (or score) for that class. */
  probability: number;
}

/** Number of ImageNet (ILSVRC-2012) classes. */
export const IMAGENET_CLASSES = 1000;

let labels: Promise<string[]> | undefined;

/**
 * Keras' imagenet_class_index.json ({"0": ["n01440764", "tench"], ...}) as label strings, '_' as
 * spaces: the names a copy without metadata.json uses (the official TF.js download has none).
 */
async function readKerasClassIndex(): Promise<string[]> {
  const file = await resolveAsset('imagenet_class_index');
  const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, [string, string]>;
  const list = Array.from({ length: IMAGENET_CLASSES }, (_, i) => parsed[String(i)]?.[1]);
  if (!list.every((l) => typeof l === 'string')) {
    throw new AssetError(`imagenetLabels: ${file} does not map each of "0" ... "999" to [wnid, name].`);
  }
  return list.map((l) => (l as string).replace(/_/g, ' '));
}

async function readLabels(): Promise<string[]> {
  const file = path.join(await resolveAsset('mobilenet_v1_0.25_224'), 'metadata.json');
  // The course mirror adds metadata.json (names with synonyms); a downloaded copy has only the model.
  if (!existsSync(file)) return readKerasClassIndex();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new AssetError(`imagenetLabels: cannot read ${file} (${err instanceof Error ? err.message : String(err)}).`);
  }
  const list = (parsed as { labels?: unknown }).labels;
  if (!Array.isArray(list) || list.length !== IMAGENET_CLASSES || !list.every((l) => typeof l === 'string')) {
    throw new AssetError(`imagenetLabels: ${file} has no list of ${IMAGENET_CLASSES} label strings under "labels".`);
  }
  return list;
}

/**
 * The 1000 ImageNet class names, index i = output unit i of an ImageNet classifier. Read once
 * from the 'mobilenet_v1_0.25_224' asset's metadata.json (course mirror: 'tench, Tinca tinca'),
 * or, for a downloaded copy that has none, from Keras' 'imagenet_class_index' ('tench'), then cached.
 */
export function imagenetLabels(): Promise<string[]> {
  if (labels === undefined) {
    labels = readLabels();
    labels.catch(() => {
      labels = undefined; // let a later call retry (e.g. after the mirror is set)
    });
  }
  return labels;
}

/**
 * Decodes ImageNet predictions as Keras' `decode_predictions`: for each row of `probs`
 * ([n, 1000]), the `top` most probable classes, most probable first.
 *
 * @example
 * const probs = model.predict(preprocessInput(images, 'tf')) as tf.Tensor2D;
 * const [first] = await decodePredictions(probs, 3); // [{classIndex, className, probability}, ...]
 * @see notebooks/03-pretrained-models.ipynb
 */
export async function decodePredictions(probs: tf.Tensor2D, top = 5): Promise<Prediction[][]> {
  const fn = 'decodePredictions';
  if (probs.rank !== 2 || probs.shape[1] !== IMAGENET_CLASSES) {
    throw new ModelError(
      `${fn}: expects a batch of ImageNet predictions of shape [n, ${IMAGENET_CLASSES}]; received shape [${probs.shape.join(', ')}]. ` +
        `Use it on the output of a model with the 1000-class ImageNet top (includeTop: true, classes: 1000).`,
    );
  }
  if (!Number.isInteger(top) || top < 1 || top > IMAGENET_CLASSES) {
    throw new ModelError(`${fn}: top must be an integer from 1 to ${IMAGENET_CLASSES}; received top=${top}.`);
  }
  const names = await imagenetLabels();
  const { values, indices } = tf.topk(probs, top);
  try {
    const [v, i] = [await values.array(), await indices.array()];
    return v.map((row, r) => row.map((p, k) => ({ classIndex: i[r][k], className: names[i[r][k]], probability: p })));
  } finally {
    tf.dispose([values, indices]);
  }
}
