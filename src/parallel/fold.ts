/**
 * An inference-only copy of a frozen model that runs about twice as fast on the wasm backend.
 *
 * Why: a Keras-style base spends as much time outside its convolutions as inside them. Profiling
 * one MobileNetV2 forward pass (batch 32, wasm) gives FusedBatchNorm ~45% of the kernel time,
 * the convolutions ~40%, ZeroPadding2D (PadV2) ~9% and ReLU6 (Relu + ClipByValue) ~5%: each of
 * those extra ops is one more pass over a large activation tensor, and wasm's elementwise
 * kernels are slow next to XNNPACK's convolutions. So for a FROZEN model, which runs
 * BatchNormalization in inference mode anyway, we fold:
 * - Conv2D / DepthwiseConv2D -> BatchNormalization: the BN's scale and shift go into the kernel
 *   and bias (w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta);
 * - -> ReLU (maxValue null or 6) / Activation('relu' | 'relu6'): applied inside the fused kernel;
 * - ZeroPadding2D -> conv with 'valid' padding: the conv pads explicitly instead.
 * Everything else is reused as it is (shared layers, shared weights). Results equal the original
 * model's up to float rounding (max abs difference ~1e-5 on MobileNetV2 features).
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { FoldedConv2D, FoldedPadding, FusedActivation } from './folded_conv';

/** What `foldForInference` changed. */
export interface FoldReport {
  /** Convolutions replaced by a FoldedConv2D. */
  convs: number;
  /** BatchNormalization layers folded into a convolution. */
  batchNorms: number;
  /** Activations moved into a convolution. */
  activations: number;
  /** ZeroPadding2D layers replaced by a convolution's explicit padding. */
  paddings: number;
}

/** A folded model and what was folded. */
export interface FoldedModel {
  /** The inference-only model. Disposing it leaves the original's weights alone. */
  model: tf.LayersModel;
  report: FoldReport;
}

type Layer = tf.layers.Layer;
type GraphNode = Layer['inboundNodes'][number];

/** One call of a layer in the model's graph, in topological order. */
interface Step {
  layer: Layer;
  node: GraphNode;
}

/** A conv with the layers folded into it; emitted at the position of its last member. */
interface Group {
  conv: Step;
  pad?: Step;
  bn?: Step;
  act?: { step: Step; activation: FusedActivation };
}

let registered = false;

/** Registers FoldedConv2D for deserialization; done on first use, not at import (no import side effects). */
function registerOnce(): void {
  if (registered) return;
  tf.serialization.registerClass(FoldedConv2D);
  registered = true;
}

/** The calls of `model`'s layers in topological order, each with the node that belongs to this model's graph. */
function topologicalSteps(model: tf.LayersModel): Step[] {
  const known = new Set(model.inputs.map((t) => t.id));
  const steps: Step[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    // model.layers is in topological order; the node of THIS graph is the one whose inputs are all known.
    const node = layer.inboundNodes.find((n) => n.inputTensors.length > 0 && n.inputTensors.every((t) => known.has(t.id)));
    if (node === undefined) {
      throw new ModelError(
        `foldForInference(): layer '${layer.name}' of model '${model.name}' has no call whose inputs come from the model's inputs; ` +
          'fold the model it was built in, or pass the model unfolded.',
      );
    }
    for (const t of node.outputTensors) known.add(t.id);
    steps.push({ layer, node });
  }
  return steps;
}

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function pair(value: unknown): [number, number] {
  return Array.isArray(value) ? [Number(value[0]), Number(value[1] ?? value[0])] : [Number(value), Number(value)];
}

/** The fused activation a layer amounts to, or null if it is something else. */
function activationOf(layer: Layer): FusedActivation | null {
  const c = config(layer);
  const name = layer.getClassName();
  if (name === 'ReLU') {
    if (c.maxValue == null) return 'relu';
    return c.maxValue === 6 ? 'relu6' : null;
  }
  if (name === 'Activation') {
    return c.activation === 'relu' || c.activation === 'relu6' || c.activation === 'linear' ? (c.activation as FusedActivation) : null;
  }
  return null;
}

