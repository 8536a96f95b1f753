/**
 * Splitting a network at a layer into a frozen bottom and a trainable top. Fine-tuning only the
 * top blocks needs gradients only there, so the bottom can run ONCE per image (its activations
 * cached) and the top trains on those activations: at 7x7 spatial size even conv gradients are
 * cheap on a 2-core CPU (DESIGN: "making a 2-core CPU enough").
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { layerIndex } from './layer_lookup';
import { truncateAt } from './truncate';

/** The two halves of a split model; both share the original's layers (and weights). */
export interface SplitModel {
  /** Input → output of the cut layer. */
  bottom: tf.LayersModel;
  /** Output of the cut layer → the original output, re-applying the original layers. */
  top: tf.LayersModel;
  /** Name of the layer the model was cut after. */
  cutAt: string;
}

/**
 * Splits `model` after layer `layerName`. The cut must be a block boundary: no layer after it may
 * read a tensor from before it (a residual connection crossing the cut), else a clear error.
 *
 * @example
 * const { bottom, top } = splitAt(mobilenet, 'conv_pw_12_relu');
 * // bottom: [null,224,224,3] → [null,7,7,768]; top: [null,7,7,768] → the last block's output
 */
export function splitAt(model: tf.LayersModel, layerName: string): SplitModel {
  const index = layerIndex(model, layerName, 'splitAt() layerName');
  const bottom = truncateAt(model, layerName, { name: `${model.name}_bottom` });
  const cutTensor = bottom.outputs[0];
  const input = tf.input({ shape: cutTensor.shape.slice(1) as number[], name: `${model.name}_top_input` });
  const mapped = new Map<number, tf.SymbolicTensor>([[cutTensor.id, input]]);
  for (const layer of model.layers.slice(index + 1)) {
    // Node 0 is the layer's use inside `model` (zoo models use each layer once).
    const node = layer.inboundNodes[0];
    const inputs = node.inputTensors.map((t) => {
      const m = mapped.get(t.id);
      if (!m) {
        throw new ModelError(
          `splitAt(): cannot cut '${model.name}' after '${layerName}': layer '${layer.name}' also reads ` +
            `'${t.name}' from before the cut (a skip connection). Cut at a block boundary, e.g. an '_add' or '_out' layer.`,
        );
      }
      return m;
    });
    const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.SymbolicTensor | tf.SymbolicTensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => mapped.set(t.id, outs[i]));
  }
  const outputs = model.outputs.map((t) => {
    const m = mapped.get(t.id);
    if (!m) throw new ModelError(`splitAt(): output '${t.name}' of '${model.name}' is not reachable from '${layerName}'.`);
    return m;
  });
  const top = tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: `${model.name}_top` });
  return { bottom, top, cutAt: layerName };
}

/** Chains a bottom and a top model back into one model (for saving and predicting on images). */
export function joinModels(bottom: tf.LayersModel, top: tf.LayersModel, name?: string): tf.LayersModel {
  const out = top.apply(bottom.outputs[0]) as tf.SymbolicTensor;
  return tf.model({ inputs: bottom.inputs, outputs: out, name: name ?? `${bottom.name}_${top.name}` });
}
