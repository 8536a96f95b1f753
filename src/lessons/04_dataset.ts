/**
 * Helpers of lesson 04 (build the dataset, load a pretrained base): an audit of the image files
 * of a folder-per-class dataset, a throw-away copy with broken files planted in it, image grids
 * of a batch and of augmentations, and the Keras .h5 weight listing.
 * @see notebooks/04-dataset-and-pretrained-model.ipynb
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { decodeImage, listClassFiles, ImageDecodeError, IDENTITY_TRANSFORM, createRng, ImageDataGenerator } from '../data';
import type { FillMode, TransformParams } from '../data';
import { DataError } from '../errors';
import type { AssetLocationOptions } from '../assets/locations';
import { disposeModels } from '../models/dispose';
import { VGG19 } from '../models/vgg';
import { openKerasH5, withKerasH5 } from '../models/weights/keras_h5';
import { saveKerasH5Weights } from '../models/weights/keras_h5_save';
import { materialsVgg19Weights } from './vgg19_recipe';
import type { GridImage } from '../viz';

/** One image file as {@link auditImageFiles} found it (a type alias, so tables accept it as a record). */
export type ImageFileInfo = {
  /** Split folder, e.g. 'train'. */
  split: string;
  /** Class folder, e.g. 'ants'. */
  class: string;
  /** Path relative to the class folder. */
  file: string;
  /** Content format found by decoding ('jpeg', 'gif', ...), or 'undecodable: <reason>'. */
  format: string;
  /** Width and height in pixels (0 when the file cannot be decoded). */
  width: number;
  height: number;
  /** File size in kB (1000 bytes). */
  kB: number;
  /** Full path. */
  path: string;
};

/** Runs `fn` over items with at most `limit` in flight, keeping the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Decodes every image file of `root/<split>/<class>/` and records its format, size in pixels and
 * size on disk: the raw material for spotting files that do not belong (a placeholder graphic,
 * a thumbnail, a different format). Files that cannot be decoded are listed, not thrown.
 *
 * @example
 * const files = await auditImageFiles(await resolveAsset('hymenoptera_data'), ['train', 'val']);
 * show(toHtmlTable(imageFormatSummary(files)));
 */
export async function auditImageFiles(root: string, splits: string[]): Promise<ImageFileInfo[]> {
  const rows: ImageFileInfo[] = [];
  for (const split of splits) {
    const dir = path.join(root, split);
    const listing = listClassFiles(dir, { caller: 'auditImageFiles' });
    const indices = listing.filepaths.map((_, i) => i);
    const found = await mapLimit(indices, 4, async (i): Promise<ImageFileInfo> => {
      const file = listing.filepaths[i];
      const cls = listing.classNames[listing.classes[i]];
      const base = { split, class: cls, file: path.relative(path.join(dir, cls), file), kB: statSync(file).size / 1000, path: file };
      try {
        const img = await decodeImage(file);
        return { ...base, format: img.format, width: img.width, height: img.height };
      } catch (err) {
        if (!(err instanceof ImageDecodeError)) throw err;
        return { ...base, format: `undecodable: ${err.reason}`, width: 0, height: 0 };
      }
    });
    rows.push(...found);
  }
  return rows;
}

/** One group of {@link imageFormatSummary}: the files of one split, class and format. */
export type FormatSummaryRow = {
  split: string;
  class: string;
  format: string;
  files: number;
  minWidth: number;
  maxWidth: number;
  minHeight: number;
  maxHeight: number;
  /** Mean file size in kB. */
  meanKB: number;
};

/**
 * Groups audited files by split, class and format, with the range of widths and heights: a
 * short table in which an odd group (one GIF among JPEGs, a fixed size among varied photos)
 * stands out. Groups keep the order in which they first appear.
 */
export function imageFormatSummary(files: ImageFileInfo[]): FormatSummaryRow[] {
  const groups = new Map<string, FormatSummaryRow & { totalKB: number }>();
  for (const f of files) {
    const key = `${f.split}\u0000${f.class}\u0000${f.format}`;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, {
        split: f.split, class: f.class, format: f.format, files: 1, minWidth: f.width, maxWidth: f.width,
        minHeight: f.height, maxHeight: f.height, meanKB: f.kB, totalKB: f.kB,
      });
      continue;
    }
    g.files += 1;
    g.minWidth = Math.min(g.minWidth, f.width);
    g.maxWidth = Math.max(g.maxWidth, f.width);
    g.minHeight = Math.min(g.minHeight, f.height);
    g.maxHeight = Math.max(g.maxHeight, f.height);
    g.totalKB += f.kB;
    g.meanKB = g.totalKB / g.files;
  }
  return [...groups.values()].map(({ totalKB: _total, ...row }) => row);
}

