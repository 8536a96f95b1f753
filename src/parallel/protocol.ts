/**
 * Messages between a `FeatureWorkerPool` and its workers. Everything here must survive
 * structured cloning: plain objects, arrays, typed arrays, no tensors, no functions.
 */
import type { BackendName } from '../backend';
import type { Interpolation } from '../data/types';
import type { PreprocessMode } from '../models/preprocess';
import type { ModelTransfer } from './artifacts';
import type { FoldReport } from './fold';
import type { ErrorFamily } from './worker_errors';

/** Marks workerData as ours, so importing worker.ts elsewhere starts nothing. */
export const WORKER_MARK = 'transfer-lab/feature-worker';

/** Preprocessing a task applies to decoded [0, 255] pixels: a Keras `preprocess_input` mode, or none. */
export type TaskPreprocess = PreprocessMode | 'none';

/** What a worker gets when it starts. */
export interface WorkerInit {
  mark: typeof WORKER_MARK;
  /** The model to run, serialized. */
  model: ModelTransfer;
  /** Fold BN / activations / padding into the convs first (see foldForInference). */
  fold: boolean;
  /** Backend to set up in the worker. */
  backend: BackendName;
}

/** Decode these image files, preprocess and predict them as one batch. */
export interface FilesTask {
  kind: 'files';
  paths: string[];
  targetSize: [number, number];
  interpolation: Interpolation;
  keepAspectRatio: boolean;
  preprocess: TaskPreprocess;
}

/** Predict this ready-made float32 batch (NHWC). */
export interface TensorTask {
  kind: 'tensor';
  data: Float32Array;
  shape: [number, number, number, number];
}

/** A unit of work: one batch. */
export type FeatureTask = FilesTask | TensorTask;

/** The model's output for one task. */
export interface TaskResult {
  /** Output values, row-major. */
  data: Float32Array;
  /** Output shape, batch first. */
  shape: number[];
  /** Seconds from the task's start until its input batch was ready (decode + preprocess, and any wait behind other work). */
  decodeSeconds: number;
  /** Seconds spent in predict (including reading the output back). */
  predictSeconds: number;
}

/** Main thread -> worker. */
export type ToWorker = { type: 'task'; id: number; task: FeatureTask };

/** Worker -> main thread. */
export type FromWorker =
  | { type: 'ready'; backend: string; fold: FoldReport | null; seconds: number }
  | { type: 'result'; id: number; result: TaskResult }
  | { type: 'error'; id: number | null; name: string; family: ErrorFamily; message: string };

/** The library error class an error belongs to, so the main thread can rethrow the same kind (one list: errors.ts). */
export type { ErrorFamily } from './worker_errors';
