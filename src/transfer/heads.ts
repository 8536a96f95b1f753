/**
 * Classifier heads on a pretrained base (curriculum 7.5, "the hard point"): the heads seen in the
 * materials, with one naming scheme for the layers we add (`head_flatten`, `head_gap`,
 * `head_dense_1`, `head_dropout`, `head_dense_2`, `head_predictions`) so they never clash with
 * Keras names and are easy to find in a summary.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { applyFrozenBatchNormRule } from './batchnorm';
import { applyLeanLayerForms } from './inference_forms';
import { defaultCutAt, prepareBase, strategyInfo, type PrepareBaseOptions, type StrategyName } from './scenarios';
import { truncateAt } from './truncate';

/**
 * Heads:
 * - `'flatten-dense256'`: Flatten → Dense(256, relu) → Dropout(0.5) → Dense(n, softmax) (the small-data recipe).
 * - `'gap'`: GlobalAveragePooling2D → Dense(n, softmax) (the ResNet50 example).
 * - `'gap-dense256'`: GlobalAveragePooling2D → Dense(256, relu) → Dropout(0.5) → Dense(n, softmax);
 *   for early cuts, where Flatten would give 10^5..10^6 inputs to the first Dense layer.
 * - `'flatten-dense1024x2'`: Flatten → Dense(1024, relu) → Dropout(0.5) → Dense(1024, relu) → Dense(n, softmax)
 *   (the VGG19 fine-tuning recipe).
 * - `'binary'`: Flatten → Dense(256, relu) → Dropout(0.5) → Dense(1, sigmoid) (the two-class variant).
 */
export type HeadName = 'flatten-dense256' | 'gap' | 'gap-dense256' | 'flatten-dense1024x2' | 'binary';

/** Names of all heads. */
export const HEAD_NAMES: readonly HeadName[] = ['flatten-dense256', 'gap', 'gap-dense256', 'flatten-dense1024x2', 'binary'];

/** Options shared by every head. */
export interface HeadOptions {
  /** Which head. Defaults to the strategy's head, else `'flatten-dense256'`. */
  head?: HeadName;
  /** Number of classes (>= 2); the `'binary'` head takes 1 or 2 and has one sigmoid output. */
  numClasses: number;
  /** Dropout rate of the head's Dropout layer. Defaults to 0.5 (as in the materials). */
  dropout?: number;
}

/** `buildTransferModel` options. */
export interface TransferModelOptions extends HeadOptions, PrepareBaseOptions {
  /**
   * Freeze the base the way this strategy wants (see `STRATEGIES`). Defaults to none: the base's
   * trainable flags are left as they are.
   */
  strategy?: StrategyName;
  /**
   * Cut the base at this layer first (see `truncateAt`). Defaults to no cut; with strategy
   * `'earlyFeatures'` it defaults to the family's early layer (e.g. 'block2_pool', 'conv_pw_5_relu').
   */
  cutAt?: string;
  /** Name of the new model. Defaults to `<base.name>_transfer`. */
  name?: string;
}

/** The loss a head is trained with: binary cross-entropy for `'binary'`, else categorical cross-entropy. */
export function headLoss(head: HeadName): 'binaryCrossentropy' | 'categoricalCrossentropy' {
  return head === 'binary' ? 'binaryCrossentropy' : 'categoricalCrossentropy';
}

function checkHeadOptions(options: HeadOptions, where: string): Required<HeadOptions> {
  const head = options.head ?? 'flatten-dense256';
  if (!HEAD_NAMES.includes(head)) {
    throw new ModelError(`${where}: unknown head ${JSON.stringify(head)}; use one of ${HEAD_NAMES.join(', ')}.`);
  }
  const n = options.numClasses;
  const minClasses = head === 'binary' ? 1 : 2;
  if (!Number.isInteger(n) || n < minClasses || (head === 'binary' && n > 2)) {
    const want = head === 'binary' ? '1 or 2 for the binary head' : 'a whole number >= 2';
    throw new ModelError(`${where}: numClasses must be ${want}, received ${JSON.stringify(n)}.`);
  }
  const dropout = options.dropout ?? 0.5;
  if (!(dropout >= 0 && dropout < 1)) {
    throw new ModelError(`${where}: dropout must be in [0, 1), received ${JSON.stringify(dropout)}.`);
  }
  return { head, numClasses: n, dropout };
}

