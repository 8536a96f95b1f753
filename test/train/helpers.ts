/** Shared fixtures for the train tests: cpu backend, tiny seeded models and data, temp dirs. */
import { createRng } from '../../src/data/random';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** The pure-JS backend: deterministic and fast enough for 4-feature models. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Deterministic uniform [0, 1) numbers (mulberry32, the data area's generator). */
export function rng(seed: number): () => number {
  return createRng(seed).next;
}

/** 4 features -> 8 relu -> `classes` softmax, seeded initializers. */
export function tinyModel(seed = 1, classes = 3): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

/**
 * n samples with 4 features; the label is the arg-max of the first 3 features (learnable).
 * `invert` labels with the arg-min instead, to make a validation set the model gets worse on.
 */
export function tinyData(n: number, seed = 7, invert = false): { x: tf.Tensor2D; y: tf.Tensor2D; labels: number[] } {
  const r = rng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [r(), r(), r(), r()];
    const first = row.slice(0, 3);
    labels.push(first.indexOf(invert ? Math.min(...first) : Math.max(...first)));
    rows.push(row);
  }
  return { x: tf.tensor2d(rows), y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 3), 'float32') as tf.Tensor2D), labels };
}

/** A fresh temp folder; remove it with `cleanup`. */
export function tempDir(prefix = 'transfer-lab-train-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `fn` while collecting console.warn / console.log output. */
export async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; warns: string[]; logs: string[] }> {
  const warns: string[] = [];
  const logs: string[] = [];
  const { warn, log } = console;
  console.warn = (...args: unknown[]) => void warns.push(args.map(String).join(' '));
  console.log = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
  try {
    return { result: await fn(), warns, logs };
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

/** The model's weights as plain arrays (for comparing before/after). */
export function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

/**
 * Writes a tiny folder-per-class image dataset: `perClass` 8x8 PNGs per class, red-ish for
 * 'red' and blue-ish for 'blue', so a small conv net can tell them apart.
 */
export async function makeImageFolder(dir: string, perClass = 6): Promise<string> {
  const sharp = (await import('sharp')).default;
  const { mkdirSync } = await import('node:fs');
  const r = rng(3);
  for (const [name, base] of [['blue', { r: 20, g: 30, b: 220 }], ['red', { r: 220, g: 30, b: 20 }]] as const) {
    mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const jitter = (v: number) => Math.max(0, Math.min(255, Math.round(v + (r() - 0.5) * 60)));
      await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: jitter(base.r), g: jitter(base.g), b: jitter(base.b) } } })
        .png()
        .toFile(path.join(dir, name, `${name}${i}.png`));
    }
  }
  return dir;
}
