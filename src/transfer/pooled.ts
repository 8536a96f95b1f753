/**
 * Pooled features from several layers of a frozen base: global-average-pool each tapped layer and
 * concatenate. The last block alone is the most ImageNet-specific; adding the block before it
 * keeps more generic parts and textures, which measured clearly better on the course's small sets
 * (MobileNet 0.75 on ants/bees: 0.94 from conv_pw_13 alone, 0.97 with conv_pw_11 added).
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { layerIndex } from './layer_lookup';

/**
 * A model from `base`'s input to the concatenated global-average-pooled outputs of `taps`.
 * Layers are shared with `base` (same weights). Our added layers are named `pool_<tap>` and
 * `pool_concat`.
 *
 * @example
 * const features = pooledFeatureModel(mobilenet, ['conv_pw_11_relu', 'conv_pw_13_relu']); // → [null, 1536] for alpha 0.75
 */
export function pooledFeatureModel(base: tf.LayersModel, taps: string[], options: { name?: string } = {}): tf.LayersModel {
  if (taps.length === 0) throw new ModelError('pooledFeatureModel(): taps is empty; name at least one layer of the base.');
  const pooled = taps.map((tap) => {
    const layer = base.layers[layerIndex(base, tap, 'pooledFeatureModel() taps')];
    const output = layer.getOutputAt(0) as tf.SymbolicTensor;
    if (output.shape.length !== 4) {
      throw new ModelError(`pooledFeatureModel(): layer '${tap}' outputs shape ${JSON.stringify(output.shape)}; tap a conv layer ([batch, h, w, c]).`);
    }
    return tf.layers.globalAveragePooling2d({ name: `pool_${tap}` }).apply(output) as tf.SymbolicTensor;
  });
  const out = pooled.length === 1 ? pooled[0] : (tf.layers.concatenate({ name: 'pool_concat' }).apply(pooled) as tf.SymbolicTensor);
  return tf.model({ inputs: base.inputs, outputs: out, name: options.name ?? `${base.name}_pooled` });
}

/**
 * The last `n` columns of pooled features `[rows, d]`: the last tap alone when it has `n`
 * channels (taps are concatenated in order). A new tensor; the caller disposes it.
 * @example const lastTap = lastColumns(trainSet.features, 768); // conv_pw_13 of MobileNet 0.75
 */
export function lastColumns(features: tf.Tensor, n: number): tf.Tensor2D {
  const d = features.shape[1];
  if (features.rank !== 2 || d === undefined) {
    throw new ModelError(`lastColumns(): features must be [rows, d] (pooled features); received shape ${JSON.stringify(features.shape)}.`);
  }
  if (!(Number.isInteger(n) && n >= 1 && n <= d)) {
    throw new ModelError(`lastColumns(): n must be a whole number from 1 to ${d} (the feature width); received ${JSON.stringify(n)}.`);
  }
  return features.slice([0, d - n], [-1, n]) as tf.Tensor2D;
}
