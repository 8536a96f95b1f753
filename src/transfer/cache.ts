/**
 * On-disk cache of bottleneck features: `<key>.f32` (raw little-endian Float32, row-major) beside
 * `<key>.json` (shape, labels, paths, class names and the key's parts). The key is the sha256 of
 * everything that changes the features: model name and weights, the dataset's files (paths, sizes,
 * modification times), target size, preprocessing, augmentation and the augmented copy index.
 * @see notebooks/05-build-and-fine-tune.ipynb
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cacheDir } from '../assets';

/** Bumped when the file layout changes, so old entries become misses instead of misreads. */
export const FEATURE_CACHE_VERSION = 2;

/**
 * Default folder for cached features: `features/` in the course cache of src/assets, i.e.
 * `$TRANSFER_LAB_CACHE/features` when that variable is set, else
 * `$XDG_CACHE_HOME/transfer-lab/features`, else `~/.cache/transfer-lab/features`.
 */
export function defaultFeatureCacheDir(): string {
  return path.join(cacheDir(), 'features');
}

/** One input file as the key sees it. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Everything that goes into a feature cache key. */
export interface FeatureKeyParts {
  modelName: string;
  /** See `weightsFingerprint`. */
  weightsId: string;
  datasetId: string;
  files: FileStamp[];
  targetSize: [number, number];
  preprocessing: string;
  augmentation: string;
  /** Augmented copy index (0 for un-augmented features). */
  copy: number;
}

/** Stats every file (size and mtime); a missing file gets size -1 so the key still differs. */
export async function stampFiles(paths: string[]): Promise<FileStamp[]> {
  return Promise.all(
    paths.map(async (p) => {
      try {
        const st = await fs.promises.stat(p);
        return { path: p, size: st.size, mtimeMs: Math.round(st.mtimeMs) };
      } catch {
        return { path: p, size: -1, mtimeMs: 0 };
      }
    }),
  );
}

/** The sha256 hex of the key parts (stable JSON). */
export function featureCacheKey(parts: FeatureKeyParts): string {
  const hash = createHash('sha256');
  hash.update(`transfer-lab-features-v${FEATURE_CACHE_VERSION}\n`);
  const { files, ...rest } = parts;
  hash.update(JSON.stringify(rest, Object.keys(rest).sort()));
  for (const f of files) hash.update(`\n${f.path}\t${f.size}\t${f.mtimeMs}`);
  return hash.digest('hex');
}

/**
 * The identity of a model's current weights: sha256 over every weight's name, shape and ALL its
 * values. Hashing every value (not a sample) matters: one damaged byte in a weight file, or a
 * fine-tuning step, changes some value somewhere, and features computed from other weights must
 * never be reused for it. It costs one read of the weights (~10 ms per million values here).
 */
export function weightsFingerprint(model: tf.LayersModel): string {
  const hash = createHash('sha256');
  for (const w of model.weights) {
    hash.update(`${w.originalName}:${w.dtype}:${JSON.stringify(w.shape)};`);
    // read() gives the variable itself (nothing to dispose); dataSync copies its values out.
    const values = w.read().dataSync();
    if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array) {
      hash.update(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    } else {
      hash.update(JSON.stringify(Array.from(values as ArrayLike<unknown>)));
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/** sha256 hex of a feature array's bytes, stored in the sidecar and checked on every read. */
export function featureDataChecksum(data: Float32Array): string {
  return createHash('sha256').update(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** The JSON half of a cache entry. */
export interface FeatureMeta {
  version: number;
  key: string;
  /** Full shape of the feature array, rows first, e.g. [398, 7, 7, 256]. */
  shape: number[];
  /** Class index of each row. */
  labelIndices: number[];
  /** Shape of the iterator's labels, rows first, or null if the iterator gave none. */
  ysShape: number[] | null;
  /** The iterator's labels, flattened (one-hot, binary or sparse as it gave them), or null. */
  ys: number[] | null;
  paths: string[];
  classNames: string[];
  /** Key parts without the file list, for people reading the cache folder. */
  about: Omit<FeatureKeyParts, 'files'> & { fileCount: number };
  /** Iterator epoch the pass ran as (its augmentation stream), or null when the iterator does not say. */
  epoch: number | null;
  /** Seconds the extraction took. */
  seconds: number;
  createdAt: string;
  /** sha256 of the `.f32` file's bytes (set by `writeFeatureCache`); a read that disagrees recomputes. */
  dataSha256?: string;
}

/** A cache entry read back. */
export interface FeatureCacheEntry {
  meta: FeatureMeta;
  data: Float32Array;
}

function entryPaths(dir: string, key: string): { bin: string; json: string } {
  return { bin: path.join(dir, `${key}.f32`), json: path.join(dir, `${key}.json`) };
}

/** Options of {@link readFeatureCache}. */
export interface ReadFeatureCacheOptions {
  /** Where the one-line warning about a damaged entry goes. Defaults to console.warn. */
  warn?: (line: string) => void;
}

/**
 * Reads an entry; null when missing, of another version, or inconsistent (then it is recomputed).
 * A `.f32` file whose bytes no longer match the checksum in its sidecar (damaged on disk, same
 * size) is also a miss, with a one-line warning: reusing it would silently change the results.
 */
export function readFeatureCache(dir: string, key: string, options: ReadFeatureCacheOptions = {}): FeatureCacheEntry | null {
  const files = entryPaths(dir, key);
  if (!fs.existsSync(files.json) || !fs.existsSync(files.bin)) return null;
  let meta: FeatureMeta;
  try {
    meta = JSON.parse(fs.readFileSync(files.json, 'utf8')) as FeatureMeta;
  } catch {
    return null;
  }
  const shapeOk = Array.isArray(meta.shape) && (meta.shape.length === 2 || meta.shape.length === 4);
  if (meta.version !== FEATURE_CACHE_VERSION || meta.key !== key || !shapeOk || typeof meta.dataSha256 !== 'string') return null;
  const buf = fs.readFileSync(files.bin);
  const count = meta.shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== count * 4) return null;
  // Float32Array needs a 4-byte aligned offset; a pooled Buffer may not have one.
  const data =
    buf.byteOffset % 4 === 0
      ? new Float32Array(buf.buffer, buf.byteOffset, count)
      : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const actual = featureDataChecksum(data);
  if (actual !== meta.dataSha256) {
    (options.warn ?? console.warn)(
      `extractFeatures: cached features ${files.bin} are damaged (sha256 ${actual.slice(0, 12)}..., expected ${meta.dataSha256.slice(0, 12)}...); recomputing them.`,
    );
    return null;
  }
  return { meta, data };
}

/** Writes an entry atomically (temp file + rename), so an interrupted run never leaves half a file. */
export function writeFeatureCache(dir: string, meta: FeatureMeta, data: Float32Array): void {
  fs.mkdirSync(dir, { recursive: true });
  const files = entryPaths(dir, meta.key);
  meta = { ...meta, dataSha256: featureDataChecksum(data) };
  const suffix = `.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(files.bin + suffix, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  fs.renameSync(files.bin + suffix, files.bin);
  // JSON last: its presence marks the entry complete.
  fs.writeFileSync(files.json + suffix, JSON.stringify(meta));
  fs.renameSync(files.json + suffix, files.json);
}