/** What {@link makeBrokenDatasetCopy} planted. */
export interface BrokenDatasetCopy {
  /** The new folder (under the system temp folder), one sub-folder per class. */
  dir: string;
  /** Files copied unchanged. */
  copied: number;
  /** The planted files and what is wrong with each. */
  planted: { path: string; what: string }[];
}

/**
 * Copies the first `perClass` files of each class of `source` (a folder with one sub-folder per
 * class) into a new folder under the system temp folder, then plants four problem files in the
 * first class: an empty file, an HTML error page saved as .jpg, a JPEG cut in half, and a PNG
 * named .jpg. The source is only read. Delete `dir` when done (fs.rmSync(dir, {recursive: true})).
 *
 * @param perClass files copied per class. Defaults to 4.
 */
export async function makeBrokenDatasetCopy(source: string, perClass = 4): Promise<BrokenDatasetCopy> {
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new DataError(`makeBrokenDatasetCopy: perClass must be a positive integer; received ${perClass}.`);
  }
  const listing = listClassFiles(source, { caller: 'makeBrokenDatasetCopy' });
  const dir = mkdtempSync(path.join(tmpdir(), 'transfer-lab-04-'));
  let copied = 0;
  const firstOf: string[] = [];
  listing.classNames.forEach((name, c) => {
    mkdirSync(path.join(dir, name));
    const files = listing.filepaths.filter((_, i) => listing.classes[i] === c).slice(0, perClass);
    for (const file of files) {
      const target = path.join(dir, name, path.basename(file));
      copyFileSync(file, target);
      copied += 1;
      if (firstOf.length === 0 && /\.jpe?g$/i.test(file)) firstOf.push(target);
    }
  });
  const cls = path.join(dir, listing.classNames[0]);
  const jpeg = firstOf[0] ?? listing.filepaths[0];
  const bytes = readFileSync(jpeg);
  const planted = [
    { name: 'empty.jpg', what: 'zero bytes (an interrupted copy)', data: Buffer.alloc(0) },
    { name: 'download.jpg', what: 'an HTML error page saved under an image name', data: Buffer.from('<html><body><h1>404 Not Found</h1></body></html>\n') },
    { name: 'half.jpg', what: 'the first half of a JPEG (an interrupted download)', data: bytes.subarray(0, Math.floor(bytes.length / 2)) },
    { name: 'really-a-png.jpg', what: 'a good PNG image with a .jpg name', data: await sharp(bytes).png().toBuffer() },
  ];
  for (const p of planted) writeFileSync(path.join(cls, p.name), p.data);
  return { dir, copied, planted: planted.map((p) => ({ path: path.join(cls, p.name), what: p.what })) };
}

/** Splits a batch `[n, h, w, c]` into grid tiles (pixels as float32, shown as the grid's rules say). */
async function tilesOf(xs: tf.Tensor4D, titles: string[]): Promise<GridImage[]> {
  const [n, height, width, channels] = xs.shape;
  const data = (await xs.data()) as Float32Array;
  const size = height * width * channels;
  return Array.from({ length: n }, (_, i) => ({
    data: Float32Array.from(data.subarray(i * size, (i + 1) * size)),
    height, width, channels, title: titles[i],
  }));
}

/**
 * Grid tiles for a batch from an iterator, titled with each image's class name: one-hot labels
 * (classMode 'categorical') by their largest entry, sparse or binary labels by their value.
 *
 * @example show(await imageGridFigure(await batchGridImages(batch, train.classNames)));
 */
export async function batchGridImages(batch: { xs: tf.Tensor4D; ys: tf.Tensor }, classNames: string[]): Promise<GridImage[]> {
  const { xs, ys } = batch;
  const indices = tf.tidy(() => (ys.rank === 2 && ys.shape[1]! > 1 ? tf.argMax(ys, 1) : tf.reshape(ys, [-1])));
  const labels = Array.from(await indices.data());
  indices.dispose();
  return tilesOf(xs, labels.map((c) => classNames[Math.round(c)] ?? `class ${c}`));
}

/** Short tile title for one transformation: rotation, zoom, shift in pixels, flip. */
function transformTitle(p: TransformParams): string {
  // Positive ty moves the content left and positive tx moves it up (see TransformParams).
  const across = `${Math.abs(p.ty).toFixed(0)} px ${p.ty > 0 ? 'left' : 'right'}`;
  const vertical = `${Math.abs(p.tx).toFixed(0)} px ${p.tx > 0 ? 'up' : 'down'}`;
  return `rot ${p.theta.toFixed(0)}°, zoom ${p.zx.toFixed(2)}×${p.zy.toFixed(2)}\n${across}, ${vertical}${p.flipHorizontal ? ', flip' : ''}`;
}

