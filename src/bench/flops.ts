/**
 * Counting a model's multiply-accumulates (MACs) per image from its layers, so a benchmark can
 * turn images per second into achieved GFLOP/s (1 MAC = 2 FLOPs). Only the layers that hold
 * nearly all the arithmetic are counted, as the papers do: Conv2D, DepthwiseConv2D,
 * SeparableConv2D, Dense (and the folded convs of src/parallel). MobileNetV2-1.0 at 224x224
 * comes to ~0.30 GMACs, ResNet50 to ~3.9 GMACs.
 * @see scripts/bench.mjs
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** MACs of one layer, per image. */
export interface LayerMacs {
  name: string;
  className: string;
  macs: number;
  /** True when the layer has trainable weights (it gets weight gradients in training). */
  trainable: boolean;
}

/** A model's MAC count per image. */
export interface MacCount {
  /** Total MACs per image (forward pass). */
  macs: number;
  /** `2 * macs / 1e9`: forward GFLOP per image. */
  gflops: number;
  /** MACs per counted layer, in model order (nested models flattened). */
  layers: LayerMacs[];
}

const COUNTED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense', 'TransferLabFoldedConv2D']);

function product(values: readonly (number | null)[], what: string): number {
  return values.reduce<number>((p, v) => {
    if (v == null) throw new ModelError(`countMacs(): ${what} has an unknown dimension; build the model with a fixed inputShape, e.g. [224, 224, 3].`);
    return p * v;
  }, 1);
}

/** Layer name -> its output shape measured on real data, for models built without a fixed input size. */
export type MeasuredShapes = ReadonlyMap<string, readonly number[]>;

/** The shape of a layer's first output (the first call of a layer used more than once), measured when given. */
function outputShapeOf(layer: tf.layers.Layer, measured?: MeasuredShapes): readonly (number | null)[] {
  const known = measured?.get(layer.name);
  if (known !== undefined) return known;
  const node = layer.inboundNodes[0];
  if (node === undefined) throw new ModelError(`countMacs(): layer '${layer.name}' was never called; build the model first.`);
  return node.outputTensors[0].shape;
}

function inputShapeOf(layer: tf.layers.Layer): (number | null)[] {
  return layer.inboundNodes[0].inputTensors[0].shape;
}

/** MACs per image of one counted layer. */
function layerMacs(layer: tf.layers.Layer, measured?: MeasuredShapes): number {
  const className = layer.getClassName();
  const out = outputShapeOf(layer, measured);
  const weights = layer.weights.map((w) => w.shape.map((d) => d ?? 0)); // weight shapes are always fully known
  const positions = product(out.slice(1, -1), `layer '${layer.name}' output`); // spatial positions (1 for Dense on [n, d])
  switch (className) {
    case 'Conv2D': {
      const [kh, kw, cin, cout] = weights[0];
      return positions * cout * kh * kw * cin;
    }
    case 'DepthwiseConv2D': {
      const [kh, kw, cin, mult] = weights[0];
      return positions * cin * mult * kh * kw;
    }
    case 'SeparableConv2D': {
      const [kh, kw, cin, mult] = weights[0];
      const [, , mid, cout] = weights[1];
      return positions * (cin * mult * kh * kw + mid * cout);
    }
    case 'Dense': {
      const [din, units] = weights[0];
      const rows = product(inputShapeOf(layer).slice(1, -1), `layer '${layer.name}' input`);
      return rows * din * units;
    }
    case 'TransferLabFoldedConv2D': {
      const [kh, kw, cin, k3] = weights[0]; // k3: filters for 'conv', depth multiplier for 'depthwise'
      const depthwise = (layer.getConfig() as { kind?: string }).kind === 'depthwise';
      return depthwise ? positions * cin * k3 * kh * kw : positions * k3 * kh * kw * cin;
    }
    default:
      return 0;
  }
}

function collect(model: tf.LayersModel, into: LayerMacs[], measured?: MeasuredShapes): void {
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      collect(layer, into, measured);
      continue;
    }
    const className = layer.getClassName();
    if (!COUNTED.has(className)) continue;
    into.push({ name: layer.name, className, macs: layerMacs(layer, measured), trainable: layer.trainable && layer.trainableWeights.length > 0 });
  }
}

/** True for the layers `countMacs` counts (the ones whose output shapes it needs). */
export function isCountedLayer(layer: tf.layers.Layer): boolean {
  return COUNTED.has(layer.getClassName());
}

/**
 * MACs per image of `model`'s forward pass, counted from its Conv2D / DepthwiseConv2D /
 * SeparableConv2D / Dense layers (BatchNormalization, activations, pooling and adds are left out,
 * as in the papers' figures). The model needs a fixed input size, or `measured` output shapes
 * of its counted layers (see `isCountedLayer`).
 *
 * @example
 * countMacs(await MobileNetV2({ includeTop: false, pooling: 'avg', inputShape: [224, 224, 3] })).gflops; // ~0.60
 */
export function countMacs(model: tf.LayersModel, measured?: MeasuredShapes): MacCount {
  if (!(model instanceof tf.LayersModel)) {
    throw new ModelError(`countMacs(): argument 'model' must be a tf.LayersModel, received ${String(model)}.`);
  }
  const layers: LayerMacs[] = [];
  collect(model, layers, measured);
  const macs = layers.reduce((t, l) => t + l.macs, 0);
  return { macs, gflops: (2 * macs) / 1e9, layers };
}

/**
 * MACs per image of one training step: the forward pass of every layer, plus two more forward
 * passes' worth for each layer with trainable weights (the gradient with respect to its weights
 * and to its input). The usual approximation (backward ~ 2x forward); layers without trainable
 * weights need no backward pass before the first trainable one.
 *
 * @example
 * unfreeze(model, { from: 'block_13_expand' });
 * trainingStepMacs(model) / 1e9; // GMACs per image per step
 */
export function trainingStepMacs(model: tf.LayersModel): number {
  return countMacs(model).layers.reduce((t, l) => t + l.macs * (l.trainable ? 3 : 1), 0);
}
