/**
 * Entry point of a feature worker thread (started by FeatureWorkerPool): sets up its OWN
 * backend (wasm by default), loads the model sent as workerData, optionally folds it, then
 * answers tasks one batch at a time. Importing this file outside such a worker does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend';
import { modelFromTransfer } from './artifacts';
import { foldForInference } from './fold';
import { FromWorker, ToWorker, WORKER_MARK, WorkerInit } from './protocol';
import { describeError } from './worker_errors';
import { runFeatureTask } from './task';

function isInit(data: unknown): data is WorkerInit {
  return typeof data === 'object' && data !== null && (data as { mark?: unknown }).mark === WORKER_MARK;
}

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function serve(init: WorkerInit): Promise<void> {
  const start = performance.now();
  const backend = await setupBackend({ prefer: init.backend, quiet: true });
  let model: tf.LayersModel = await modelFromTransfer(init.model);
  let fold = null;
  if (init.fold) {
    const folded = foldForInference(model);
    model = folded.model;
    fold = folded.report;
  }
  parentPort!.on('message', (message: ToWorker) => {
    if (message.type !== 'task') return;
    runFeatureTask(model, message.task).then(
      (result) => post({ type: 'result', id: message.id, result }, [result.data.buffer as ArrayBuffer]),
      (err) => post(describeError(message.id, err)),
    );
  });
  post({ type: 'ready', backend: backend.name, fold, seconds: (performance.now() - start) / 1000 });
}

if (parentPort !== null && isInit(workerData)) {
  serve(workerData).catch((err) => post(describeError(null, err)));
}
