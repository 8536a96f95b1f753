/**
 * The `weights` option of the builders: 'imagenet' resolves the registered asset for the family
 * (a tfjs folder or a Keras .h5), a path is loaded as a tfjs folder or an .h5 file. The source is
 * resolved BEFORE the model is built, so a missing file fails fast instead of after seconds of
 * random initialisation; a model whose weights fail to load is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetName, resolveAsset } from '../../assets';
import { ModelError } from '../../errors';
import { WeightLoadReport } from './assign';
import { loadKerasH5Weights } from './keras_h5';
import { loadTfjsFolderWeights } from './tfjs_folder';

/** Where a family's ImageNet weights live: a registered tfjs model folder or Keras .h5 file. */
export interface ImagenetWeights {
  kind: 'tfjs' | 'h5';
  asset: AssetName;
}

/** A local weights source: a tfjs model folder or a Keras .h5 file. */
export interface WeightsSource {
  kind: 'tfjs' | 'h5';
  path: string;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** True when the file starts with the HDF5 signature (Keras .h5 / .hdf5 files). */
export function isHdf5File(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    return fs.readSync(fd, head, 0, 8, 0) === 8 && head.equals(HDF5_SIGNATURE);
  } finally {
    fs.closeSync(fd);
  }
}

/** Classifies a weights path: a tfjs model folder (or its model.json) or a Keras .h5 file. */
export function weightsSourceFromPath(weightsPath: string, fn: string): WeightsSource {
  if (!fs.existsSync(weightsPath)) {
    throw new ModelError(`${fn}: weights path '${weightsPath}' does not exist.`);
  }
  if (fs.statSync(weightsPath).isDirectory()) {
    if (!fs.existsSync(path.join(weightsPath, 'model.json'))) {
      throw new ModelError(`${fn}: weights folder '${weightsPath}' has no model.json; pass a tfjs layers model folder or a Keras .h5 file.`);
    }
    return { kind: 'tfjs', path: weightsPath };
  }
  if (path.basename(weightsPath) === 'model.json') return { kind: 'tfjs', path: path.dirname(weightsPath) };
  if (isHdf5File(weightsPath)) return { kind: 'h5', path: weightsPath };
  throw new ModelError(
    `${fn}: weights file '${weightsPath}' is neither HDF5 (Keras .h5) nor a tfjs model.json; pass one of those or a tfjs model folder.`,
  );
}

/** Loads a source into `model` by layer name, strictly (every layer with weights must fit). */
function loadSource(model: tf.LayersModel, source: WeightsSource): Promise<WeightLoadReport> {
  return source.kind === 'tfjs' ? loadTfjsFolderWeights(model, source.path) : loadKerasH5Weights(model, source.path);
}

/**
 * Loads weights from a path (a tfjs model folder, its model.json, or a Keras .h5 file) into
 * `model` by layer name, strictly. `fn` names the caller in error messages.
 *
 * @example
 * await loadWeightsFromPath(model, 'my_finetuned_model/', 'myNotebook');
 */
export async function loadWeightsFromPath(model: tf.LayersModel, weightsPath: string, fn = 'loadWeightsFromPath'): Promise<WeightLoadReport> {
  return loadSource(model, weightsSourceFromPath(weightsPath, fn));
}

/**
 * Resolves a builder's `weights` option to a local source before building: null stays null,
 * 'imagenet' becomes the family's registered asset (`resolveAsset` raises an AssetError when it is
 * not available, e.g. offline), a path is classified.
 */
export async function resolveWeightsSource(
  weights: string | null,
  fn: string,
  imagenet: () => ImagenetWeights,
): Promise<WeightsSource | null> {
  if (weights === null) return null;
  if (weights !== 'imagenet') return weightsSourceFromPath(weights, fn);
  const spec = imagenet();
  return { kind: spec.kind, path: await resolveAsset(spec.asset) };
}

/** Loads `source` into a freshly built model; disposes the model if that fails. */
export async function applyWeights(model: tf.LayersModel, source: WeightsSource | null): Promise<tf.LayersModel> {
  if (source === null) return model;
  try {
    await loadSource(model, source);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
