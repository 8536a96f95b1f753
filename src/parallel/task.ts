/**
 * One batch of feature extraction: decode + resize + preprocess + predict. The same function runs
 * inside each worker and in the calling thread (`workers: 0`), so every path computes a batch
 * with exactly the same ops, and their results are bit-for-bit equal on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeImage } from '../data/decode';
import { ModelError } from '../errors';
import { preprocessInput } from '../models/preprocess';
import type { FeatureTask, TaskResult } from './protocol';

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** The task's input batch as a float32 NHWC tensor, preprocessed (the caller disposes it). */
async function inputBatch(task: FeatureTask): Promise<tf.Tensor4D> {
  if (task.kind === 'tensor') return tf.tensor4d(task.data, task.shape);
  const [h, w] = task.targetSize;
  const size = h * w * 3;
  // Decoding all files of the batch at once lets libvips use its own threads meanwhile.
  const images = await Promise.all(
    task.paths.map((p) => decodeImage(p, { targetSize: task.targetSize, interpolation: task.interpolation, keepAspectRatio: task.keepAspectRatio })),
  );
  // Same steps as DirectoryIterator.makeBatch: float32 pixels in [0, 255], then preprocess_input.
  const pixels = new Float32Array(images.length * size);
  images.forEach((img, i) => pixels.set(img.data, i * size));
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels, [images.length, h, w, 3]);
    return task.preprocess === 'none' ? x : preprocessInput(x, task.preprocess);
  });
}

/**
 * Runs one batch through `model` on the current backend and returns the output as plain data.
 * Throws a ModelError for a model with several outputs.
 */
export async function runFeatureTask(model: tf.LayersModel, task: FeatureTask): Promise<TaskResult> {
  const t0 = performance.now();
  const xs = await inputBatch(task);
  const decodeSeconds = seconds(t0);
  const t1 = performance.now();
  try {
    const out = model.predict(xs, { batchSize: xs.shape[0] });
    if (Array.isArray(out)) {
      tf.dispose(out);
      throw new ModelError(`runFeatureTask(): model '${model.name}' has ${out.length} outputs; features need a model with one output (cut it with truncateAt()).`);
    }
    const raw = (await out.data()) as Float32Array;
    // Own the buffer outright: workers transfer it to the main thread, which detaches it.
    const data = raw.byteOffset === 0 && raw.buffer.byteLength === raw.byteLength ? raw : raw.slice();
    const shape = out.shape.slice();
    out.dispose();
    return { data, shape, decodeSeconds, predictSeconds: seconds(t1) };
  } finally {
    xs.dispose();
  }
}
