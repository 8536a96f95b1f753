/**
 * Messages between a `DataParallelTrainer` and its workers (plain data only: typed arrays, no
 * tensors). Each worker holds the same model and optimizer; per step it gets one shard of the
 * batch, averages gradients with the other workers through shared memory (./allreduce), applies
 * the mean and replies with its shard's loss.
 */
import type { BackendName } from '../backend';
import type { GradientExchange } from './allreduce';
import type { ModelTransfer } from './artifacts';
import type { WorkerErrorMessage } from './worker_errors';

/** Marks workerData as a trainer worker's, so importing the entry elsewhere starts nothing. */
export const TRAIN_WORKER_MARK = 'transfer-lab/train-worker';

/** Optimizer every worker builds: a tfjs optimizer's class name and config (identical settings, so identical updates). */
export interface TrainerOptimizer {
  className: string;
  config: Record<string, unknown>;
}

/** A float32 array with its name (optimizer slots: iterations, momentum, Adam moments) and shape. */
export interface NamedArray {
  name: string;
  data: Float32Array;
  shape: number[];
}

/** Training state that moves between this thread and the workers: trainable weights in model order, optimizer slots in the optimizer's order. */
export interface TrainerState {
  weights: Float32Array[];
  optimizer: NamedArray[];
}

/** What a trainer worker gets when it starts. */
export interface TrainWorkerInit {
  mark: typeof TRAIN_WORKER_MARK;
  /** The model whose trainable weights train (BatchNorm frozen as in the main thread). */
  model: ModelTransfer;
  /** A frozen model run first on each shard (folded for inference), or null. */
  bottom: ModelTransfer | null;
  optimizer: TrainerOptimizer;
  backend: BackendName;
  /** Shared gradient buffers; `total` must equal the worker's trainable parameter count. */
  exchange: GradientExchange;
}

/** A float32 array with its shape. */
export interface ShapedArray {
  data: Float32Array;
  shape: number[];
}

/** Main thread -> worker. */
export type ToTrainWorker =
  /**
   * One step: this worker's rank, every shard's weight (rows / batch), its shard (null: no rows),
   * and the step's number in the run (seeds the dropout masks), or null.
   */
  | { type: 'step'; id: number; rank: number; weights: number[]; x: ShapedArray | null; y: ShapedArray | null; step: number | null }
  /** Send back the trainable weights and the optimizer state. */
  | { type: 'state'; id: number }
  /** Replace the trainable weights, the optimizer state and the learning rate. */
  | { type: 'load'; id: number; state: TrainerState; learningRate: number };

/** Worker -> main thread. */
export type FromTrainWorker =
  | { type: 'ready'; backend: string; trainable: number; seconds: number }
  /** The step is applied; `loss` is the mean loss of this worker's shard (0 without rows), `correct` its rows whose top class is the label's. */
  | { type: 'stepped'; id: number; loss: number; correct: number }
  | { type: 'state'; id: number; state: TrainerState }
  | { type: 'loaded'; id: number }
  | WorkerErrorMessage;
