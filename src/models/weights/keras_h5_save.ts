/**
 * Writing a model's weights as a Keras weights-only .h5 file (Keras `model.save_weights('x.h5')`
 * in the HDF5 layout of Keras 2): the root lists `layer_names`, each layer is a group listing its
 * `weight_names`, and each weight is the dataset `<layer>/<layer>/<weight>:0`. The loaders here
 * and Keras/h5py read it back by layer name.
 * @see notebooks/04-dataset-and-pretrained-model.ipynb
 */
import type * as H5 from 'h5wasm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../errors';
import { loadH5wasm } from './keras_h5';

/** What {@link saveKerasH5Weights} wrote. */
export interface KerasH5SaveReport {
  /** The file written. */
  path: string;
  /** Layers written (every layer of the model, in order; weightless ones have no weights, as in Keras). */
  layers: number;
  /** Weight tensors written. */
  tensors: number;
  /** Weight values written. */
  values: number;
}

/** The Keras name of a weight: 'block1_conv1/kernel:0' for tfjs' 'block1_conv1/kernel'. */
function kerasWeightName(layer: tf.layers.Layer, weight: tf.LayerVariable): string {
  const short = weight.originalName.split('/').pop() ?? weight.originalName;
  return `${layer.name}/${short}:0`;
}

/**
 * Saves every weight of `model` to `file` in Keras' weights-only .h5 layout, overwriting it. The
 * folder must exist. Values are written as float32, as Keras does.
 *
 * @example
 * await saveKerasH5Weights(await VGG19({ includeTop: false }), '/tmp/vgg19_notop.h5');
 * await loadKerasH5Weights(truncateAt(other, 'block2_pool'), '/tmp/vgg19_notop.h5');
 */
export async function saveKerasH5Weights(model: tf.LayersModel, file: string): Promise<KerasH5SaveReport> {
  const fn = 'saveKerasH5Weights';
  if (!(model instanceof tf.LayersModel)) {
    throw new ModelError(`${fn}: argument 'model' must be a tf.LayersModel, received ${String(model)}.`);
  }
  if (!fs.existsSync(path.dirname(path.resolve(file)))) {
    throw new ModelError(`${fn}: folder '${path.dirname(path.resolve(file))}' does not exist; create it first (fs.mkdirSync(dir, {recursive: true})).`);
  }
  const h5 = await loadH5wasm();
  const out = new h5.File(file, 'w');
  let tensors = 0;
  let values = 0;
  try {
    out.create_attribute('layer_names', model.layers.map((l) => l.name));
    out.create_attribute('backend', 'tensorflow');
    out.create_attribute('keras_version', '2.2.4');
    for (const layer of model.layers) {
      const group = out.create_group(layer.name);
      const names = layer.weights.map((w) => kerasWeightName(layer, w));
      // h5py writes an empty list for a weightless layer; h5wasm needs at least one element, so such
      // layers get no attribute at all, which readers (ours, Keras') treat as "no weights".
      if (names.length > 0) group.create_attribute('weight_names', names);
      layer.weights.forEach((w, i) => {
        const [sub, leaf] = names[i].split('/');
        const existing = group.get(sub);
        const parent: H5.Group = existing instanceof h5.Group ? existing : group.create_group(sub);
        const data = w.read().dataSync() as Float32Array;
        parent.create_dataset({ name: leaf, data, shape: w.shape as number[], dtype: '<f' });
        tensors += 1;
        values += data.length;
      });
    }
  } catch (err) {
    out.close();
    fs.rmSync(file, { force: true });
    throw new ModelError(`${fn}: could not write '${file}' (${err instanceof Error ? err.message : String(err)}).`);
  }
  out.close();
  return { path: file, layers: model.layers.length, tensors, values };
}
