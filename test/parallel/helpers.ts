/**
 * Fixtures for the parallel tests: a small seeded functional model with every pattern
 * foldForInference handles (Conv/Depthwise -> BN -> ReLU6 / relu / none, ZeroPadding2D before a
 * 'valid' stride-2 conv, a residual Add, a nested model, a Dense top), and random PNG files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/bench/random';

/** Sets every BatchNormalization's gamma/beta/mean/variance to seeded values away from 1/0/0/1. */
export function randomizeBatchNorm(model: tf.LayersModel, seed = 7): void {
  const next = mulberry32(seed);
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) randomizeBatchNorm(layer, seed + 1);
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(layer.getWeights().map((w, i) => {
      const values = Float32Array.from({ length: w.size }, () => (i === 3 ? 0.5 + next() : next() - 0.5));
      return tf.tensor(values, w.shape);
    }));
  }
}

/** 16x16x3 input → ... → Dense(5): a MobileNetV2 / ResNet in miniature. */
export function foldableModel(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [16, 16, 3], name: 'fold_input' });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  // Symmetric padding before stride-2 convs differs from 'same' ([0, 1]): the explicit-padding paths.
  let x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pad1' }), input);
  x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'c1', kernelInitializer: init(1) }), x);
  x = apply(tf.layers.batchNormalization({ name: 'c1_bn' }), x);
  x = apply(tf.layers.reLU({ maxValue: 6, name: 'c1_relu' }), x);
  const shortcut = x;
  let y = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'dw1', depthwiseInitializer: init(2) }), x);
  y = apply(tf.layers.batchNormalization({ name: 'dw1_bn' }), y);
  y = apply(tf.layers.activation({ activation: 'relu', name: 'dw1_relu' }), y);
  y = apply(tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: true, name: 'pw1', kernelInitializer: init(3) }), y);
  y = apply(tf.layers.batchNormalization({ name: 'pw1_bn' }), y); // no activation: folded BN only
  x = apply(tf.layers.add({ name: 'add1' }), [shortcut, y]);
  x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pad2' }), x);
  x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', depthMultiplier: 2, useBias: false, name: 'dw2', depthwiseInitializer: init(4) }), x);
  x = apply(tf.layers.batchNormalization({ name: 'dw2_bn' }), x);
  x = apply(tf.layers.reLU({ maxValue: 6, name: 'dw2_relu' }), x);
  // A nested model, folded recursively.
  const innerIn = tf.input({ shape: [4, 4, 16], name: 'inner_input' });
  let inner = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'inner_conv', kernelInitializer: init(5) }), innerIn);
  inner = apply(tf.layers.batchNormalization({ name: 'inner_bn' }), inner); // conv has its own relu: BN not folded
  const nested = tf.model({ inputs: innerIn, outputs: inner, name: 'nested' });
  x = apply(nested, x);
  x = apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), x);
  x = apply(tf.layers.dense({ units: 5, name: 'dense', kernelInitializer: init(6) }), x);
  const model = tf.model({ inputs: input, outputs: x, name: 'foldable' });
  randomizeBatchNorm(model);
  return model;
}

/** A tiny conv base for worker tests: 12x12x3 → conv → BN → ReLU6 → global average pool → [null, 4]. */
export function tinyPooledBase(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3], name: 'tiny_input' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, name: 'tconv', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'tconv_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'tconv_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'tgap' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: 'tiny_pooled' });
  randomizeBatchNorm(model, 11);
  return model;
}

/** Writes `count` seeded random RGB PNGs of `size` x `size` into `dir`; returns their paths. */
export async function writeRandomPngs(dir: string, count: number, size = 20, seed = 5): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const next = mulberry32(seed);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const pixels = Buffer.from(Array.from({ length: size * size * 3 }, () => Math.floor(next() * 256)));
    const file = path.join(dir, `img_${String(i).padStart(2, '0')}.png`);
    await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
    paths.push(file);
  }
  return paths;
}

/** A fresh temp folder with class folders a/ and b/ of random PNGs (seeds `seed` and `seed + 1`). */
export async function twoClassPngFolder(prefix: string, counts: [number, number], seed: number): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  await writeRandomPngs(path.join(root, 'a'), counts[0], 20, seed);
  await writeRandomPngs(path.join(root, 'b'), counts[1], 20, seed + 1);
  return root;
}
