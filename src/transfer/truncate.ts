/**
 * Cutting a pretrained network at an inner layer: scenario 3 of the reuse strategies (small
 * target data, different from the source) takes features from EARLY layers, which detect generic
 * edges, colours and textures rather than ImageNet-specific parts.
 * @see notebooks/02-reuse-strategies.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { layerIndex } from './layer_lookup';

/** `truncateAt` options. */
export interface TruncateOptions {
  /** Name of the new model. Defaults to `<model.name>_to_<layerName>`. */
  name?: string;
}

/**
 * A new model from `model`'s inputs to the output of layer `layerName` (inclusive). The layers are
 * shared, not copied: same weight tensors, and freezing one model freezes the other.
 *
 * @example
 * const early = truncateAt(mobilenet, 'conv_pw_5_relu'); // output [null, 28, 28, 64] for alpha 0.25
 * const vggEarly = truncateAt(vgg19, 'block2_pool');
 */
export function truncateAt(model: tf.LayersModel, layerName: string, options: TruncateOptions = {}): tf.LayersModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new ModelError(`truncateAt(): argument 'model' must be a tf.LayersModel, received ${String(model)}.`);
  }
  const layer = model.layers[layerIndex(model, layerName, 'truncateAt() layerName')];
  let output: tf.SymbolicTensor;
  try {
    // Node 0 is the layer's use inside `model`; a layer reused elsewhere has more nodes.
    output = layer.getOutputAt(0) as tf.SymbolicTensor;
  } catch (err) {
    throw new ModelError(
      `truncateAt(): layer '${layerName}' of model '${model.name}' has no single output to cut at ` +
        `(${err instanceof Error ? err.message : String(err)}). Pick a layer with one output tensor.`,
    );
  }
  if (Array.isArray(output)) {
    throw new ModelError(`truncateAt(): layer '${layerName}' has ${output.length} outputs; pick a layer with one.`);
  }
  return tf.model({ inputs: model.inputs, outputs: output, name: options.name ?? `${model.name}_to_${layerName}` });
}
