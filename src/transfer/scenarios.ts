/**
 * The four reuse scenarios of a pretrained model (curriculum 7.2) as data: which data situation
 * each fits, why, what it freezes, where it cuts, which head and optimizer it starts from.
 * `strategies.ts` turns them into models; `heads.ts` uses `prepareBase` for `buildTransferModel`.
 * @see notebooks/02-reuse-strategies.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';
import type { OptimizerConfig } from '../train/optimizer';
import { freeze, unfreeze } from './freeze';
import type { HeadName } from './heads';

/** Names of the four strategies. */
export type StrategyName = 'featureExtraction' | 'fineTune' | 'earlyFeatures' | 'fromPretrainedInit';

/** One strategy: its scenario, one-line rationale and starting settings. */
export interface StrategyInfo {
  name: StrategyName;
  /** Curriculum number of the scenario (1..4). */
  scenario: 1 | 2 | 3 | 4;
  /** Amount of target data the scenario assumes. */
  data: 'small' | 'large';
  /** Similarity of the target data to the source (ImageNet). */
  similarity: 'similar' | 'different';
  /** Why this strategy fits the scenario, in one line. */
  rationale: string;
  /** What happens to the pretrained base. */
  base: string;
  /** Head used when the caller does not choose one. */
  defaultHead: HeadName;
  /** Optimizer the model is compiled with by default. */
  optimizer: OptimizerConfig;
}

/** The four strategies, in curriculum order. */
export const STRATEGIES: Record<StrategyName, StrategyInfo> = {
  featureExtraction: {
    name: 'featureExtraction', scenario: 1, data: 'small', similarity: 'similar',
    rationale: 'Few images, ImageNet-like: the pretrained features already fit; training more than a new head would overfit.',
    base: 'all layers frozen (BatchNormalization in inference mode); only the new head trains',
    defaultHead: 'flatten-dense256',
    optimizer: { optimizer: 'rmsprop', learningRate: 1e-3 },
  },
  fineTune: {
    name: 'fineTune', scenario: 2, data: 'large', similarity: 'similar',
    rationale: 'Many ImageNet-like images: enough data to adjust all features a little, with a low learning rate so they are refined, not destroyed.',
    base: 'trainable except the first `freezeFirst` layers; BatchNormalization stays frozen (inference mode)',
    defaultHead: 'flatten-dense1024x2',
    optimizer: { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 },
  },
  earlyFeatures: {
    name: 'earlyFeatures', scenario: 3, data: 'small', similarity: 'different',
    rationale: 'Few images, unlike ImageNet: only the early generic features (edges, colours, textures) transfer; late layers are ImageNet-specific.',
    base: 'cut at an early layer (e.g. block2_pool, conv_pw_5_relu) and frozen; a few dense layers train on top',
    defaultHead: 'gap-dense256',
    optimizer: { optimizer: 'rmsprop', learningRate: 1e-3 },
  },
  fromPretrainedInit: {
    name: 'fromPretrainedInit', scenario: 4, data: 'large', similarity: 'different',
    rationale: 'Many images, unlike ImageNet: train the whole network; pretrained weights are still a better start than random ones.',
    base: 'everything trainable, BatchNormalization included (its statistics adapt to the new data)',
    defaultHead: 'gap',
    optimizer: { optimizer: 'sgd', learningRate: 1e-3, momentum: 0.9 },
  },
};

/** Names of the strategies, in curriculum order. */
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

/**
 * Early cut points of the Keras families, tried in order by `earlyFeatures` when no `cutAt` is
 * given: each ends the 1/4-resolution stage (56x56 for VGG, 28x28 for the others at 224x224).
 */
export const EARLY_CUT_LAYERS: readonly string[] = [
  'block2_pool', // VGG16 / VGG19
  'conv_pw_5_relu', // MobileNet v1
  'block_5_add', // MobileNetV2
  'conv3_block4_out', // ResNet50
  'mixed2', // InceptionV3
];

/** Validates a strategy name; throws a ModelError listing the valid ones. */
export function strategyInfo(name: string, where: string): StrategyInfo {
  if (!(STRATEGY_NAMES as string[]).includes(name)) {
    throw new ModelError(`${where}: unknown strategy ${JSON.stringify(name)}; use one of ${STRATEGY_NAMES.join(', ')}.`);
  }
  return STRATEGIES[name as StrategyName];
}

/** The layer `earlyFeatures` cuts `base` at when the caller gives no `cutAt`. */
export function defaultCutAt(base: tf.LayersModel): string {
  const names = new Set(base.layers.map((l) => l.name));
  const found = EARLY_CUT_LAYERS.find((name) => names.has(name));
  if (found === undefined) {
    throw new ModelError(
      `defaultCutAt(): model '${base.name}' has none of the known early cut layers (${EARLY_CUT_LAYERS.join(', ')}); ` +
        'pass cutAt: <layer name> (an early pooling or activation layer).',
    );
  }
  return found;
}

/** Options that change how a strategy prepares the base. */
export interface PrepareBaseOptions {
  /** fineTune only: how many of the first `base.layers` stay frozen (VGG19 recipe: 5). Defaults to 0. */
  freezeFirst?: number;
}

/** Sets the base's trainable flags the way `strategy` wants (the base is already cut). */
export function prepareBase(base: tf.LayersModel, strategy: StrategyName, options: PrepareBaseOptions = {}): void {
  switch (strategy) {
    case 'featureExtraction':
    case 'earlyFeatures':
      freeze(base, 'all');
      return;
    case 'fineTune': {
      const first = options.freezeFirst ?? 0;
      if (!Number.isInteger(first) || first < 0) {
        throw new ModelError(`prepareBase(): freezeFirst must be a whole number >= 0, received ${JSON.stringify(first)}.`);
      }
      // Freeze everything first so BN layers end up frozen, then open the rest (BN stays frozen).
      freeze(base, 'all');
      unfreeze(base, { from: first });
      return;
    }
    case 'fromPretrainedInit':
      unfreeze(base, 'all', { keepBatchNormFrozen: false });
      return;
  }
}
