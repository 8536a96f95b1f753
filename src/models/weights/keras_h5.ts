/**
 * Loading Keras .h5 weights into a tfjs model layer by layer, by name: the h5py recipe the
 * course teaches (`f['model_weights'][layer].attrs['weight_names']`), written with h5wasm.
 * Works for full-model files (weights under `model_weights`) and weight-only files (at the root).
 * @see notebooks/04-dataset-and-pretrained-model.ipynb
 */
import type * as H5 from 'h5wasm';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import { ModelError } from '../../errors';
import { assignMatches, LayerMatch, layersWithWeights, WeightLoadReport, WeightSource } from './assign';
import { autoNameShift, legacyNames } from './names';

/** Options of {@link loadKerasH5Weights}. */
export interface KerasH5LoadOptions {
  /**
   * Match layers by name (true) or by position among the layers that have weights (false,
   * Keras' default for `load_weights`). By name, file layers the model lacks are ignored
   * (so a truncated model loads from a full file). Defaults to true.
   */
  byName?: boolean;
  /**
   * Skip model layers missing from the file or whose weight shapes differ (they are listed in
   * the report) instead of throwing a ModelError. Defaults to false.
   */
  skipMismatch?: boolean;
}

/** One layer of a Keras weights file: its name and its weights (in Keras' order). */
export interface H5Layer {
  name: string;
  weights: WeightSource[];
}

type H5Module = typeof H5;

let h5Module: Promise<H5Module> | undefined;

/**
 * h5wasm ships as an ES module only; this library compiles to CommonJS, where TypeScript would
 * turn `import()` into `require()`. A Function-built `import()` stays a real dynamic import.
 */
export function loadH5wasm(): Promise<H5Module> {
  if (h5Module === undefined) {
    const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<H5Module>;
    h5Module = dynamicImport('h5wasm/node').then(async (mod) => {
      await mod.ready;
      return mod;
    });
  }
  return h5Module;
}

function isGroup(h5: H5Module, entity: unknown): entity is H5.Group {
  return entity instanceof h5.Group;
}

function isDataset(h5: H5Module, entity: unknown): entity is H5.Dataset {
  return entity instanceof h5.Dataset;
}

function stringList(group: H5.Group, attr: string): string[] {
  if (!(attr in group.attrs)) return [];
  const value = group.get_attribute(attr, true);
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => String(v));
}

function toFloat32(fn: string, file: string, path: string, value: H5.OutputData | null): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw new ModelError(`${fn}: dataset '${path}' in ${file} is not float32/float64; it cannot be loaded as weights.`);
}

/** An open Keras .h5 weights file: its layers with weights, read on demand. Close it when done. */
export interface KerasH5File {
  /** Path of the file. */
  path: string;
  /** The Keras version that wrote the file ('unknown' when not recorded). */
  kerasVersion: string;
  /** Layers with weights, in the file's `layer_names` order. */
  layers: H5Layer[];
  /**
   * The weights of the file's layer `layerName` as tensors, in its `weight_names` order (h5py:
   * `[f[name][w] for w in f[name].attrs['weight_names']]`), or undefined when the file has no
   * such layer with weights. The tensors belong to the file: `close()` disposes them.
   */
  weights(layerName: string): tf.Tensor[] | undefined;
  /** Closes the file and disposes every tensor `weights` returned. */
  close(): void;
}

/**
 * Opens a Keras .h5 weights file (h5py's `h5py.File(path, 'r')`) and lists its layers with
 * weights, in file order: `layer_names` at the root (a weights-only file) or under `model_weights`
 * (a full-model file), and per layer its `weight_names`. Weights are read lazily by each
 * `WeightSource.read`, while the file is open.
 */
export async function openKerasH5(h5Path: string, fn = 'openKerasH5'): Promise<KerasH5File> {
  if (!fs.existsSync(h5Path)) {
    throw new ModelError(`${fn}: weights file '${h5Path}' does not exist. Check the path (resolveAsset gives the asset paths).`);
  }
  const h5 = await loadH5wasm();
  let file: H5.File;
  try {
    file = new h5.File(h5Path, 'r');
  } catch (err) {
    throw new ModelError(`${fn}: '${h5Path}' could not be opened as HDF5 (${err instanceof Error ? err.message : String(err)}).`);
  }
  try {
    const root = file.keys().includes('model_weights') ? file.get('model_weights') : file;
    if (!isGroup(h5, root) || !('layer_names' in root.attrs)) {
      throw new ModelError(
        `${fn}: '${h5Path}' is not a Keras weights file (no 'layer_names' attribute at the root or in 'model_weights'). ` +
          `Save it with Keras model.save_weights('x.h5') or model.save('x.h5').`,
      );
    }
    const layers: H5Layer[] = [];
    for (const name of stringList(root, 'layer_names')) {
      const group = root.get(name);
      if (!isGroup(h5, group)) continue;
      const weights: WeightSource[] = stringList(group, 'weight_names').map((wname) => {
        const path = `${name}/${wname}`;
        const ds = group.get(wname);
        if (!isDataset(h5, ds)) throw new ModelError(`${fn}: '${h5Path}' lists weight '${path}' but has no such dataset.`);
        const shape = ds.shape ?? [];
        return { name: wname, shape, read: () => tf.tensor(toFloat32(fn, h5Path, path, ds.value), shape, 'float32') };
      });
      if (weights.length > 0) layers.push({ name, weights });
    }
    const kerasVersion = 'keras_version' in root.attrs ? String(root.get_attribute('keras_version', true)) : 'unknown';
    const handedOut: tf.Tensor[] = [];
    const byName = new Map(layers.map((l) => [l.name, l]));
    return {
      path: h5Path, kerasVersion, layers,
      weights: (layerName) => {
        const tensors = byName.get(layerName)?.weights.map((w) => w.read());
        if (tensors) handedOut.push(...tensors);
        return tensors;
      },
      close: () => {
        tf.dispose(handedOut);
        file.close();
      },
    };
  } catch (err) {
    file.close();
    throw err;
  }
}

