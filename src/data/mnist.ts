/**
 * MNIST from the standard idx files (gzip): the source task of the course's tiny from-scratch
 * model (digits 0-4) and its transfer target (digits 5-9).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { resolveAsset } from '../assets';
import { DataError } from '../errors';
import { createRng, shuffleInPlace } from './random';

/** Options of loadMnist. */
export interface LoadMnistOptions {
  /** 'train' (60,000 images) or 'test' (10,000). Defaults to 'train'. */
  split?: 'train' | 'test';
  /** Keep only these digits. Defaults to all ten. */
  digits?: number[];
  /** Keep at most this many images (after the digit filter and the shuffle). Defaults to all. */
  limit?: number;
  /**
   * Shuffle the images. Defaults to true, because the course's files are sorted by label:
   * without it, `limit` would take only zeros and batches would hold a single digit.
   */
  shuffle?: boolean;
  /** Seed of that shuffle. Defaults to 0 (the same subset every run). */
  seed?: number;
  /** Make `ys` the position of each label in `digits` (5..9 -> 0..4, for a 5-way head). Defaults to false. */
  relabel?: boolean;
  /** Folder holding the four idx .gz files. Defaults to `resolveAsset('mnist')`. */
  dir?: string;
}

/** MNIST images and labels. The caller disposes `xs` and `ys`. */
export interface MnistData {
  /** Images `[n, 28, 28, 1]`, float32 in [0, 1]. */
  xs: tf.Tensor4D;
  /** Labels `[n]`, int32: the digit, or its index in `digits` with `relabel` (use tf.oneHot for a softmax head). */
  ys: tf.Tensor1D;
  /** The digit of each image, whatever `relabel` says. */
  labels: number[];
  /** The digits kept, sorted. */
  digits: number[];
}

const FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
};

/** An idx array: its dimensions and its unsigned bytes. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Parses an idx file (gzipped or not) holding unsigned bytes (type 0x08), as MNIST's are. */
export function parseIdx(bytes: Uint8Array, name = 'idx file'): IdxArray {
  const buf = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) {
    throw new DataError(`parseIdx: '${name}' is not an unsigned-byte idx file (magic ${buf.subarray(0, 4).toString('hex')}, expected 000008xx). Re-download it.`);
  }
  const rank = buf[3];
  const shape = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = shape.reduce((a, b) => a * b, 1);
  if (buf.length < offset + size) {
    throw new DataError(`parseIdx: '${name}' is truncated: shape [${shape}] needs ${offset + size} bytes, it has ${buf.length}. Re-download it.`);
  }
  return { shape, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, size) };
}

function readIdx(dir: string, file: string): IdxArray {
  const full = path.join(dir, file);
  if (!existsSync(full)) {
    throw new DataError(`loadMnist: '${full}' is missing. Pass the folder holding the four MNIST idx .gz files as dir, or let resolveAsset('mnist') fetch it.`);
  }
  return parseIdx(readFileSync(full), full);
}

/**
 * Loads MNIST (or some of its digits) as tensors.
 *
 * @example
 * const { xs, ys } = await loadMnist({ split: 'train', digits: [0, 1, 2, 3, 4], limit: 5000 });
 * @see curriculum 7.1-7.2 (MNIST digits 0-4 -> 5-9)
 */
export async function loadMnist(opts: LoadMnistOptions = {}): Promise<MnistData> {
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new DataError(`loadMnist: split must be 'train' or 'test'; received '${String(split)}'.`);
  }
  const digits = [...new Set(opts.digits ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])].sort((a, b) => a - b);
  if (digits.length === 0 || !digits.every((d) => Number.isInteger(d) && d >= 0 && d <= 9)) {
    throw new DataError(`loadMnist: digits must be integers 0..9; received ${JSON.stringify(opts.digits)}.`);
  }
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
    throw new DataError(`loadMnist: limit must be a positive integer; received ${opts.limit}.`);
  }
  const dir = opts.dir ?? (await resolveAsset('mnist'));
  const images = readIdx(dir, FILES[split].images);
  const labelFile = readIdx(dir, FILES[split].labels);
  const [n, rows, cols] = images.shape;
  if (images.shape.length !== 3 || labelFile.shape[0] !== n) {
    throw new DataError(`loadMnist: images [${images.shape}] and labels [${labelFile.shape}] in '${dir}' do not match. Re-download the files.`);
  }

  let picked: number[] = [];
  for (let i = 0; i < n; i++) if (digits.includes(labelFile.data[i])) picked.push(i);
  if (opts.shuffle ?? true) shuffleInPlace(picked, createRng(opts.seed ?? 0));
  if (opts.limit !== undefined) picked = picked.slice(0, opts.limit);

  const size = rows * cols;
  const pixels = new Float32Array(picked.length * size);
  picked.forEach((src, k) => {
    const image = images.data.subarray(src * size, (src + 1) * size);
    for (let j = 0; j < size; j++) pixels[k * size + j] = image[j] / 255;
  });
  const labels = picked.map((i) => labelFile.data[i]);
  const ys = opts.relabel ? labels.map((d) => digits.indexOf(d)) : labels;
  return {
    xs: tf.tensor4d(pixels, [picked.length, rows, cols, 1]),
    ys: tf.tensor1d(ys, 'int32'),
    labels,
    digits,
  };
}
