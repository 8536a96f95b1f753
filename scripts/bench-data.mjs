#!/usr/bin/env zx
// npm run bench:data — images/s for decoding + resizing the ants/bees set, and for MobileNet
// feature extraction on the current backend. A benchmark that prints figures, not a timed test.
// Usage: npm run bench:data [-- --reps 3] [--json]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { argv } from 'zx';
import { buildLibrary, defaultMirror, root } from './lib/setup-steps.mjs';

await buildLibrary();
const mirror = defaultMirror();
if (mirror) process.env.TRANSFER_LAB_MIRROR = mirror;
const lab = await import(path.join(root, 'dist', 'index.js'));
const tf = await import('@tensorflow/tfjs');
const backend = await lab.setupBackend({ quiet: true });
const reps = Number(argv.reps ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = await lab.resolveAsset('hymenoptera_data');
const files = ['train', 'val'].flatMap((split) =>
  ['ants', 'bees'].flatMap((cls) => readdirSync(path.join(dir, split, cls)).map((f) => path.join(dir, split, cls, f))),
);

const decodeRates = [];
for (let r = 0; r < reps; r++) {
  const start = performance.now();
  for (let i = 0; i < files.length; i += 8) {
    await Promise.all(files.slice(i, i + 8).map((f) => lab.decodeImage(f, { targetSize: [224, 224], interpolation: 'bilinear', keepAspectRatio: true })));
  }
  decodeRates.push(files.length / ((performance.now() - start) / 1000));
}

const base = await lab.MobileNet({ alpha: 0.75, includeTop: false, weights: 'imagenet', pooling: 'avg' });
const x = tf.randomUniform([32, 224, 224, 3], -1, 1, 'float32', 1);
tf.dispose(base.predict(x)); // warm-up
const extractRates = [];
for (let r = 0; r < reps; r++) {
  const start = performance.now();
  tf.dispose(base.predict(x));
  extractRates.push(32 / ((performance.now() - start) / 1000));
}
tf.dispose([x]);

const result = {
  backend: backend.name,
  decodeResizeImagesPerSecond: Number(median(decodeRates).toFixed(1)),
  decodeImages: files.length,
  mobilenet075FeatureImagesPerSecond: Number(median(extractRates).toFixed(1)),
  batch: 32,
  reps,
};
if (argv.json) console.log(JSON.stringify(result));
else {
  console.log(`backend                                   ${result.backend}`);
  console.log(`decode + resize to 224 (ants/bees, ${files.length} files)   ${result.decodeResizeImagesPerSecond} img/s (median of ${reps})`);
  console.log(`MobileNet 0.75 features, batch 32          ${result.mobilenet075FeatureImagesPerSecond} img/s (median of ${reps})`);
}
