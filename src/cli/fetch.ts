/**
 * `transfer-lab fetch NAME|all [--into DIR]`: brings assets into the cache (or finds them in the
 * mirror). With --into, builds a complete mirror folder for an offline classroom: assets already
 * in the mirror or cache are copied, the rest downloaded.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ASSETS, assetEntry, locateAsset, mirrorDir, resolveAsset, type ResolveOptions } from '../assets';
import { AssetError } from '../errors';

/**
 * The assets `fetch all` brings: the course's own (the big Keras weight files are opt-in by name).
 * `withLabels` adds Keras' ImageNet class names, which a copy of MobileNet without the mirror's
 * metadata.json needs (self-study with no mirror).
 */
export function courseAssetNames(withLabels = false): string[] {
  return ASSETS.filter((a) => a.kind !== 'weights' || a.name === 'keras_mobilenet_2_5_224_tf_no_top')
    .filter((a) => withLabels || a.name !== 'imagenet_class_index')
    .map((a) => a.name);
}

/** Fetches each named asset; returns one line per asset. Errors are collected, not thrown, so 'all' goes on. */
export async function fetchAssets(
  names: string[],
  options: ResolveOptions & { into?: string } = {},
): Promise<{ lines: string[]; failed: number }> {
  const wanted = names.includes('all') ? courseAssetNames(mirrorDir(options) === undefined) : names;
  const lines: string[] = [];
  let failed = 0;
  for (const name of wanted) {
    try {
      lines.push(options.into ? await fetchInto(name, options.into, options) : await fetchOne(name, options));
    } catch (err) {
      if (!(err instanceof AssetError)) throw err;
      failed += 1;
      lines.push(`${name}: FAILED — ${err.message}`);
    }
  }
  return { lines, failed };
}

async function fetchOne(name: string, options: ResolveOptions): Promise<string> {
  const before = locateAsset(name, options);
  // A damaged model copy in the cache is replaced by a fresh download; a damaged mirror is an error.
  const where = await resolveAsset(name, { ...options, replaceDamaged: true });
  const fetched = assetEntry(name).source.kind === 'built' ? 'built from its official download and checked' : 'downloaded and verified';
  return `${name}: ${before ? `already in the ${before.origin}` : fetched} at ${where}`;
}

/** Puts `name` into the folder `into` in the mirror layout, copying a local copy when there is one. */
async function fetchInto(name: string, into: string, options: ResolveOptions): Promise<string> {
  const entry = assetEntry(name);
  const target = path.join(path.resolve(into), entry.mirrorPath);
  const existing = locateAsset(name, options);
  if (existing && path.resolve(existing.path) === target) return `${name}: already in ${target}`;
  if (existing) {
    // Checks a model asset's files first, so a damaged copy is never spread to a new mirror.
    await resolveAsset(name, options);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.cp(existing.path, target, { recursive: true });
    if (entry.layout === 'folder') await fs.writeFile(path.join(target, '.transfer-lab-complete'), new Date().toISOString());
    return `${name}: copied from the ${existing.origin} to ${target}`;
  }
  const where = await resolveAsset(name, { ...options, mirror: undefined, cacheDir: into });
  return `${name}: downloaded and verified at ${where}`;
}