/**
 * Opens a Keras .h5 weights file, calls `use` with its layers while the file is open, and closes it.
 */
export async function withKerasH5<T>(h5Path: string, use: (layers: H5Layer[], meta: { kerasVersion: string }) => T): Promise<T> {
  const file = await openKerasH5(h5Path, 'loadKerasH5Weights');
  try {
    return use(file.layers, { kerasVersion: file.kerasVersion });
  } finally {
    file.close();
  }
}

/**
 * Loads Keras .h5 weights into `model`, layer by layer. By name (default), each model layer
 * with weights takes the file layer of the same name (or its older Keras name, e.g. ResNet50's
 * 'res2a_branch2a'); file layers the model lacks are ignored. Every match is checked before
 * anything is assigned: a missing layer or a shape difference raises a ModelError naming the
 * first such layer with the expected and found shapes (unless `skipMismatch`).
 *
 * @example
 * const base = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
 * await loadKerasH5Weights(base, await resolveAsset('keras_mobilenet_2_5_224_tf_no_top'));
 * @see notebooks/04-dataset-and-pretrained-model.ipynb
 */
export async function loadKerasH5Weights(
  model: tf.LayersModel,
  h5Path: string,
  opts: KerasH5LoadOptions = {},
): Promise<WeightLoadReport> {
  const fn = 'loadKerasH5Weights';
  const byName = opts.byName ?? true;
  const skipMismatch = opts.skipMismatch ?? false;
  return withKerasH5(h5Path, (fileLayers) => {
    const label = `'${h5Path}'`;
    const targets = layersWithWeights(model);
    if (!byName) {
      if (fileLayers.length !== targets.length && !skipMismatch) {
        throw new ModelError(
          `${fn}: by position, the model has ${targets.length} layers with weights but ${label} has ${fileLayers.length}. ` +
            `Build the same architecture, or load by name (byName: true).`,
        );
      }
      const n = Math.min(fileLayers.length, targets.length);
      const matches = targets.slice(0, n).map((layer, i) => ({ layer, sourceName: fileLayers[i].name, weights: fileLayers[i].weights }));
      const skipped = targets.slice(n).map((layer) => ({ layer: layer.name, reason: `no layer at this position in ${label}` }));
      return assignMatches(fn, matches, label, skipMismatch, skipped);
    }
    const byFileName = new Map(fileLayers.map((l) => [l.name, l]));
    const shift = autoNameShift(
      model.layers.map((l) => l.name),
      fileLayers.map((l) => l.name),
    );
    const matches: LayerMatch[] = [];
    const skipped: WeightLoadReport['skipped'] = [];
    for (const layer of targets) {
      // With 1-based numbering in the file, the file's layer of the same name is another layer.
      const shifted = shift.get(layer.name);
      const candidates = shifted !== undefined ? [shifted] : [layer.name, ...legacyNames(layer.name)];
      const found = candidates.map((c) => byFileName.get(c)).find((l) => l !== undefined);
      if (found) {
        matches.push({ layer, sourceName: found.name, weights: found.weights });
        continue;
      }
      const reason = `layer '${layer.name}' (${layer.getClassName()}) has no layer of that name in ${label}`;
      if (!skipMismatch) {
        const sample = fileLayers.slice(0, 6).map((l) => `'${l.name}'`).join(', ');
        throw new ModelError(
          `${fn}: ${reason}, which has ${fileLayers.length} layers with weights (${sample}${fileLayers.length > 6 ? ', ...' : ''}). ` +
            `Build the architecture the file was saved from (same layer names), or pass skipMismatch: true.`,
        );
      }
      skipped.push({ layer: layer.name, reason });
    }
    return assignMatches(fn, matches, label, skipMismatch, skipped);
  });
}
