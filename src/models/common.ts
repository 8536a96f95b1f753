/**
 * What every Keras-applications builder shares: the common options, Keras' validation rules
 * (`obtain_input_shape` and friends, with messages that quote the bad value), deterministic
 * Keras layer names for layers Keras leaves unnamed, and the top / pooling tail.
 * @see notebooks/03-pretrained-models.ipynb
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** `null` = random initialisation, `'imagenet'` = the pretrained weights, else a path to weights. */
export type WeightsOption = null | 'imagenet' | string;

/** Options every builder accepts, named as in Keras (camelCase). */
export interface BaseModelOptions {
  /** Keep the ImageNet classifier on top of the network. Defaults to true. */
  includeTop?: boolean;
  /**
   * `null` (random initialisation), `'imagenet'` (pretrained weights, resolved through
   * `resolveAsset`), or a path to a tfjs model folder or a Keras `.h5` file. Defaults to null.
   */
  weights?: WeightsOption;
  /**
   * Input shape `[height, width, 3]` without the batch dimension. Defaults to the family's
   * default size (224x224, 299x299 for InceptionV3) with the top, and `[null, null, 3]`
   * (any size) without it, as in Keras.
   */
  inputShape?: [number | null, number | null, number];
  /**
   * Pooling after the last convolution when `includeTop` is false: undefined keeps the 4D
   * feature map, `'avg'` / `'max'` apply global average / max pooling. Defaults to undefined.
   */
  pooling?: 'avg' | 'max';
  /** Number of classes of the top classifier (only with `includeTop`). Defaults to 1000. */
  classes?: number;
  /**
   * Activation of the top classifier: `'softmax'`, or `null`/`'linear'` for logits; with
   * pretrained weights only those are allowed. Defaults to 'softmax'.
   */
  classifierActivation?: string | null;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  includeTop: boolean;
  weights: WeightsOption;
  inputShape: [number | null, number | null, number];
  pooling: 'avg' | 'max' | undefined;
  classes: number;
  /** A tfjs activation identifier ('linear' when the caller asked for logits). */
  classifierActivation: ActivationId;
}

/** Family facts the shared validation needs. */
export interface ShapeRules {
  /** Builder name used in error messages, e.g. 'MobileNet'. */
  fn: string;
  /** Default input height/width (224, 299 for InceptionV3). */
  defaultSize: number;
  /** Smallest allowed input height/width (32, 75 for InceptionV3). */
  minSize: number;
}

/** Activation names tfjs layers accept (`tf.layers.activation({activation})`). */
export type ActivationId = NonNullable<Parameters<typeof tf.layers.activation>[0]['activation']>;

const ACTIVATIONS: readonly ActivationId[] = [
  'elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax',
  'softplus', 'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new',
];

const BASE_KEYS = ['includeTop', 'weights', 'inputShape', 'pooling', 'classes', 'classifierActivation'];

/** Formats a value the way error messages quote it. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map((v) => (v === null ? 'null' : quote(v))).join(', ')}]`;
  return String(value);
}

/**
 * Rejects option names the builder does not know (a typo such as `include_top` would
 * otherwise be ignored silently).
 */
export function checkKnownKeys(fn: string, opts: object, extra: string[]): void {
  const known = new Set([...BASE_KEYS, ...extra]);
  for (const key of Object.keys(opts)) {
    if (!known.has(key)) {
      throw new ModelError(
        `${fn}: unknown option ${quote(key)}. Known options: ${[...known].join(', ')} (camelCase, e.g. includeTop).`,
      );
    }
  }
}

/**
 * Applies defaults and Keras' rules for the shared options: `weights` is null, 'imagenet' or
 * an existing path; 'imagenet' with the top needs `classes` = 1000 and the default input
 * shape; the input has 3 channels (with 'imagenet') and is at least `minSize` on each side;
 * with the top the shape must be static.
 */
export function resolveOptions(rules: ShapeRules, opts: BaseModelOptions, defaultSize = rules.defaultSize): ResolvedOptions {
  const { fn, minSize } = rules;
  const includeTop = opts.includeTop ?? true;
  const weights = opts.weights === undefined ? null : opts.weights;
  const classes = opts.classes ?? 1000;
  const pooling = opts.pooling;

  if (typeof includeTop !== 'boolean') {
    throw new ModelError(`${fn}: includeTop must be true or false; received includeTop=${quote(includeTop)}.`);
  }
  if (weights !== null && weights !== 'imagenet' && (typeof weights !== 'string' || !fs.existsSync(weights))) {
    throw new ModelError(
      `${fn}: weights must be null (random initialisation), 'imagenet' (pretrained on ImageNet) ` +
        `or the path of an existing weights file or tfjs model folder; received weights=${quote(weights)}.`,
    );
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ModelError(`${fn}: classes must be a positive integer; received classes=${quote(classes)}.`);
  }
  if (weights === 'imagenet' && includeTop && classes !== 1000) {
    throw new ModelError(
      `${fn}: weights='imagenet' with includeTop=true needs classes=1000 (the ImageNet classifier); ` +
        `received classes=${classes}. Use includeTop: false and add your own classifier, or weights: null.`,
    );
  }
  if (pooling !== undefined && pooling !== 'avg' && pooling !== 'max') {
    throw new ModelError(`${fn}: pooling must be undefined, 'avg' or 'max'; received pooling=${quote(pooling)}.`);
  }
  const classifierActivation = resolveActivation(fn, opts.classifierActivation, weights, includeTop);
  const inputShape = obtainInputShape(fn, opts.inputShape, defaultSize, minSize, includeTop, weights);
  return { includeTop, weights, inputShape, pooling, classes, classifierActivation };
}

