/**
 * Checks the files of a model asset (a TF.js model folder, a Keras .h5 file, the ImageNet labels)
 * against what they must be before anything uses them: the sha256 of every file in the asset's
 * manifest, the registry's sha256/md5, or, for the few files whose publisher gives no hash, their
 * known byte length. Digests come through the verified-file memo, so a file is hashed once, not
 * on every run. One flipped byte in a shard otherwise trains silently on damaged weights.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DamagedFileError } from '../errors';
import { BUILD_RECORD } from './build';
import { parseManifest } from './checksum';
import { manifestsDir, type AssetLocationOptions } from './locations';
import type { AssetEntry } from './registry';
import { memoizedDigests } from './verified';

/** Where the copy being checked was found (the fix differs). */
export type ModelFileOrigin = 'mirror' | 'cache' | 'download';

/** One file a model asset must have, with what it must match. */
export interface ExpectedModelFile {
  /** Absolute path. */
  file: string;
  /** Known digest; undefined only when `size` is the check. */
  digest?: { algorithm: 'sha256' | 'md5'; hex: string };
  /** Known byte length, for a file whose publisher gives no hash. */
  size?: number;
  /** A file the check skips when absent (metadata.json exists in the course mirror only). */
  optional?: boolean;
}

/** What a passed check did: files checked, and how many digests came from the memo. */
export interface ModelFilesReport {
  files: number;
  fromMemo: number;
}

/** True for assets whose files are checked on every use: models, weight files and labels. */
export function isModelAsset(entry: AssetEntry): boolean {
  return entry.kind !== 'dataset';
}

/** The files `entry` must have at `assetPath` (its folder or its file), with their known digests or sizes. */
export async function expectedModelFiles(entry: AssetEntry, assetPath: string, origin: ModelFileOrigin): Promise<ExpectedModelFile[]> {
  // A copy built on this machine is checked against the record its build wrote: the mirror's
  // checksums describe other (equally good) bytes.
  const record = entry.layout === 'folder' ? path.join(assetPath, BUILD_RECORD) : undefined;
  if (record && existsSync(record)) {
    return parseManifest(await fs.readFile(record, 'utf8')).map((m) => ({ file: path.join(assetPath, m.file), digest: { algorithm: 'sha256', hex: m.sha256 } }));
  }
  if (entry.manifest) {
    const manifest = parseManifest(await fs.readFile(path.join(manifestsDir(), entry.manifest), 'utf8'));
    const root = entry.layout === 'folder' ? assetPath : path.dirname(assetPath);
    const listed = entry.layout === 'folder' ? manifest : manifest.filter((m) => m.file === path.basename(assetPath));
    return listed.map((m) => ({
      file: path.join(root, m.file),
      digest: { algorithm: 'sha256', hex: m.sha256 },
      // The course mirror adds metadata.json (the labels) beside the official TF.js files; a download has none.
      optional: m.file === 'metadata.json' && origin !== 'mirror',
    }));
  }
  const source = entry.source;
  if (source.kind === 'file') {
    const digest = source.digest?.sha256
      ? { algorithm: 'sha256' as const, hex: source.digest.sha256.toLowerCase() }
      : source.digest?.md5
        ? { algorithm: 'md5' as const, hex: source.digest.md5.toLowerCase() }
        : undefined;
    return [{ file: assetPath, digest, size: source.size }];
  }
  return [];
}

/** The one thing to do about a damaged file of `entry`, by where the copy came from. */
export function damagedFileFix(entry: AssetEntry, origin: ModelFileOrigin): string {
  if (origin === 'mirror') {
    return (
      `Copy ${entry.mirrorPath} into the mirror again from a good copy of the course assets ` +
      `(check it there with 'sha256sum -c SHA256SUMS'), or unset TRANSFER_LAB_MIRROR and run 'transfer-lab fetch ${entry.name}'.`
    );
  }
  return `Run 'transfer-lab fetch ${entry.name}': it replaces the damaged copy in the cache with a fresh, verified download.`;
}

/**
 * Throws a DamagedFileError naming the first file of `entry` that is missing, of the wrong size,
 * or whose digest differs (with the expected and actual digest and the fix). `fn` names the
 * caller in the message.
 */
export async function checkModelFiles(
  fn: string,
  entry: AssetEntry,
  assetPath: string,
  origin: ModelFileOrigin,
  options: AssetLocationOptions = {},
): Promise<ModelFilesReport> {
  const expected = await expectedModelFiles(entry, assetPath, origin);
  const fix = damagedFileFix(entry, origin);
  const present: ExpectedModelFile[] = [];
  const sizes = await Promise.all(expected.map((item) => fs.stat(item.file).then((st) => st.size, () => undefined)));
  for (const [i, item] of expected.entries()) {
    const size = sizes[i];
    if (size === undefined) {
      if (item.optional) continue;
      throw new DamagedFileError(`${fn}: '${entry.name}' is incomplete: ${item.file} is missing. ${fix}`, item.file);
    }
    if (item.size !== undefined && size !== item.size) {
      throw new DamagedFileError(
        `${fn}: ${item.file} has ${size} bytes, but the official file has ${item.size} (truncated or not the official file). ${fix}`,
        item.file,
      );
    }
    present.push(item);
  }
  let fromMemo = 0;
  for (const algorithm of ['sha256', 'md5'] as const) {
    const files = present.filter((p) => p.digest?.algorithm === algorithm);
    if (files.length === 0) continue;
    const digests = await memoizedDigests(files.map((f) => f.file), algorithm, options);
    for (const item of files) {
      const got = digests.get(item.file)!;
      if (got.fromMemo) fromMemo += 1;
      if (got.digest !== item.digest!.hex) {
        throw new DamagedFileError(
          `${fn}: ${item.file} is damaged: expected ${algorithm} ${item.digest!.hex}, got ${got.digest}. ${fix}`,
          item.file,
        );
      }
    }
  }
  return { files: present.length, fromMemo };
}
