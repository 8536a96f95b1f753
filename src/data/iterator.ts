/**
 * What every batch iterator shares (Keras' `Iterator`): batch order per epoch, reshuffling,
 * one seeded random stream per batch, loading the next batch while the current one is used,
 * and a tf.data view for `model.fitDataset`.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors';
import { createRng, deriveSeed, randomSeed, Rng, shuffleInPlace } from './random';

/** Options shared by every iterator. */
export interface IteratorOptions {
  /** Samples per batch; the last batch of an epoch may be smaller. Defaults to 32. */
  batchSize?: number;
  /** Reshuffle the sample order at the start of each epoch. Defaults to true. */
  shuffle?: boolean;
  /**
   * Seed for shuffling and augmentation: the same seed gives the same batches, epoch after
   * epoch, in the same order (a reproducible preview grid). Defaults to a random seed.
   */
  seed?: number;
}

/** Salt separating the shuffle stream from the per-batch augmentation streams. */
const SHUFFLE_STREAM = 0x5f3759df;

/**
 * Base class of DirectoryIterator and ArrayIterator. Subclasses load a batch's raw data
 * (async, no tensors: safe to prefetch) and turn it into tensors (sync, inside tf.tidy).
 */
export abstract class BatchIterator<Raw, B extends { xs: tf.Tensor4D; ys: tf.Tensor }> {
  /** Number of samples. */
  abstract readonly samples: number;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch reshuffles. */
  readonly shuffle: boolean;
  /** The seed in use (random when none was given). */
  readonly seed: number;
  private epoch = 0;

  protected constructor(fn: string, opts: IteratorOptions) {
    const { batchSize = 32, shuffle = true } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new DataError(`${fn}: batchSize must be a positive integer; received ${batchSize}.`);
    }
    if (opts.seed !== undefined && !Number.isFinite(opts.seed)) {
      throw new DataError(`${fn}: seed must be a finite number; received ${opts.seed}.`);
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = opts.seed === undefined ? randomSeed() : opts.seed >>> 0;
  }

  /** Batches per epoch: `ceil(samples / batchSize)` (Keras `len(iterator)`). */
  get numBatches(): number {
    return Math.ceil(this.samples / this.batchSize);
  }

  /** Epochs started so far (each `batches()` call starts one). */
  get epochsSeen(): number {
    return this.epoch;
  }

  /** Starts over at epoch 0: the next `batches()` repeats the first epoch's order and augmentation. */
  reset(): void {
    this.epoch = 0;
  }

  /** Sample indices in the order epoch `epoch` visits them. */
  epochOrder(epoch: number): number[] {
    const order = Array.from({ length: this.samples }, (_, i) => i);
    return this.shuffle ? shuffleInPlace(order, createRng(deriveSeed(this.seed, SHUFFLE_STREAM, epoch))) : order;
  }

  /** Loads what a batch needs (file pixels, indices); no tensors, so prefetching cannot leak. */
  protected abstract loadRaw(indices: number[]): Promise<Raw>;

  /** Builds a batch's tensors from its raw data; `rng` is the batch's own random stream. */
  protected abstract makeBatch(raw: Raw, indices: number[], rng: Rng): B;

  /**
   * One pass over the data (an epoch), reshuffled per epoch when `shuffle`. The next batch's
   * files are read while the current batch is in use. The caller disposes each batch's tensors.
   */
  async *batches(): AsyncIterableIterator<B> {
    const epoch = this.epoch++;
    const order = this.epochOrder(epoch);
    const slices: number[][] = [];
    for (let start = 0; start < order.length; start += this.batchSize) slices.push(order.slice(start, start + this.batchSize));
    // A read that fails while the consumer is busy must not count as an unhandled rejection
    // (Node would crash); the failure still surfaces when that batch is awaited.
    const load = (k: number): Promise<Raw> | undefined => {
      if (k >= slices.length) return undefined;
      const promise = this.loadRaw(slices[k]);
      promise.catch(() => undefined);
      return promise;
    };
    let pending = load(0);
    try {
      for (let k = 0; k < slices.length; k++) {
        const raw: Raw = await (pending as Promise<Raw>);
        pending = load(k + 1);
        const rng = createRng(deriveSeed(this.seed, epoch, k));
        yield this.makeBatch(raw, slices[k], rng);
      }
    } finally {
      pending = undefined; // a consumer that stops early drops the prefetched read (raw data, no tensors)
    }
  }

  /**
   * The same batches as a tf.data.Dataset of `{xs, ys}`, for `model.fitDataset(ds, ...)`. Each
   * iteration of the dataset is one epoch (fitDataset starts one per training epoch, and
   * disposes the batches it consumes).
   */
  toDataset(): tf.data.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }> {
    const source = () => this.batches();
    return tf.data.generator(async function* () {
      for await (const batch of source()) {
        yield { xs: batch.xs, ys: batch.ys };
      }
    });
  }
}