/** Options of {@link augmentationPreview}. */
export interface AugmentationPreviewOptions {
  /** Number of augmented copies. Defaults to 8. */
  count?: number;
  /** Seed of the random transformations: the same seed gives the same grid. Defaults to 42. */
  seed?: number;
  /** `[height, width]` the photo is resized to first. Defaults to [224, 224]. */
  targetSize?: [number, number];
}

/**
 * One photo, then `count` random augmentations of it by `generator` (its geometry, flips and
 * `rescale`), each titled with the transformation drawn. Seeded, so the grid is reproducible.
 */
export async function augmentationPreview(
  generator: ImageDataGenerator,
  file: string,
  opts: AugmentationPreviewOptions = {},
): Promise<GridImage[]> {
  const { count = 8, seed = 42, targetSize = [224, 224] } = opts;
  const img = await decodeImage(file, { targetSize, interpolation: 'bilinear' });
  const rng = createRng(seed);
  const params = Array.from({ length: count }, () => generator.getRandomTransform(targetSize, rng));
  const batch = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(img.data), [1, img.height, img.width, 3]);
    const copies = tf.tile(x, [count + 1, 1, 1, 1]) as tf.Tensor4D;
    return generator.standardize(generator.applyTransform(copies, [{ ...IDENTITY_TRANSFORM }, ...params]));
  });
  try {
    return await tilesOf(batch, ['original', ...params.map(transformTitle)]);
  } finally {
    batch.dispose();
  }
}

/** Options of {@link fillModeComparison}. */
export interface FillModeComparisonOptions {
  /** Fill modes to compare. Defaults to all four: 'nearest', 'constant', 'reflect', 'wrap'. */
  modes?: FillMode[];
  /**
   * The transformation applied with every mode (fields not given stay at the identity).
   * Defaults to shifting the content 30% left and 30% up, which uncovers the right and bottom
   * borders. (Not the top / left ones: on tfjs-backend-wasm 4.22, 'reflect' fills points
   * beyond the top / left border from the opposite edge, unlike Keras and the cpu backend.)
   */
  transform?: Partial<TransformParams>;
  /** `[height, width]` the photo is resized to first. Defaults to [224, 224]. */
  targetSize?: [number, number];
}

/**
 * The same transformation of one photo under each fill mode: how the area uncovered by a
 * shift or rotation gets filled (Keras `fill_mode`).
 */
export async function fillModeComparison(file: string, opts: FillModeComparisonOptions = {}): Promise<GridImage[]> {
  const { modes = ['nearest', 'constant', 'reflect', 'wrap'], targetSize = [224, 224] } = opts;
  const [h, w] = targetSize;
  const params: TransformParams = { ...IDENTITY_TRANSFORM, ...(opts.transform ?? { tx: 0.3 * h, ty: 0.3 * w }) };
  const img = await decodeImage(file, { targetSize, interpolation: 'bilinear' });
  const x = tf.tensor3d(Float32Array.from(img.data), [h, w, 3]);
  try {
    const out = tf.tidy(() => tf.stack(modes.map((fillMode) => new ImageDataGenerator({ fillMode }).applyTransform(x, params))) as tf.Tensor4D);
    try {
      return await tilesOf(out, modes.map((m) => `fillMode '${m}'`));
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
  }
}

/** One stored weight of a Keras .h5 file. */
export type H5WeightRow = {
  layer: string;
  /** The name in the layer's `weight_names` attribute, e.g. 'conv1_bn/gamma:0'. */
  weight: string;
  /** Shape as text, e.g. '[3, 3, 3, 8]'. */
  shape: string;
  /** Number of values. */
  values: number;
};

/** What {@link listH5Weights} read. */
export interface H5Listing {
  /** The Keras version that wrote the file ('unknown' when not recorded). */
  kerasVersion: string;
  /** Layers that have weights. */
  layerCount: number;
  /** Weight tensors over all layers. */
  tensorCount: number;
  /** Sum of all weight values. */
  parameterCount: number;
  /** One row per weight tensor, in file order. */
  rows: H5WeightRow[];
}

/**
 * Lists a Keras .h5 weights file the way the h5py recipe reads it: for each name in
 * `layer_names`, the layer group's `weight_names` attribute and each dataset's shape.
 * Works for full-model files (under 'model_weights') and weight-only files (at the root).
 */
export async function listH5Weights(h5Path: string): Promise<H5Listing> {
  return withKerasH5(h5Path, (layers, meta) => {
    const rows = layers.flatMap((layer) =>
      layer.weights.map((w) => ({
        layer: layer.name, weight: w.name, shape: `[${w.shape.join(', ')}]`, values: w.shape.reduce((a, b) => a * b, 1),
      })),
    );
    return {
      kerasVersion: meta.kerasVersion,
      layerCount: layers.length,
      tensorCount: rows.length,
      parameterCount: rows.reduce((a, r) => a + r.values, 0),
      rows,
    };
  });
}

/**
 * The largest absolute difference between two models' outputs on the same input: 0 means the
 * two compute exactly the same function (e.g. after loading the same weights two ways).
 */
export function maxAbsOutputDifference(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))).dataSync()[0]);
}

