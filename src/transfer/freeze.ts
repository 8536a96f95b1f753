/**
 * Freezing and unfreezing layers (Keras `layer.trainable = False`), recompiling so the change
 * takes effect, and a report of what will train.
 *
 * Recompile after every change, as in Keras. tfjs' `LayersModel.compile` stores the list of
 * trainable weights it sees at that moment (`collectedTrainableWeights`) and `fit` only ever
 * updates that list. In tfjs 4.x a layer frozen after compile does stop training (its variables
 * are filtered out by their own flag), but a layer UNfrozen after compile silently never starts
 * training. `recompile(model, {...})` or `unfreeze(model, spec, {recompile: {...}})` fixes that;
 * `trainableReport(model).totals.needsRecompile` tells you when it is needed.
 *
 * Use `freeze(base, ...)` rather than tfjs' `base.trainable = false`: that setter only flips the
 * weights' flags, which `tf.sequential([base, ...])` sets back to true when it builds, and
 * unless `applyFrozenBatchNormRule` runs it leaves BatchNormalization in batch-statistics mode.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { escapeHtml } from '../html';
import { applyFrozenBatchNormRule, isBatchNorm, isFrozenBatchNorm } from './batchnorm';
import { makeOptimizer, isOwnOptimizer, type OptimizerConfig } from '../train/optimizer';
import { applyLeanLayerForms } from './inference_forms';
import { isContainer, layerIndex } from './layer_lookup';

/**
 * Which layers of `model.layers` a freeze/unfreeze call touches. Indices count like Keras'
 * `model.layers` (a functional model's InputLayer is layer 0).
 * - `'all'`: every layer.
 * - `{first: N}`: `model.layers[:N]`, e.g. `{first: 5}` for "the first 5 layers of VGG19".
 * - `{upTo: name}`: from the first layer through `name`, inclusive.
 * - `{from: name}`: from `name` to the last layer, inclusive.
 * - `{from: N}`: `model.layers[N:]`; a negative N counts from the end (`{from: -20}` = the last 20).
 */
export type FreezeSpec = 'all' | { first: number } | { upTo: string } | { from: string | number };

/** `recompile` options: an optimizer plus, optionally, a new loss and metrics. */
export interface RecompileConfig extends OptimizerConfig {
  /** Loss. Defaults to the loss of the model's previous compile (required if it was never compiled). */
  loss?: tf.ModelCompileArgs['loss'];
  /** Metrics. Defaults to the previous compile's metrics, else `['accuracy']`. */
  metrics?: tf.ModelCompileArgs['metrics'];
}

/** `unfreeze` options. */
export interface UnfreezeOptions {
  /**
   * Keep BatchNormalization layers frozen, so they stay in inference mode with the pretrained
   * moving statistics (keras-io's `unfreeze_model` does the same). Defaults to true.
   */
  keepBatchNormFrozen?: boolean;
  /** When given, recompile the model with this optimizer right away. Defaults to no recompile. */
  recompile?: RecompileConfig;
}

function checkModel(model: unknown, where: string): asserts model is tf.LayersModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new ModelError(`${where}: argument 'model' must be a tf.LayersModel, received ${describe(model)}.`);
  }
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object') return x.constructor?.name ?? 'object';
  return `${typeof x} ${JSON.stringify(x)}`;
}

/** Resolves a FreezeSpec to indices into `model.layers`. */
export function specIndices(model: tf.LayersModel, spec: FreezeSpec, where: string): number[] {
  const n = model.layers.length;
  const range = (start: number, end: number) => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
  if (spec === 'all') return range(0, n);
  if (spec !== null && typeof spec === 'object') {
    if ('first' in spec) {
      const k = spec.first;
      if (!Number.isInteger(k) || k < 0) {
        throw new ModelError(`${where}: spec.first must be a whole number >= 0, received ${JSON.stringify(k)}.`);
      }
      return range(0, Math.min(k, n));
    }
    if ('upTo' in spec) return range(0, layerIndex(model, spec.upTo, `${where} spec.upTo`) + 1);
    if ('from' in spec) {
      const from = spec.from;
      if (typeof from === 'string') return range(layerIndex(model, from, `${where} spec.from`), n);
      if (!Number.isInteger(from)) {
        throw new ModelError(`${where}: spec.from must be a layer name or a whole number, received ${JSON.stringify(from)}.`);
      }
      return range(from < 0 ? Math.max(0, n + from) : Math.min(from, n), n);
    }
  }
  throw new ModelError(
    `${where}: spec must be 'all', {first: N}, {upTo: layerName}, {from: layerName} or {from: N}, ` +
      `received ${JSON.stringify(spec)}.`,
  );
}

