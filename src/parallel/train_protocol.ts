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

/** Optimizer every worker builds (identical settings, so identical updates). */
export interface TrainerOptimizer {
  name: 'adam' | 'sgd';
  learningRate: number;
  /** SGD momentum (0 = plain SGD). */
  momentum?: number;
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
  /** One step: this worker's rank, every shard's weight (rows / batch), its shard (null: no rows). */
  | { type: 'step'; id: number; rank: number; weights: number[]; x: ShapedArray | null; y: ShapedArray | null }
  | { type: 'weights'; id: number };

/** Worker -> main thread. */
export type FromTrainWorker =
  | { type: 'ready'; backend: string; trainable: number; seconds: number }
  /** The step is applied; `loss` is the mean loss of this worker's shard (0 without rows). */
  | { type: 'stepped'; id: number; loss: number }
  | { type: 'weights'; id: number; values: Float32Array[] }
  | WorkerErrorMessage;