/** One layer in {@link compareWithH5} (a type alias, so tables accept it as a record). */
export type H5LayerComparison = {
  /** The model's layer. */
  layer: string;
  /** Its weight tensors, e.g. 'kernel [3, 3, 3, 64], bias [64]'. */
  weights: string;
  /** Whether the file has a layer of that name ('yes', or 'no' for a layer that keeps its own weights). */
  'in file': string;
  /** Largest |model weight − file weight| over the layer's values (NaN when not in the file). */
  'max |model - file|': number;
};

/**
 * For each layer of `model` that has weights, the largest difference between its weights and
 * those of the same-named layer in a Keras .h5 file: 0 in every row means the model holds exactly
 * the file's numbers (what a layer-by-layer load must achieve). Reads only those layers.
 */
export async function compareWithH5(model: tf.LayersModel, h5Path: string): Promise<H5LayerComparison[]> {
  const file = await openKerasH5(h5Path, 'compareWithH5');
  try {
    const byName = new Map(file.layers.map((l) => [l.name, l]));
    return model.layers.filter((layer) => layer.weights.length > 0).map((layer) => {
      const weights = layer.weights.map((w) => `${w.originalName.split('/').pop()} [${w.shape.join(', ')}]`).join(', ');
      const stored = byName.get(layer.name);
      if (!stored || stored.weights.length !== layer.weights.length) {
        return { layer: layer.name, weights, 'in file': 'no', 'max |model - file|': Number.NaN };
      }
      const diff = Math.max(...layer.weights.map((w, i) => tf.tidy(() => {
        const fromFile = stored.weights[i].read();
        return fromFile.size === w.read().size ? tf.max(tf.abs(tf.sub(w.read().reshape(fromFile.shape), fromFile))).dataSync()[0] : Number.NaN;
      })));
      return { layer: layer.name, weights, 'in file': 'yes', 'max |model - file|': diff };
    });
  } finally {
    file.close();
  }
}

/** A VGG19 no-top .h5 file for lesson 04's layer-by-layer load (see {@link vgg19NoTopH5File}). */
export interface LessonH5File {
  /** The .h5 file. */
  path: string;
  /** True when it was written here (random weights); false for Keras' own file. */
  written: boolean;
  /** One sentence for the notebook: which file this is. */
  note: string;
  /** Removes the file if it was written here (with its temporary folder); leaves Keras' file alone. */
  remove(): void;
}

/**
 * A real VGG19 no-top weights file in Keras' layout: Keras' ImageNet file when the mirror or the
 * cache has it (never downloaded here), otherwise one written now, in a temporary folder, from a
 * VGG19 with random weights (`saveKerasH5Weights`: the layout of Keras' `save_weights`). Either
 * way it holds all 16 convolution layers, so a model truncated at `block2_pool` takes 4 of them.
 */
export async function vgg19NoTopH5File(options: AssetLocationOptions = {}): Promise<LessonH5File> {
  const keras = materialsVgg19Weights(options);
  if (keras.file) {
    return { path: keras.file, written: false, note: `Keras' VGG19 ImageNet weight file: ${keras.file}`, remove: () => undefined };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'transfer-lab-04-vgg19-'));
  const file = path.join(dir, 'vgg19_random_notop.h5');
  // Convolution weights do not depend on the input size, so the smallest VGG19 writes the same file.
  const donor = await VGG19({ includeTop: false, inputShape: [32, 32, 3] });
  try {
    await saveKerasH5Weights(donor, file);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    disposeModels(donor);
  }
  return {
    path: file,
    written: true,
    note: `Keras' VGG19 file is not on this machine, so ${file} was written just now from a VGG19 with random weights, ` +
      "in Keras' layout (what model.save_weights writes): a real .h5 file, random numbers.",
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