/** Sets `trainable` on a layer and, for a nested model, on every layer inside it (Keras semantics). */
function setTrainable(layer: tf.layers.Layer, trainable: boolean, skipBatchNorm: boolean): void {
  if (isContainer(layer)) {
    for (const inner of layer.layers) setTrainable(inner, trainable, skipBatchNorm);
    // The container's own flag gates all its weights in tfjs; it must be on for any inner layer to train.
    if (trainable) layer.trainable = true;
    else if (layer.layers.every((inner) => !inner.trainable)) layer.trainable = false;
    return;
  }
  if (skipBatchNorm && isBatchNorm(layer)) {
    layer.trainable = false;
    return;
  }
  layer.trainable = trainable;
}

/**
 * Freezes layers (Keras `layer.trainable = False`): their weights stop training, and frozen
 * BatchNormalization layers run in inference mode (see `applyFrozenBatchNormRule`). Only the
 * selected layers change. Layers are shared, so freezing a base freezes it in every model built on
 * it. Recompile afterwards (see the module comment). Returns the model.
 *
 * Besides the trainable flags, it applies the speed forms of `inference_forms.ts`
 * (`applyLeanLayerForms`: bias-free Conv2D as plain conv2d, ReLU6 as one clip) and the frozen
 * BatchNormalization rule of `batchnorm.ts` (a frozen BN runs as a fixed affine op with its moving
 * statistics). Both give the same values and keep each layer's class and config, so a saved
 * model is plain Keras; they only make steps cheaper.
 *
 * @example
 * freeze(base, 'all');          // scenario 1: feature extraction
 * freeze(vgg19, { first: 5 });  // the materials' recipe: the first 5 layers of VGG19 stay fixed
 * freeze(base, { upTo: 'block2_pool' });
 */
export function freeze(model: tf.LayersModel, spec: FreezeSpec): tf.LayersModel {
  checkModel(model, 'freeze()');
  for (const i of specIndices(model, spec, 'freeze()')) setTrainable(model.layers[i], false, false);
  applyFrozenBatchNormRule(model);
  applyLeanLayerForms(model);
  return model;
}

/**
 * Unfreezes layers for fine-tuning. BatchNormalization layers stay frozen and in inference mode
 * unless `keepBatchNormFrozen: false`: updating their statistics with small batches of a new
 * dataset would wreck what the pretrained layers after them expect. Pass `recompile` to
 * recompile at once (needed before `fit`, see the module comment). Returns the model.
 * Like `freeze`, it (re)applies the frozen BatchNormalization rule and `applyLeanLayerForms`.
 *
 * @example
 * unfreeze(model, { from: 'conv_pw_12' }, { recompile: { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 } });
 * unfreeze(model, { from: -20 });   // the last 20 layers, like keras-io's unfreeze_model
 */
export function unfreeze(model: tf.LayersModel, spec: FreezeSpec, options: UnfreezeOptions = {}): tf.LayersModel {
  checkModel(model, 'unfreeze()');
  const keepBn = options.keepBatchNormFrozen ?? true;
  for (const i of specIndices(model, spec, 'unfreeze()')) setTrainable(model.layers[i], true, keepBn);
  applyFrozenBatchNormRule(model);
  applyLeanLayerForms(model);
  if (options.recompile) recompile(model, options.recompile);
  return model;
}

/**
 * Compiles `model` again so that `fit` trains exactly the layers that are trainable now, with a
 * fresh optimizer (old momentum/Adam state does not belong to the new set of weights). Loss and
 * metrics default to the previous compile's. The optimizer comes from the library's one factory,
 * `makeOptimizer` in train/optimizer.ts; the replaced one is disposed only if that factory made it.
 * Returns the model.
 *
 * @example
 * recompile(model, { optimizer: 'sgd', learningRate: 1e-5, momentum: 0.9 });
 */
export function recompile(model: tf.LayersModel, config: RecompileConfig): tf.LayersModel {
  checkModel(model, 'recompile()');
  const loss = config.loss ?? (model.optimizer != null ? model.loss : undefined);
  if (loss === undefined || (Array.isArray(loss) && loss.length === 0)) {
    throw new ModelError(
      `recompile(): model '${model.name}' was never compiled, so config.loss is required ` +
        "(e.g. 'categoricalCrossentropy').",
    );
  }
  const metrics = config.metrics ?? (model.optimizer != null && model.metrics != null ? model.metrics : ['accuracy']);
  const previous = model.optimizer;
  model.compile({ optimizer: makeOptimizer(config), loss, metrics });
  if (previous != null && isOwnOptimizer(previous)) previous.dispose();
  return model;
}

