/**
 * What the asset builders share: the build context, the resize recipe, list files and the
 * check of a built image folder against its expected file list.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { AssetError } from '../../errors';
import { manifestsDir } from '../locations';

/** What a builder gets: the verified official download, a scratch folder and the folder to fill. */
export interface BuildContext {
  /** The downloaded official file (its digest already checked where one is known). */
  input: string;
  /** Scratch space inside the staging folder (extracted archives); removed with it. */
  workDir: string;
  /** The folder to create and fill: it becomes the asset once the build returns. */
  outDir: string;
}

/** A builder: fills `outDir` from `input`, or throws an AssetError naming what is wrong. */
export type AssetBuilder = (context: BuildContext) => Promise<void>;

/** JPEG quality of built images (sharp's default is 80; 90 keeps the small images close to their sources). */
export const BUILT_JPEG_QUALITY = 90;

/**
 * The resize recipe of every built image dataset: EXIF orientation applied, resized to exactly
 * size x size with the aspect ratio NOT kept (sharp `fit: 'fill'`, lanczos3: what Keras'
 * `target_size` loading does), written as baseline JPEG at quality {@link BUILT_JPEG_QUALITY}.
 */
export async function resizeToSquareJpeg(source: string, dest: string, size: number): Promise<void> {
  const bytes = await sharp(source)
    .rotate()
    .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .jpeg({ quality: BUILT_JPEG_QUALITY })
    .toBuffer();
  await fs.mkdir(path.dirname(dest), { recursive: true });
  await fs.writeFile(dest, bytes);
}

/** Reads a list file of datasets/manifests/: one relative path a line; '#' comments and blank lines skipped. */
export async function readListFile(name: string): Promise<string[]> {
  const file = path.join(manifestsDir(), name);
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Every file under `root` as a sorted list of '/'-separated relative paths (dot files skipped). */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), rel);
      else out.push(rel);
    }
  }
  await walk(root, '');
  return out.sort();
}

/**
 * Checks a built image folder: exactly the `expected` files (no more, no fewer), each a JPEG that
 * decodes at size x size. `fn` names the builder in the error.
 */
export async function checkBuiltImages(fn: string, root: string, expected: string[], size: number): Promise<void> {
  const found = await listFiles(root);
  const want = [...expected].sort();
  const foundSet = new Set(found);
  const wantSet = new Set(want);
  const extra = found.filter((f) => !wantSet.has(f));
  const missing = want.filter((f) => !foundSet.has(f));
  if (extra.length > 0 || missing.length > 0) {
    throw new AssetError(
      `${fn}: the built folder ${root} does not hold its file list: ${missing.length} missing (e.g. ${missing[0] ?? '-'}), ` +
        `${extra.length} extra (e.g. ${extra[0] ?? '-'}). This is a bug in the builder; nothing was kept.`,
    );
  }
  for (const rel of want) {
    const meta = await sharp(path.join(root, rel)).metadata();
    if (meta.format !== 'jpeg' || meta.width !== size || meta.height !== size) {
      throw new AssetError(
        `${fn}: built image ${rel} is ${meta.format} ${meta.width}x${meta.height}, expected jpeg ${size}x${size}; nothing was kept.`,
      );
    }
  }
}

/** Runs `work` over `items` with at most `limit` at once (sharp decodes on its own threads). */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

/** Throws an AssetError listing the source files an official archive should hold but does not. */
export async function requireSourceFiles(fn: string, archive: string, dir: string, files: string[]): Promise<void> {
  const missing: string[] = [];
  for (const file of files) {
    try {
      await fs.access(path.join(dir, file));
    } catch {
      missing.push(file);
    }
  }
  if (missing.length > 0) {
    throw new AssetError(
      `${fn}: ${archive} lacks ${missing.length} file(s) the recipe needs (first: ${missing[0]}); it is not the official ` +
        'archive or it is damaged. Nothing was kept; run the fetch again, or use the course mirror (TRANSFER_LAB_MIRROR).',
    );
  }
}
