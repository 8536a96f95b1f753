/**
 * Gradient averaging between trainer workers through shared memory, without the main thread:
 * each worker writes its gradients into its own region, waits for the others (a barrier on
 * Atomics), averages one slice of the parameters into the shared mean, waits again, and applies
 * the whole mean. Every parameter is averaged by one worker, in rank order, so all copies apply
 * bit-identical updates. Sending gradients to the main thread and back took ~8% of a step.
 */
import { ModelError } from '../errors';

/** The shared buffers of one trainer, passed to every worker in its init data. */
export interface GradientExchange {
  /** `workers` regions of `total` float32 each: worker r's gradients at [r*total, (r+1)*total). */
  grads: SharedArrayBuffer;
  /** `total` float32: the weighted mean every worker applies. */
  mean: SharedArrayBuffer;
  /** Int32 control words: arrival count, barrier generation, failure flag. */
  control: SharedArrayBuffer;
  workers: number;
  total: number;
}

const COUNT = 0;
const GENERATION = 1;
const FAILED = 2;

/** Allocates the exchange for `workers` workers and `total` trainable parameters. */
export function createExchange(workers: number, total: number): GradientExchange {
  if (!Number.isInteger(workers) || workers < 1 || !Number.isInteger(total) || total < 1) {
    throw new ModelError(`createExchange(): need whole numbers workers >= 1 and total >= 1, received ${workers} and ${total}.`);
  }
  return {
    grads: new SharedArrayBuffer(workers * total * 4),
    mean: new SharedArrayBuffer(total * 4),
    control: new SharedArrayBuffer(3 * 4),
    workers,
    total,
  };
}

/** Clears the failure flag before a step (main thread, while no worker is inside a step). */
export function resetExchange(exchange: GradientExchange): void {
  Atomics.store(new Int32Array(exchange.control), FAILED, 0);
}

/** One worker's side of the exchange. */
export class ExchangeMember {
  /** This worker's gradient region. */
  readonly own: Float32Array;
  /** The shared mean (read it after `average`). */
  readonly mean: Float32Array;
  private readonly control: Int32Array;

  constructor(
    private readonly exchange: GradientExchange,
    readonly rank: number,
  ) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= exchange.workers) {
      throw new ModelError(`ExchangeMember: rank must be 0..${exchange.workers - 1}, received ${rank}.`);
    }
    this.own = new Float32Array(exchange.grads, rank * exchange.total * 4, exchange.total);
    this.mean = new Float32Array(exchange.mean);
    this.control = new Int32Array(exchange.control);
  }

  /** Waits until every worker has arrived (reusable: each round bumps the generation). */
  barrier(): void {
    const generation = Atomics.load(this.control, GENERATION);
    if (Atomics.add(this.control, COUNT, 1) === this.exchange.workers - 1) {
      Atomics.store(this.control, COUNT, 0);
      Atomics.add(this.control, GENERATION, 1);
      Atomics.notify(this.control, GENERATION);
      return;
    }
    // Timed waits only so a terminating thread is never stuck in one for long.
    while (Atomics.load(this.control, GENERATION) === generation) Atomics.wait(this.control, GENERATION, generation, 200);
  }

  /** Marks this step failed: after the next barrier every worker skips the update. */
  fail(): void {
    Atomics.store(this.control, FAILED, 1);
  }

  /** True when some worker failed this step. */
  failed(): boolean {
    return Atomics.load(this.control, FAILED) !== 0;
  }

  /**
   * After the first barrier: writes this worker's slice of mean = sum over r of weights[r] * grads_r
   * (ranks with weight 0 are skipped: they had no rows). Call `barrier()` before reading `mean`.
   */
  average(weights: readonly number[]): void {
    const { workers, total } = this.exchange;
    if (weights.length !== workers) throw new ModelError(`ExchangeMember.average(): ${weights.length} weights for ${workers} workers.`);
    const from = Math.floor((this.rank * total) / workers);
    const to = Math.floor(((this.rank + 1) * total) / workers);
    const mean = this.mean;
    mean.fill(0, from, to);
    for (let r = 0; r < workers; r++) {
      const w = weights[r];
      if (w === 0) continue;
      const g = new Float32Array(this.exchange.grads, r * total * 4, total);
      for (let j = from; j < to; j++) mean[j] += w * g[j];
    }
  }
}
