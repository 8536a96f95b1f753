/**
 * The four reuse strategies as one call each (curriculum 7.2), and a recommender that picks one
 * from the size of the training set and its similarity to ImageNet.
 * @see notebooks/02-reuse-strategies.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import { makeOptimizer, type OptimizerConfig } from '../train/optimizer';
import { trainableReport } from './freeze';
import { buildTransferModel, headLoss, type HeadName } from './heads';
import { STRATEGIES, defaultCutAt, strategyInfo, type PrepareBaseOptions, type StrategyName } from './scenarios';

/**
 * Below this many training images a dataset counts as "small". With ~1,000 images a network of
 * millions of weights memorises the set when fully trained, while a head of 10^3..10^5 weights on
 * frozen features does not; above it (the worked example: 4,125 images, cats_dogs_100: 1,999)
 * fine-tuning with a low learning rate pays off.
 */
export const SMALL_DATASET_THRESHOLD = 1000;

/** How `applyStrategy` compiled the model. */
export interface CompileDefaults extends OptimizerConfig {
  loss: 'binaryCrossentropy' | 'categoricalCrossentropy';
  metrics: string[];
}

/** `applyStrategy` options. */
export interface ApplyStrategyOptions extends PrepareBaseOptions {
  /** Number of classes (>= 2; 1 or 2 for the 'binary' head). */
  numClasses: number;
  /** Head. Defaults to the strategy's `defaultHead` (see `STRATEGIES`). */
  head?: HeadName;
  /** Cut the base here first. Defaults to no cut; for 'earlyFeatures' to the family's early layer. */
  cutAt?: string;
  /** Head dropout rate. Defaults to 0.5. */
  dropout?: number;
  /** Override the strategy's optimizer, learning rate or momentum. Defaults to the strategy's (see `STRATEGIES`). */
  compile?: Partial<OptimizerConfig> & { metrics?: string[] };
  /** Name of the new model. Defaults to `<base.name>_<strategy>`. */
  name?: string;
}

/** What `applyStrategy` returns. */
export interface StrategyResult {
  /** The new model, compiled and ready for `fit`. */
  model: tf.LayersModel;
  /** The optimizer, loss and metrics it was compiled with. */
  compileDefaults: CompileDefaults;
  /** A few lines for the learner: the strategy, its rationale, what trains. */
  description: string;
}

/**
 * Builds and compiles a transfer model the way `strategy` wants:
 * - `featureExtraction` (small, similar): freeze the whole base, train a new head (rmsprop 1e-3).
 * - `fineTune` (large, similar): train all but the first `freezeFirst` layers, BatchNorm frozen, SGD 1e-4 momentum 0.9.
 * - `earlyFeatures` (small, different): cut at an early layer, freeze it, train a few dense layers.
 * - `fromPretrainedInit` (large, different): everything trainable, pretrained weights as the start.
 *
 * @example
 * const { model, description } = applyStrategy(base, 'featureExtraction', { numClasses: 2 });
 * console.log(description);
 * await model.fit(xs, ys, { epochs: 5 });
 */
export function applyStrategy(base: tf.LayersModel, strategy: StrategyName, options: ApplyStrategyOptions): StrategyResult {
  const info = strategyInfo(strategy, 'applyStrategy()');
  if (options == null || typeof options !== 'object') {
    throw new ModelError(`applyStrategy(): options with numClasses are required, received ${String(options)}.`);
  }
  const head = options.head ?? info.defaultHead;
  const cutAt = options.cutAt ?? (strategy === 'earlyFeatures' ? defaultCutAt(base) : undefined);
  const model = buildTransferModel(base, {
    head, numClasses: options.numClasses, dropout: options.dropout, cutAt,
    freezeFirst: options.freezeFirst, strategy, name: options.name ?? `${base.name}_${strategy}`,
  });
  const compileDefaults: CompileDefaults = {
    ...info.optimizer,
    ...options.compile,
    loss: headLoss(head),
    metrics: options.compile?.metrics ?? ['accuracy'],
  };
  model.compile({ optimizer: makeOptimizer(compileDefaults), loss: compileDefaults.loss, metrics: compileDefaults.metrics });
  const { totals } = trainableReport(model);
  const lr = compileDefaults.learningRate;
  const momentum = compileDefaults.optimizer === 'sgd' && compileDefaults.momentum ? `, momentum ${compileDefaults.momentum}` : '';
  const description = [
    `Strategy ${info.scenario}: ${strategy} (${info.data} data, ${info.similarity} to ImageNet)`,
    `Why: ${info.rationale}`,
    `Base: ${info.base}${cutAt === undefined ? '' : `; cut at '${cutAt}'`}`,
    `Head: ${head}; compiled with ${compileDefaults.optimizer} (learning rate ${lr}${momentum}), ${compileDefaults.loss}`,
    `Params: ${totals.trainable.toLocaleString('en-US')} trainable, ${totals.nonTrainable.toLocaleString('en-US')} frozen`,
  ].join('\n');
  return { model, compileDefaults, description };
}

/** `recommendStrategy` input. */
export interface RecommendInput {
  /** Number of training images. */
  trainImages: number;
  /** Whether the images look like ImageNet photos (objects, animals, plants) or not (digits, X-rays, spectrograms). */
  similarity: 'similar' | 'different';
  /** Images below this count are "small". Defaults to `SMALL_DATASET_THRESHOLD` (1000). */
  threshold?: number;
}

/** `recommendStrategy` answer. */
export interface Recommendation {
  strategy: StrategyName;
  /** 'small' or 'large', as judged against the threshold. */
  size: 'small' | 'large';
  /** One or two sentences for the learner. */
  reason: string;
}

/**
 * Picks the strategy for a dataset (the 2x2 table of curriculum 7.2: size x similarity).
 *
 * @example
 * recommendStrategy({ trainImages: 245, similarity: 'similar' }).strategy; // 'featureExtraction'
 */
export function recommendStrategy(input: RecommendInput): Recommendation {
  const { trainImages, similarity } = input;
  const threshold = input.threshold ?? SMALL_DATASET_THRESHOLD;
  if (!Number.isInteger(trainImages) || trainImages < 0) {
    throw new ModelError(`recommendStrategy(): trainImages must be a whole number >= 0, received ${JSON.stringify(trainImages)}.`);
  }
  if (similarity !== 'similar' && similarity !== 'different') {
    throw new ModelError(`recommendStrategy(): similarity must be 'similar' or 'different', received ${JSON.stringify(similarity)}.`);
  }
  if (!(threshold > 0)) {
    throw new ModelError(`recommendStrategy(): threshold must be a positive number, received ${JSON.stringify(threshold)}.`);
  }
  const size = trainImages < threshold ? 'small' : 'large';
  const table: Record<'small' | 'large', Record<'similar' | 'different', StrategyName>> = {
    small: { similar: 'featureExtraction', different: 'earlyFeatures' },
    large: { similar: 'fineTune', different: 'fromPretrainedInit' },
  };
  const strategy = table[size][similarity];
  const reason =
    `${trainImages} training images is ${size} (threshold ${threshold}) and the data is ${similarity} to ImageNet: ` +
    STRATEGIES[strategy].rationale;
  return { strategy, size, reason };
}