/**
 * True when `model` was compiled and its trainable weights changed since (a freeze/unfreeze
 * without recompile). Reads tfjs' private `collectedTrainableWeights`, the list `fit` uses.
 */
export function needsRecompile(model: tf.LayersModel): boolean {
  if (model.optimizer == null) return false;
  const collected: tf.LayerVariable[] | undefined = model['collectedTrainableWeights'];
  if (collected == null) return false;
  const now = model.trainableWeights;
  if (now.length !== collected.length) return true;
  const ids = new Set(collected.map((w) => w.id));
  return now.some((w) => !ids.has(w.id));
}

/** One layer in a `trainableReport` (a type alias, so rows pass straight to `toHtmlTable`). */
export type TrainableRow = {
  index: number;
  name: string;
  /** Keras class name, e.g. 'Conv2D'. */
  type: string;
  trainable: boolean;
  /** All parameters of the layer (trainable or not). */
  params: number;
  /** Output shape, e.g. [null, 7, 7, 256]. */
  outputShape: string;
  /** 'inference mode' for frozen BatchNormalization layers, else ''. */
  note: string;
};

/** What will train: rows per layer, totals, and text/HTML renderings. */
export interface TrainableReport {
  rows: TrainableRow[];
  totals: { trainable: number; nonTrainable: number; total: number; needsRecompile: boolean };
  /** A fixed-width table for terminals. */
  text: string;
  /** A small HTML table; frozen rows are greyed and marked "frozen". */
  html: string;
}

function countWeights(weights: tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
}

function shapeText(layer: tf.layers.Layer): string {
  try {
    return JSON.stringify(layer.outputShape).replace(/,/g, ', ');
  } catch {
    return 'multiple';
  }
}


/**
 * Lists every layer of `model` with its trainable flag and parameter count, and totals as Keras'
 * `model.summary()` counts them (BN moving mean/variance are non-trainable). Show `.html` in a
 * notebook, print `.text` in a terminal.
 */
export function trainableReport(model: tf.LayersModel): TrainableReport {
  checkModel(model, 'trainableReport()');
  const rows: TrainableRow[] = model.layers.map((layer, index) => ({
    index,
    name: layer.name,
    type: layer.getClassName(),
    // A layer with weights trains when any of them trains; a weightless one shows its flag.
    trainable: layer.weights.length > 0 ? layer.trainableWeights.length > 0 : layer.trainable,
    params: layer.countParams(),
    outputShape: shapeText(layer),
    note: isBatchNorm(layer) && isFrozenBatchNorm(layer) ? 'inference mode' : '',
  }));
  const trainable = countWeights(model.trainableWeights);
  const nonTrainable = countWeights(model.nonTrainableWeights);
  const totals = { trainable, nonTrainable, total: trainable + nonTrainable, needsRecompile: needsRecompile(model) };
  const fmt = (n: number) => n.toLocaleString('en-US');
  const footer = [
    `Trainable params: ${fmt(trainable)}`,
    `Non-trainable params: ${fmt(nonTrainable)}`,
    `Total params: ${fmt(totals.total)}`,
    ...(totals.needsRecompile ? ['Trainable layers changed since compile: call recompile(model, {...}) before fit.'] : []),
  ];

  const header = ['#', 'Layer', 'Type', 'Output shape', 'Params', 'Trainable'];
  const cells = rows.map((r) => [
    String(r.index), r.name, r.type, r.outputShape, fmt(r.params), (r.trainable ? 'yes' : 'frozen') + (r.note ? ` (${r.note})` : ''),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const text = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), '', ...footer].join('\n');

  const th = header.map((h) => `<th style="text-align:left;padding:2px 8px">${h}</th>`).join('');
  const tr = cells
    .map((row, i) => {
      const style = rows[i].trainable ? '' : ' style="background:#eceff1;color:#78909c"';
      return `<tr${style}>${row.map((c) => `<td style="padding:2px 8px">${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const html =
    `<table class="transfer-lab-trainable" style="border-collapse:collapse;font-family:monospace;font-size:12px">\n` +
    `<thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody>\n</table>\n` +
    `<p style="font-family:monospace;font-size:12px">${footer.map(escapeHtml).join('<br>')}</p>`;
  return { rows, totals, text, html };
}