function resolveActivation(fn: string, given: string | null | undefined, weights: WeightsOption, includeTop: boolean): ActivationId {
  const name = given === undefined ? 'softmax' : given === null ? 'linear' : given;
  const activation = ACTIVATIONS.find((a) => a === name);
  if (activation === undefined) {
    throw new ModelError(
      `${fn}: classifierActivation must be null or one of ${ACTIVATIONS.join(', ')}; received classifierActivation=${quote(given)}.`,
    );
  }
  if (includeTop && weights !== null && activation !== 'softmax' && activation !== 'linear') {
    throw new ModelError(
      `${fn}: with pretrained weights only 'softmax' or null (logits) are allowed for classifierActivation; ` +
        `received classifierActivation=${quote(given)}.`,
    );
  }
  return activation;
}

/** Keras' `obtain_input_shape` for channels-last inputs. */
function obtainInputShape(
  fn: string,
  given: BaseModelOptions['inputShape'],
  defaultSize: number,
  minSize: number,
  includeTop: boolean,
  weights: WeightsOption,
): [number | null, number | null, number] {
  const defaultShape: [number, number, number] = [defaultSize, defaultSize, 3];
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length !== 3) {
      throw new ModelError(`${fn}: inputShape must be [height, width, channels]; received inputShape=${quote(given)}.`);
    }
    if (weights === 'imagenet' && includeTop && given.some((v, i) => v !== defaultShape[i])) {
      throw new ModelError(
        `${fn}: with includeTop=true and weights='imagenet', inputShape must be ${quote(defaultShape)}; ` +
          `received inputShape=${quote(given)}. Use includeTop: false for other input sizes.`,
      );
    }
    if (weights === 'imagenet' && given[2] !== 3) {
      throw new ModelError(`${fn}: the input must have 3 channels with weights='imagenet'; received inputShape=${quote(given)}.`);
    }
    const [h, w] = given;
    if ((h !== null && h < minSize) || (w !== null && w < minSize)) {
      throw new ModelError(`${fn}: input size must be at least ${minSize}x${minSize}; received inputShape=${quote(given)}.`);
    }
    if (includeTop && (h === null || w === null)) {
      throw new ModelError(
        `${fn}: with includeTop=true the input shape must be static; received inputShape=${quote(given)}.`,
      );
    }
    return [h, w, given[2]];
  }
  return includeTop ? defaultShape : [null, null, 3];
}

/**
 * Names layers the way a fresh Keras session auto-names them: the first 'conv2d', then
 * 'conv2d_1', 'conv2d_2', ... One namer per model build, so names do not depend on what
 * was built before (unlike tfjs' global counters).
 */
export function kerasNamer(): (prefix: string) => string {
  const counts = new Map<string, number>();
  return (prefix: string) => {
    const n = counts.get(prefix) ?? 0;
    counts.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  };
}

/** Applies a layer to symbolic inputs, with the symbolic type tfjs' `apply` loses. */
export function call(layer: tf.layers.Layer, inputs: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  const out = layer.apply(inputs);
  if (!(out instanceof tf.SymbolicTensor)) {
    throw new ModelError(`call: layer '${layer.name}' did not return one symbolic tensor while building a model.`);
  }
  return out;
}

/** The image input layer, named 'input_1' as in Keras 2 models and the course's tfjs files. */
export function imageInput(shape: [number | null, number | null, number]): tf.SymbolicTensor {
  return tf.input({ shape, name: 'input_1' });
}

/**
 * The no-top tail: global pooling when asked. `names` gives Keras' layer names for the
 * pooling layers (ResNet names them 'avg_pool' / 'max_pool'; others leave Keras' defaults).
 */
export function poolingTail(
  x: tf.SymbolicTensor,
  pooling: 'avg' | 'max' | undefined,
  names: { avg: string; max: string } = { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' },
): tf.SymbolicTensor {
  if (pooling === 'avg') return call(tf.layers.globalAveragePooling2d({ name: names.avg }), x);
  if (pooling === 'max') return call(tf.layers.globalMaxPooling2d({ name: names.max }), x);
  return x;
}

/** Number as Keras formats `alpha` in model names: 1 -> '1.00'. */
export function alphaText(alpha: number): string {
  return alpha.toFixed(2);
}

// tfjs initialises kernels with glorotNormal by default, Keras with glorot_uniform: these
// factories keep Keras' defaults so a model trained from scratch starts as in Keras.

/** `tf.layers.conv2d` with Keras' default kernel initializer (glorot uniform). */
export function conv2d(args: Parameters<typeof tf.layers.conv2d>[0]): tf.layers.Layer {
  return tf.layers.conv2d({ kernelInitializer: 'glorotUniform', ...args });
}

/** `tf.layers.depthwiseConv2d` with Keras' default depthwise initializer (glorot uniform). */
export function depthwiseConv2d(args: Parameters<typeof tf.layers.depthwiseConv2d>[0]): tf.layers.Layer {
  return tf.layers.depthwiseConv2d({ depthwiseInitializer: 'glorotUniform', ...args });
}

/** `tf.layers.dense` with Keras' default kernel initializer (glorot uniform). */
export function dense(args: Parameters<typeof tf.layers.dense>[0]): tf.layers.Layer {
  return tf.layers.dense({ kernelInitializer: 'glorotUniform', ...args });
}
