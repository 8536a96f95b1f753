/** `transfer-lab fetch NAME|all`: brings assets into the cache (or finds them in the mirror). */
import { ASSETS, locateAsset, resolveAsset, type ResolveOptions } from '../assets';
import { AssetError } from '../errors';

/** Fetches each named asset; returns one line per asset. Errors are collected, not thrown, so 'all' goes on. */
export async function fetchAssets(names: string[], options: ResolveOptions = {}): Promise<{ lines: string[]; failed: number }> {
  const wanted = names.includes('all')
    ? ASSETS.filter((a) => a.kind !== 'weights' || a.name === 'keras_mobilenet_2_5_224_tf_no_top').map((a) => a.name)
    : names;
  const lines: string[] = [];
  let failed = 0;
  for (const name of wanted) {
    const before = locateAsset(name, options);
    try {
      const where = await resolveAsset(name, options);
      lines.push(`${name}: ${before ? `already in the ${before.origin}` : 'downloaded and verified'} at ${where}`);
    } catch (err) {
      if (!(err instanceof AssetError)) throw err;
      failed += 1;
      lines.push(`${name}: FAILED — ${err.message}`);
    }
  }
  return { lines, failed };
}