function isFoldableConv(layer: Layer): boolean {
  const name = layer.getClassName();
  if (name !== 'Conv2D' && name !== 'DepthwiseConv2D') return false;
  const c = config(layer);
  const act = c.activation;
  return c.dataFormat !== 'channelsFirst' && (act === 'linear' || act === 'relu' || act === 'relu6');
}

function isChannelsLastBatchNorm(layer: Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const axis = config(layer).axis;
  const rank = layer.inboundNodes[0]?.inputTensors[0]?.rank ?? 4;
  return axis === -1 || axis === rank - 1;
}

/** Finds the conv groups: which ZeroPadding2D / BN / activation steps fold into which conv. */
function planGroups(steps: Step[], outputIds: Set<number>): Map<Step, Group> {
  const producer = new Map<number, Step>();
  const consumers = new Map<number, Step[]>();
  for (const step of steps) {
    for (const t of step.node.outputTensors) producer.set(t.id, step);
    for (const t of step.node.inputTensors) consumers.set(t.id, [...(consumers.get(t.id) ?? []), step]);
  }
  /** The only step that reads `step`'s single output, when nothing else (not even a model output) does. */
  const soleConsumer = (step: Step): Step | undefined => {
    if (step.node.outputTensors.length !== 1) return undefined;
    const id = step.node.outputTensors[0].id;
    const users = consumers.get(id) ?? [];
    return users.length === 1 && !outputIds.has(id) && users[0].node.inputTensors.length === 1 ? users[0] : undefined;
  };

  const groups = new Map<Step, Group>(); // keyed by every member step
  for (const step of steps) {
    if (!isFoldableConv(step.layer) || step.node.inputTensors.length !== 1) continue;
    const c = config(step.layer);
    const group: Group = { conv: step };
    const before = producer.get(step.node.inputTensors[0].id);
    if (
      before !== undefined && before.layer.getClassName() === 'ZeroPadding2D' && c.padding === 'valid' &&
      config(before.layer).dataFormat !== 'channelsFirst' && soleConsumer(before) === step
    ) {
      group.pad = before;
    }
    let last = step;
    if (c.activation === 'linear') {
      const bn = soleConsumer(last);
      if (bn !== undefined && isChannelsLastBatchNorm(bn.layer)) {
        group.bn = bn;
        last = bn;
      }
      const act = soleConsumer(last);
      const activation = act === undefined ? null : activationOf(act.layer);
      if (act !== undefined && activation !== null) group.act = { step: act, activation };
    }
    if (group.pad === undefined && group.bn === undefined && group.act === undefined) continue;
    for (const member of [group.pad, group.conv, group.bn, group.act?.step]) if (member) groups.set(member, group);
  }
  return groups;
}

/** The last step of a group: where its output tensor is produced. */
function lastMember(group: Group): Step {
  return group.act?.step ?? group.bn ?? group.conv;
}

/** Kernel and bias with the BatchNormalization folded in. */
function foldedWeights(group: Group): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const conv = group.conv.layer;
    const c = config(conv);
    const [kernel4, convBias] = conv.getWeights();
    const kernel = kernel4 as tf.Tensor4D;
    const channels = conv.getClassName() === 'Conv2D' ? kernel.shape[3] : kernel.shape[2] * kernel.shape[3];
    let bias = c.useBias && convBias !== undefined ? convBias : tf.zeros([channels]);
    if (group.bn === undefined) return [kernel.clone(), bias.clone()];
    const bnConfig = config(group.bn.layer);
    const weights = group.bn.layer.getWeights();
    let i = 0;
    const gamma = bnConfig.scale !== false ? weights[i++] : tf.ones([channels]);
    const beta = bnConfig.center !== false ? weights[i++] : tf.zeros([channels]);
    const [mean, variance] = [weights[i], weights[i + 1]];
    const scale = gamma.div(variance.add(Number(bnConfig.epsilon ?? 1e-3)).sqrt());
    bias = bias.sub(mean).mul(scale).add(beta);
    // Depthwise kernels are [kh, kw, in, multiplier] and output channel = in * multiplier + m.
    const scaled = conv.getClassName() === 'Conv2D' ? kernel.mul(scale) : kernel.mul(scale.reshape([kernel.shape[2], kernel.shape[3]]));
    return [scaled, bias];
  });
}

