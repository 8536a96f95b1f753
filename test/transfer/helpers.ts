/**
 * Fixtures for the transfer tests: a tiny seeded conv base with BatchNormalization, seeded data,
 * weight snapshots, and the mirror's MobileNet 0.25.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFromDir } from '../../src/assets';

/** Pure-JS backend: deterministic, has every gradient kernel, fast enough for 8x8 images. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * input(8x8x3) → conv1(4) → bn1 → relu1 → pool1 → conv2(8) → bn2 → relu2: output [null, 4, 4, 8].
 * Layer indices: 0 input, 1 conv1, 2 bn1, 3 relu1, 4 pool1, 5 conv2, 6 bn2, 7 relu2.
 * BN moving statistics are set away from their defaults (0 / 1) so inference and batch modes differ.
 */
export function tinyBase(name = 'tiny'): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: `${name}_input` });
  const conv = (filters: number, id: number) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `conv${id}`, kernelInitializer: tf.initializers.glorotNormal({ seed: id }) });
  let x = conv(4, 1).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'relu1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = conv(8, 2).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'relu2' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name });
  for (const [bn, c] of [['bn1', 4], ['bn2', 8]] as const) {
    const layer = model.getLayer(bn);
    const [gamma, beta] = layer.getWeights();
    layer.setWeights([gamma, beta, tf.fill([c], 0.3), tf.fill([c], 2.5)]);
  }
  return model;
}

/** Seeded images [n, 8, 8, 3]; class 1 images are brighter, so a head can learn the labels. */
export function tinyData(n: number, seed = 7): { xs: tf.Tensor4D; ys: tf.Tensor2D; classes: number[] } {
  const classes = Array.from({ length: n }, (_, i) => i % 2);
  const xs = tf.tidy(() => {
    const noise = tf.randomNormal([n, 8, 8, 3], 0, 1, 'float32', seed);
    const shift = tf.tensor1d(classes.map((c) => 2 + 2 * c)).reshape([n, 1, 1, 1]);
    return noise.mul(3).add(shift) as tf.Tensor4D;
  });
  const ys = tf.oneHot(tf.tensor1d(classes, 'int32'), 2).toFloat() as tf.Tensor2D;
  return { xs, ys, classes };
}

/** Copies of a layer's weights as plain arrays (bit-exact comparison with deepEqual). */
export function snapshot(model: tf.LayersModel, layerName: string): Float32Array[] {
  return model.getLayer(layerName).getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

/** The mirror's MobileNet v1 0.25 (with top), or null when the mirror is absent. */
export async function loadMirrorMobileNet(): Promise<tf.LayersModel | null> {
  const mirror = process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets';
  const dir = path.join(mirror, 'models', 'mobilenet_v1_0.25_224');
  if (!fs.existsSync(path.join(dir, 'model.json'))) return null;
  return loadLayersModelFromDir(dir);
}
