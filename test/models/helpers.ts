/** Shared helpers of the models tests (not a test file itself). */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import * as path from 'node:path';
import { setupBackend } from '../../src/backend';

/** The course asset mirror the tests read real photos and models from. */
export const MIRROR = process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets';
export const ANTS = path.join(MIRROR, 'datasets/hymenoptera_data/val/ants');
export const BEES = path.join(MIRROR, 'datasets/hymenoptera_data/val/bees');
export const MOBILENET_025_H5 = path.join(MIRROR, 'models/keras/mobilenet_2_5_224_tf_no_top.h5');

/** Switches to the wasm backend once per test process (inference ~20x the cpu backend). */
export async function useWasm(): Promise<void> {
  await setupBackend({ prefer: 'wasm', quiet: true });
}

/** Decodes a photo with sharp, resized (stretched) to size x size: an int32 [1, size, size, 3] tensor in [0, 255]. */
export async function loadPhoto(file: string, size = 224): Promise<tf.Tensor4D> {
  const data = await sharp(file).removeAlpha().resize(size, size, { fit: 'fill' }).raw().toBuffer();
  return tf.tensor4d(new Uint8Array(data), [1, size, size, 3], 'int32');
}

/** Largest absolute difference between two tensors of the same shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}
