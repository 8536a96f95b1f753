/**
 * Turns an asset name into a local path: the offline mirror first, then the cache, then the
 * official download (verified, built where the source is of kind 'built', then moved into place
 * in one rename).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AssetError, DamagedFileError } from '../errors';
import { checkManifest, fileDigest, parseManifest, type ManifestCheck, type ManifestEntry } from './checksum';
import { downloadFile, type DownloadOptions } from './download';
import { extractArchive } from './extract';
import { cacheDir, manifestsDir, mirrorDir, type AssetLocationOptions } from './locations';
import { checkModelFiles, isModelAsset } from './model_files';
import { ASSETS, findAsset, type AssetEntry, type AssetName, type AssetSource, type KerasWeightsModel } from './registry';
import { buildAsset, BUILD_RECORD, removeStaleStaging } from './build';

export interface ResolveOptions extends AssetLocationOptions {
  /** Never download; fail with instructions instead. Defaults to env TRANSFER_LAB_OFFLINE=1. */
  offline?: boolean;
  /** Passed to each file download (retries, progress, a fake fetch in tests). */
  download?: Omit<DownloadOptions, 'digest' | 'size'>;
  /**
   * Sources to use instead of the registry's, by asset name: tests put a local HTTP server in
   * place of the official hosts with it. Defaults to none (the registry's official sources).
   */
  sources?: Partial<Record<AssetName, AssetSource>>;
  /**
   * When a model asset's copy in the cache is damaged, delete it and download it again instead of
   * throwing (what `transfer-lab fetch NAME` does). A damaged mirror is never replaced: it is the
   * teacher's to fix. Defaults to false.
   */
  replaceDamaged?: boolean;
}

/** Where an asset was found. */
export type AssetOrigin = 'mirror' | 'cache' | 'download';

/** Marker written last into a cached folder asset: a folder without it is an interrupted fetch. */
const COMPLETE_MARKER = '.transfer-lab-complete';

/** The registry entry for `name`, or an AssetError listing the known names. */
export function assetEntry(name: string): AssetEntry {
  const entry = findAsset(name);
  if (!entry) {
    throw new AssetError(`resolveAsset: unknown asset '${name}'. Known assets: ${ASSETS.map((a) => a.name).join(', ')}.`);
  }
  return entry;
}

/** Finds an asset that is already on disk, without downloading. */
export function locateAsset(name: AssetName | string, options: AssetLocationOptions = {}): { path: string; origin: AssetOrigin } | undefined {
  const entry = assetEntry(name);
  const mirror = mirrorDir(options);
  if (mirror && existsSync(path.join(mirror, entry.mirrorPath))) {
    return { path: path.join(mirror, entry.mirrorPath), origin: 'mirror' };
  }
  const cached = path.join(cacheDir(options), entry.mirrorPath);
  if (existsSync(cached) && (entry.layout === 'file' || existsSync(path.join(cached, COMPLETE_MARKER)))) {
    return { path: cached, origin: 'cache' };
  }
  return undefined;
}

/**
 * Local path (file or folder) of an asset, fetching it into the cache when needed.
 *
 * @example
 * const dir = await resolveAsset('hymenoptera_data');   // .../hymenoptera_data with train/ and val/
 */
export async function resolveAsset(name: AssetName | string, options: ResolveOptions = {}): Promise<string> {
  const found = locateAsset(name, options);
  const entry = assetEntry(name);
  if (found) {
    // Model files are checked on every use (hashes come from the verified-file memo), so a
    // damaged copy is an error here instead of a silently worse model later.
    if (!isModelAsset(entry)) return found.path;
    try {
      await checkModelFiles(`resolveAsset('${entry.name}')`, entry, found.path, found.origin, options);
      return found.path;
    } catch (err) {
      if (!(err instanceof DamagedFileError) || found.origin !== 'cache' || !options.replaceDamaged) throw err;
      await fs.rm(found.path, { recursive: true, force: true });
    }
  }
  const offline = options.offline ?? process.env.TRANSFER_LAB_OFFLINE === '1';
  const mirror = mirrorDir(options);
  const where = mirror ? `the mirror ${mirror} or the cache ${cacheDir(options)}` : `the cache ${cacheDir(options)} (no mirror set)`;
  if (offline) {
    throw new AssetError(
      `resolveAsset: '${name}' is not in ${where}, and downloads are off (offline). ` +
        `Run 'transfer-lab fetch ${name}' where there is internet, or set TRANSFER_LAB_MIRROR to the course asset folder.`,
    );
  }
  return downloadAsset(entry, options);
}

/** The source to fetch `entry` from: the test's stand-in when given, else the registry's official one. */
function sourceOf(entry: AssetEntry, options: ResolveOptions): AssetSource {
  return options.sources?.[entry.name] ?? entry.source;
}

async function readManifest(entry: AssetEntry): Promise<ManifestEntry[] | undefined> {
  if (!entry.manifest) return undefined;
  return parseManifest(await fs.readFile(path.join(manifestsDir(), entry.manifest), 'utf8'));
}

