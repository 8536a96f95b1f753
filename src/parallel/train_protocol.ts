/**
 * Messages between a `DataParallelTrainer` and its workers (plain data only: typed arrays, no
 * tensors). Each worker holds the same model and optimizer; per step it gets one shard of the
 * batch, sends back its gradients, and applies the averaged gradients it is sent.
 */
import type { BackendName } from '../backend';
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
}

/** A float32 array with its shape. */
export interface ShapedArray {
  data: Float32Array;
  shape: number[];
}

/** Main thread -> worker. */
export type ToTrainWorker =
  | { type: 'grads'; id: number; x: ShapedArray; y: ShapedArray }
  | { type: 'apply'; id: number; grads: Float32Array[] }
  | { type: 'weights'; id: number };

/** Worker -> main thread. */
export type FromTrainWorker =
  | { type: 'ready'; backend: string; trainable: number; seconds: number }
  | { type: 'grads'; id: number; loss: number; grads: Float32Array[] }
  | { type: 'applied'; id: number }
  | { type: 'weights'; id: number; values: Float32Array[] }
  | WorkerErrorMessage;