function foldedLayer(group: Group): FoldedConv2D {
  const conv = group.conv.layer;
  const c = config(conv);
  const kernelShape = conv.getWeights()[0].shape as [number, number, number, number];
  let padding: FoldedPadding = c.padding === 'same' ? 'same' : 'valid';
  if (group.pad !== undefined) {
    const p = config(group.pad.layer).padding as [[number, number], [number, number]];
    padding = [pair(p[0]), pair(p[1])];
  }
  const own = c.activation as FusedActivation;
  return new FoldedConv2D({
    name: `${lastMember(group).layer.name}_folded`,
    kind: conv.getClassName() === 'Conv2D' ? 'conv' : 'depthwise',
    kernelShape,
    strides: pair(c.strides),
    dilationRate: pair(c.dilationRate ?? 1),
    padding,
    activation: group.act?.activation ?? own,
  });
}

/**
 * Builds an inference-only copy of a frozen functional model (Keras applications, a truncated
 * base, a base + head) with BatchNormalization, ReLU/ReLU6 and ZeroPadding2D folded into the
 * convolutions, see the module comment. Nested models are folded too. Layers that do not fold are
 * shared with the original. The copy is for `predict` only: its folded convs are not trainable and
 * BatchNormalization is always in inference mode.
 *
 * @example
 * const { model: fast, report } = foldForInference(base);  // report.batchNorms: 52 for MobileNetV2
 * const features = fast.predict(xs) as tf.Tensor;            // ~2x faster on wasm
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
export function foldForInference(model: tf.LayersModel): FoldedModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new ModelError(`foldForInference(): argument 'model' must be a tf.LayersModel, received ${String(model)}.`);
  }
  registerOnce();
  const report: FoldReport = { convs: 0, batchNorms: 0, activations: 0, paddings: 0 };
  const steps = topologicalSteps(model);
  const groups = planGroups(steps, new Set(model.outputs.map((t) => t.id)));

  const newInputs = model.inputs.map((t, i) =>
    tf.input({ shape: t.shape.slice(1), dtype: t.dtype, name: `${model.inputLayers[i]?.name ?? 'input'}_folded` }));
  const mapped = new Map<number, tf.SymbolicTensor>(model.inputs.map((t, i) => [t.id, newInputs[i]]));
  const lookup = (t: tf.SymbolicTensor): tf.SymbolicTensor => {
    const found = mapped.get(t.id);
    if (found === undefined) throw new ModelError(`foldForInference(): internal error, tensor '${t.name}' of model '${model.name}' was not computed yet.`);
    return found;
  };

  for (const step of steps) {
    const group = groups.get(step);
    if (group !== undefined) {
      if (step !== lastMember(group)) continue; // emitted with the group's last member
      const first = group.pad ?? group.conv;
      const layer = foldedLayer(group);
      const out = layer.apply(lookup(first.node.inputTensors[0])) as tf.SymbolicTensor;
      const weights = foldedWeights(group);
      layer.setWeights(weights);
      tf.dispose(weights);
      mapped.set(step.node.outputTensors[0].id, out);
      report.convs++;
      if (group.bn) report.batchNorms++;
      if (group.act) report.activations++;
      if (group.pad) report.paddings++;
      continue;
    }
    let layer: Layer = step.layer;
    if (layer instanceof tf.LayersModel) {
      const inner = foldForInference(layer);
      layer = inner.model;
      for (const key of Object.keys(report) as (keyof FoldReport)[]) report[key] += inner.report[key];
    }
    const inputs = step.node.inputTensors.map(lookup);
    const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs);
    const outs = Array.isArray(out) ? out : [out];
    step.node.outputTensors.forEach((t, i) => mapped.set(t.id, outs[i] as tf.SymbolicTensor));
  }
  const outputs = model.outputs.map(lookup);
  const folded = tf.model({ inputs: newInputs, outputs: outputs.length === 1 ? outputs[0] : outputs, name: `${model.name}_folded` });
  return { model: folded, report };
}