/**
 * Downloads `entry` into a private temp folder, verifies it, then renames it into the cache; the
 * worker of `resolveAsset`, exported so tests can point an entry at a local server.
 */
export async function downloadAsset(entry: AssetEntry, options: ResolveOptions): Promise<string> {
  const final = path.join(cacheDir(options), entry.mirrorPath);
  const staging = `${final}.staging-${process.pid}`;
  await removeStaleStaging(final);
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  const dl = options.download ?? {};
  const source = sourceOf(entry, options);
  try {
    let produced: string;
    if (source.kind === 'file') {
      produced = path.join(staging, source.file);
      if (!source.digest && source.size === undefined) {
        throw new AssetError(
          `resolveAsset: '${entry.name}' has neither a published checksum nor a known size, so a download cut short ` +
            'could not be told from a whole one; it is not downloaded. Record its size in src/assets/registry.ts.',
        );
      }
      await downloadFile(source.url, produced, { ...dl, digest: source.digest, size: source.size });
      if (source.kerasModel) await checkKerasStructure(entry, produced, source.kerasModel, source.url);
    } else if (source.kind === 'files') {
      for (const file of source.files) await downloadFile(file.url, path.join(staging, file.file), { ...dl, digest: file.digest });
      produced = staging;
    } else if (source.kind === 'tfjs-model') {
      produced = staging;
      const manifest = await readManifest(entry);
      const digestOf = (file: string) => manifest?.find((m) => m.file === file)?.sha256;
      await downloadFile(source.url, path.join(staging, 'model.json'), { ...dl, digest: { sha256: digestOf('model.json') } });
      const modelJson = JSON.parse(await fs.readFile(path.join(staging, 'model.json'), 'utf8')) as ModelJson;
      const base = source.url.slice(0, source.url.lastIndexOf('/') + 1);
      for (const group of modelJson.weightsManifest ?? []) {
        for (const shard of group.paths) {
          await downloadFile(base + shard, path.join(staging, shard), { ...dl, digest: { sha256: digestOf(shard) } });
        }
      }
    } else if (source.kind === 'archive') {
      const archive = path.join(staging, `archive.${source.format}`);
      await downloadFile(source.url, archive, { ...dl, digest: source.digest });
      try {
        await extractArchive(archive, path.join(staging, 'x'), source.format);
      } catch (err) {
        // A hostile archive (an entry outside the folder, a link) keeps its own error: it is not a transfer fault.
        if (err instanceof AssetError && /refused/.test(err.message)) throw err;
        const why = err instanceof Error ? err.message : String(err);
        throw new DamagedFileError(
          `resolveAsset: the archive of '${entry.name}' from ${source.url} cannot be extracted (${why}): it was cut off or damaged ` +
            'in transfer; nothing was kept. Run the fetch again; if it keeps failing, use the course mirror (TRANSFER_LAB_MIRROR).',
          archive,
        );
      }
      produced = path.join(staging, 'x', source.root);
      const manifest = await readManifest(entry);
      if (!manifest && !source.digest) {
        throw new AssetError(`resolveAsset: '${entry.name}' has neither an archive checksum nor a file manifest, so it cannot be verified; nothing was kept.`);
      }
      if (manifest) {
        const check = await checkManifest(produced, manifest);
        if (check.missing.length > 0) {
          throw new DamagedFileError(
            `resolveAsset: the archive of '${entry.name}' from ${source.url} lacks ${check.missing.length} of the ${manifest.length} ` +
              `file(s) of datasets/manifests/${entry.manifest} (first: ${check.missing[0]}): an incomplete or cut-off archive; nothing was kept. ` +
              'Run the fetch again; if it keeps failing, use the course mirror (TRANSFER_LAB_MIRROR).',
            path.join(produced, check.missing[0]),
          );
        }
        if (check.mismatched.length > 0) {
          throw new DamagedFileError(
            `resolveAsset: '${entry.name}' from ${source.url} has ${check.mismatched.length} file(s) that differ from the ` +
              `course's checksums (first: ${check.mismatched[0]}); nothing was kept.`,
            path.join(produced, check.mismatched[0]),
          );
        }
      }
    } else if (source.kind === 'built') {
      const input = path.join(staging, source.from.file);
      await downloadFile(source.from.url, input, { ...dl, digest: source.from.digest });
      produced = await buildAsset(entry.name, source, input, staging);
    } else {
      throw new AssetError(`resolveAsset: '${entry.name}' has no download source.`);
    }
    if (entry.layout === 'folder') await fs.writeFile(path.join(produced, COMPLETE_MARKER), new Date().toISOString());
    await fs.mkdir(path.dirname(final), { recursive: true });
    await fs.rm(final, { recursive: true, force: true });
    await fs.rename(produced, final);
    return final;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

interface ModelJson {
  weightsManifest?: { paths: string[] }[];
}

/**
 * The structure check of a weight file with no published hash. The checker lives with the .h5
 * loader in src/models/weights and builds the model, which itself resolves assets: it is required
 * here at call time, not at load time, so the two modules do not load each other.
 */
async function checkKerasStructure(entry: AssetEntry, file: string, spec: KerasWeightsModel, url: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkKerasH5Structure } = require('../models/weights/h5_structure') as typeof import('../models/weights/h5_structure');
  try {
    await checkKerasH5Structure(file, spec);
  } catch (err) {
    if (!(err instanceof DamagedFileError)) throw err;
    throw new DamagedFileError(`resolveAsset: '${entry.name}' downloaded from ${url} was not kept: ${err.message}`, err.file);
  }
}

/** The outcome of checking one asset on disk, for `transfer-lab doctor`. */
export interface AssetStatus {
  name: AssetName;
  origin: AssetOrigin | 'missing';
  path?: string;
  /** 'ok', 'missing', 'corrupt', or 'unchecked' when there are no checksums to compare. */
  state: 'ok' | 'missing' | 'corrupt' | 'unchecked';
  detail: string;
}

/**
 * Checks an asset's presence and checksums. `sample` hashes only that many files of a large
 * folder (spread over its classes); undefined hashes all.
 */
export async function verifyAsset(name: AssetName, options: AssetLocationOptions & { sample?: number } = {}): Promise<AssetStatus> {
  const entry = assetEntry(name);
  const found = locateAsset(name, options);
  if (!found) {
    return { name, origin: 'missing', state: 'missing', detail: `transfer-lab fetch ${name}` };
  }
  if (isModelAsset(entry)) {
    // Every file, every time: the verified-file memo makes this cheap after the first run.
    try {
      const report = await checkModelFiles(`verifyAsset('${entry.name}')`, entry, found.path, found.origin, options);
      if (report.files === 0) return { name, origin: found.origin, path: found.path, state: 'unchecked', detail: 'no published checksum' };
      const memo = report.fromMemo > 0 ? `, ${report.fromMemo} unchanged since hashed` : '';
      return { name, origin: found.origin, path: found.path, state: 'ok', detail: `${report.files} file(s) verified${memo}` };
    } catch (err) {
      if (!(err instanceof DamagedFileError)) throw err;
      return { name, origin: found.origin, path: found.path, state: 'corrupt', detail: err.message.replace(/^verifyAsset\('[^']*'\): /, '') };
    }
  }
  // A built copy is checked against the record its build wrote, not the mirror's checksums.
  const record = entry.layout === 'folder' ? path.join(found.path, BUILD_RECORD) : undefined;
  let manifest = record && existsSync(record) ? parseManifest(await fs.readFile(record, 'utf8')) : await readManifest(entry);
  // The course mirror adds metadata.json (labels) beside the official TF.js files; a download has none.
  if (manifest && entry.source.kind === 'tfjs-model' && found.origin !== 'mirror') {
    manifest = manifest.filter((m) => m.file !== 'metadata.json');
  }
  let check: ManifestCheck;
  if (manifest) {
    const root = entry.layout === 'folder' ? found.path : path.dirname(found.path);
    const entries = entry.layout === 'folder' ? manifest : manifest.filter((m) => m.file === path.basename(found.path));
    check = await checkManifest(root, entries, options.sample);
    check.mismatched = await dropOfficialMatches(entry, root, check.mismatched);
  } else if (entry.source.kind === 'file' && entry.source.digest) {
    const algorithm = entry.source.digest.sha256 ? 'sha256' : 'md5';
    const ok = (await fileDigest(found.path, algorithm)) === (entry.source.digest.sha256 ?? entry.source.digest.md5);
    check = { checked: 1, missing: [], mismatched: ok ? [] : [path.basename(found.path)] };
  } else {
    return { name, origin: found.origin, path: found.path, state: 'unchecked', detail: 'no published checksum' };
  }
  if (check.missing.length > 0 || check.mismatched.length > 0) {
    const first = check.missing[0] ?? check.mismatched[0];
    return {
      name,
      origin: found.origin,
      path: found.path,
      state: 'corrupt',
      detail: `${check.missing.length} missing, ${check.mismatched.length} changed (e.g. ${first})`,
    };
  }
  return { name, origin: found.origin, path: found.path, state: 'ok', detail: `${check.checked} file(s) verified` };
}

/**
 * MNIST: the course mirror re-packs the files (its own checksums are in our manifest), while a
 * download gives the originals (their md5 is in the registry). Either is a good copy.
 */
async function dropOfficialMatches(entry: AssetEntry, root: string, mismatched: string[]): Promise<string[]> {
  if (entry.source.kind !== 'files' || mismatched.length === 0) return mismatched;
  const remaining: string[] = [];
  for (const file of mismatched) {
    const official = entry.source.files.find((f) => f.file === file)?.digest?.md5;
    if (!official || (await fileDigest(path.join(root, file), 'md5')) !== official) remaining.push(file);
  }
  return remaining;
}
