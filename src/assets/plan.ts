/** Where an asset will come from when a lesson asks for it: what `transfer-lab doctor` shows. */
import type { AssetLocationOptions } from './locations';
import { assetEntry, locateAsset } from './resolve';

/**
 * 'mirror' or 'cache' when it is on disk; otherwise 'download' (the official file as is), 'build'
 * (made on this machine from an official download).
 */
export type AssetComesFrom = 'mirror' | 'cache' | 'download' | 'build';

/** Where `name` will come from, without touching the network. */
export function assetComesFrom(name: string, options: AssetLocationOptions = {}): AssetComesFrom {
  const found = locateAsset(name, options);
  if (found) return found.origin === 'mirror' ? 'mirror' : 'cache';
  return assetEntry(name).source.kind === 'built' ? 'build' : 'download';
}

/** What doctor prints for an asset: 'from: mirror', ..., 'from: build from official 17flowers.tgz'. */
export function comesFromText(name: string, options: AssetLocationOptions = {}): string {
  const from = assetComesFrom(name, options);
  const source = assetEntry(name).source;
  return from === 'build' && source.kind === 'built' ? `from: build from official ${source.from.file}` : `from: ${from}`;
}
