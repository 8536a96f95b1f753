/**
 * The course datasets by name: each loader finds the asset through `resolveAsset` (offline
 * mirror, cache, or download) and returns iterators over its splits. Training batches go
 * through `generator` (augmentation); evaluation splits use the same rescale /
 * preprocessingFunction without augmentation and are not shuffled, so predictions line up
 * with `filepaths`.
 */
import * as path from 'node:path';
import { resolveAsset } from '../assets';
import type { AssetName } from '../assets';
import type { DirectoryIterator, FlowFromDirectoryOptions } from './flow';
import { ImageDataGenerator } from './generator';
import { loadMnist, LoadMnistOptions, MnistData } from './mnist';
import type { ClassMode, Interpolation } from './types';

/** Options shared by the folder-dataset loaders. */
export interface DatasetLoaderOptions {
  /** `[height, width]` of the images, the model's input size. Defaults to [224, 224]. */
  targetSize?: [number, number];
  /** Images per batch. Defaults to 32. */
  batchSize?: number;
  /** Label format. Defaults to 'categorical'. */
  classMode?: ClassMode;
  /** Generator for the training split (augmentation, rescale). Defaults to `new ImageDataGenerator()`: none. */
  generator?: ImageDataGenerator;
  /** Generator for the evaluation split. Defaults to `generator.standardizeOnly()`. */
  evalGenerator?: ImageDataGenerator;
  /** Seed for shuffling and augmentation. Defaults to random. */
  seed?: number;
  /** Resize filter. Defaults to 'nearest' (Keras' default). */
  interpolation?: Interpolation;
  /** Decoded-pixel cache policy, see FlowFromDirectoryOptions. Defaults to 'auto'. */
  cache?: boolean | 'auto';
  /** Print "Found N images ..." per split. Defaults to true. */
  verbose?: boolean;
  /** Dataset folder to use instead of `resolveAsset(name)`. Defaults to undefined. */
  root?: string;
}

/** Training and evaluation iterators of one dataset; the key names follow the dataset's folders. */
export type SplitIterators<Train extends string, Eval extends string> = Record<Train | Eval, DirectoryIterator>;

async function loadSplits<E extends string>(
  asset: AssetName,
  evalSplit: E,
  opts: DatasetLoaderOptions,
): Promise<Record<'train' | E, DirectoryIterator>> {
  const root = opts.root ?? (await resolveAsset(asset));
  const generator = opts.generator ?? new ImageDataGenerator();
  const evalGenerator = opts.evalGenerator ?? generator.standardizeOnly();
  const common: FlowFromDirectoryOptions = {
    targetSize: opts.targetSize ?? [224, 224],
    batchSize: opts.batchSize ?? 32,
    classMode: opts.classMode === undefined ? 'categorical' : opts.classMode,
    seed: opts.seed,
    interpolation: opts.interpolation,
    cache: opts.cache,
    verbose: opts.verbose,
  };
  const train = await generator.flowFromDirectory(path.join(root, 'train'), { ...common, shuffle: true });
  const evaluation = await evalGenerator.flowFromDirectory(path.join(root, evalSplit), { ...common, shuffle: false });
  return { train, [evalSplit]: evaluation } as Record<'train' | E, DirectoryIterator>;
}

/**
 * Ants vs bees (hymenoptera_data, PyTorch's transfer-learning set): train 124 + 121, val 70 + 83.
 * `train/ants/imageNotFound.gif` is a placeholder graphic, not a photo: it decodes and stays in,
 * as real-world label noise for learners to find.
 */
export function antsBees(opts: DatasetLoaderOptions = {}): Promise<SplitIterators<'train', 'val'>> {
  return loadSplits('hymenoptera_data', 'val', opts);
}

/** Twelve Oxford flower species, 224x224 JPEG: train 60 per class, test 20 per class. */
export function flowers12(opts: DatasetLoaderOptions = {}): Promise<SplitIterators<'train', 'test'>> {
  return loadSplits('flowers12', 'test', opts);
}

/** Cats vs dogs, 100x100 JPEG: train 999 + 1000, test 100 + 100 (a larger similar target). */
export function catsDogs100(opts: DatasetLoaderOptions = {}): Promise<SplitIterators<'train', 'test'>> {
  return loadSplits('cats_dogs_100', 'test', opts);
}

/** MNIST as tensors, see loadMnist. */
export function mnist(opts: LoadMnistOptions = {}): Promise<MnistData> {
  return loadMnist(opts);
}