/** Connects the head's layers to `x` (a base output) and returns the prediction tensor. */
function connectHead(x: tf.SymbolicTensor, options: Required<HeadOptions>, where: string): tf.SymbolicTensor {
  const { head, numClasses, dropout } = options;
  const rank = x.shape.length;
  const pooled = head === 'gap' || head === 'gap-dense256';
  if (rank !== 2 && (pooled ? rank !== 4 : rank < 3)) {
    throw new ModelError(
      `${where}: head '${head}' needs a base output of rank ${pooled ? '4 (batch, h, w, c)' : '>= 3'} or 2, ` +
        `received shape ${JSON.stringify(x.shape)}.`,
    );
  }
  const apply = (layer: tf.layers.Layer, input: tf.SymbolicTensor) => layer.apply(input) as tf.SymbolicTensor;
  // A base that already ends in a pooled vector (Keras pooling='avg') needs no Flatten/GAP.
  let y = x;
  if (rank !== 2) {
    y = pooled
      ? apply(tf.layers.globalAveragePooling2d({ name: 'head_gap' }), y)
      : apply(tf.layers.flatten({ name: 'head_flatten' }), y);
  }
  const dense = (units: number, index: number) =>
    apply(tf.layers.dense({ units, activation: 'relu', name: `head_dense_${index}` }), y);
  if (head !== 'gap') {
    y = dense(head === 'flatten-dense1024x2' ? 1024 : 256, 1);
    y = apply(tf.layers.dropout({ rate: dropout, name: 'head_dropout' }), y);
    if (head === 'flatten-dense1024x2') y = dense(1024, 2);
  }
  const binary = head === 'binary';
  return apply(
    tf.layers.dense({ units: binary ? 1 : numClasses, activation: binary ? 'sigmoid' : 'softmax', name: 'head_predictions' }),
    y,
  );
}

/**
 * A stand-alone head taking features of shape `featureShape` (without the batch dimension), for
 * training on cached bottleneck features; its layer names match the head of `buildTransferModel`.
 *
 * @example
 * const head = buildHeadModel([7, 7, 256], { head: 'gap', numClasses: 2 });
 * head.compile({ optimizer: 'rmsprop', loss: headLoss('gap'), metrics: ['accuracy'] });
 */
export function buildHeadModel(featureShape: number[], options: HeadOptions & { name?: string }): tf.LayersModel {
  const checked = checkHeadOptions(options, 'buildHeadModel()');
  if (!Array.isArray(featureShape) || featureShape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new ModelError(
      `buildHeadModel(): featureShape must be positive whole numbers without the batch dimension (e.g. [7, 7, 256]), ` +
        `received ${JSON.stringify(featureShape)}.`,
    );
  }
  const input = tf.input({ shape: featureShape, name: 'head_input' });
  const output = connectHead(input, checked, 'buildHeadModel()');
  return tf.model({ inputs: input, outputs: output, name: options.name ?? `head_${checked.head}` });
}

/**
 * A pretrained `base` (optionally cut at `cutAt` and frozen by `strategy`) with a new classifier
 * head. The base's layers are shared, not copied. Not compiled: use `applyStrategy` for a
 * compiled model with the strategy's optimizer, or compile it yourself with `headLoss(head)`.
 * Like `freeze`, it applies the frozen BatchNormalization rule and the value-preserving speed
 * forms of inference_forms.ts (`applyLeanLayerForms`) to the new model's layers.
 *
 * @example
 * const model = buildTransferModel(base, { head: 'flatten-dense256', numClasses: 2, strategy: 'featureExtraction' });
 * model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 */
export function buildTransferModel(base: tf.LayersModel, options: TransferModelOptions): tf.LayersModel {
  const where = 'buildTransferModel()';
  if (!(base instanceof tf.LayersModel)) {
    throw new ModelError(`${where}: argument 'base' must be a tf.LayersModel, received ${String(base)}.`);
  }
  const info = options.strategy === undefined ? undefined : strategyInfo(options.strategy, where);
  const checked = checkHeadOptions({ ...options, head: options.head ?? info?.defaultHead }, where);
  const cutAt = options.cutAt ?? (info?.name === 'earlyFeatures' ? defaultCutAt(base) : undefined);
  const cut = cutAt === undefined ? base : truncateAt(base, cutAt);
  if (cut.outputs.length !== 1) {
    throw new ModelError(`${where}: the base must have one output, '${cut.name}' has ${cut.outputs.length}.`);
  }
  const clash = cut.layers.find((l) => l.name.startsWith('head_'));
  if (clash !== undefined) {
    throw new ModelError(
      `${where}: the base already has a layer named '${clash.name}' (it has a head); ` +
        'pass the pretrained base without its head, or cut it with cutAt.',
    );
  }
  if (info !== undefined) prepareBase(cut, info.name, options);
  const output = connectHead(cut.outputs[0], checked, where);
  const model = tf.model({ inputs: cut.inputs, outputs: output, name: options.name ?? `${base.name}_transfer` });
  applyFrozenBatchNormRule(model);
  applyLeanLayerForms(model);
  return model;
}
