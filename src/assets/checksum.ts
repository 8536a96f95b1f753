/** File digests and manifest checks. */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AssetError } from '../errors';
import type { Digest } from './registry';

/** Hex digest of a file, streamed so large weight files do not load into memory. */
export async function fileDigest(file: string, algorithm: 'sha256' | 'md5' = 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve());
  });
  return hash.digest('hex');
}

/**
 * Throws an AssetError when `file` does not match `digest` (sha256 preferred, md5 when that is all
 * the publisher gives). No digest means nothing to check.
 */
export async function verifyDigest(file: string, digest: Digest | undefined, what: string): Promise<void> {
  if (!digest || (!digest.sha256 && !digest.md5)) return;
  const algorithm = digest.sha256 ? 'sha256' : 'md5';
  const expected = (digest.sha256 ?? digest.md5 ?? '').toLowerCase();
  const actual = await fileDigest(file, algorithm);
  if (actual !== expected) {
    throw new AssetError(
      `${what}: checksum mismatch for ${file}: expected ${algorithm} ${expected}, got ${actual}. ` +
        'The file is corrupt or not the official one; it was not kept. Run the fetch again.',
    );
  }
}

/** One line of a `sha256sum` manifest. */
export interface ManifestEntry {
  sha256: string;
  /** Path relative to the asset's folder (or the file name for a single-file asset). */
  file: string;
}

/** Parses `sha256sum` output ("<hex>  ./path"); blank lines and comments are ignored. */
export function parseManifest(text: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([0-9a-f]{64})\s+\*?(.+)$/i.exec(line);
    if (!match) throw new AssetError(`parseManifest: cannot read the line '${line}'; expected '<sha256>  <path>'.`);
    entries.push({ sha256: match[1].toLowerCase(), file: match[2].replace(/^\.\//, '') });
  }
  return entries;
}

/** The result of checking a folder against its manifest. */
export interface ManifestCheck {
  checked: number;
  missing: string[];
  mismatched: string[];
}

/** Checks every manifest entry under `root`; `sample` limits the number of files hashed (doctor's quick mode). */
export async function checkManifest(root: string, entries: ManifestEntry[], sample?: number): Promise<ManifestCheck> {
  const result: ManifestCheck = { checked: 0, missing: [], mismatched: [] };
  const chosen = sample !== undefined && sample < entries.length ? spread(entries, sample) : entries;
  for (const entry of chosen) {
    const file = path.join(root, entry.file);
    try {
      await fs.access(file);
    } catch {
      result.missing.push(entry.file);
      continue;
    }
    result.checked += 1;
    if ((await fileDigest(file)) !== entry.sha256) result.mismatched.push(entry.file);
  }
  return result;
}

/** `count` entries spread evenly over the list, so a sample touches every class folder. */
function spread<T>(items: T[], count: number): T[] {
  if (count <= 0) return [];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]);
}
