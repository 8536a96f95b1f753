/** Where assets live on disk: the user's cache, the optional offline mirror, our manifests. */
import * as os from 'node:os';
import * as path from 'node:path';

/** Options every asset call accepts; each falls back to an environment variable. */
export interface AssetLocationOptions {
  /** Offline mirror folder laid out like the course mirror. Defaults to env TRANSFER_LAB_MIRROR. */
  mirror?: string;
  /** Cache folder for downloads. Defaults to env TRANSFER_LAB_CACHE, else $XDG_CACHE_HOME/transfer-lab, else ~/.cache/transfer-lab. */
  cacheDir?: string;
}

/** The offline mirror folder in force, or undefined when none is set. */
export function mirrorDir(options: AssetLocationOptions = {}): string | undefined {
  const dir = options.mirror ?? process.env.TRANSFER_LAB_MIRROR;
  return dir ? path.resolve(dir) : undefined;
}

/** The cache folder in force (it may not exist yet). */
export function cacheDir(options: AssetLocationOptions = {}): string {
  if (options.cacheDir) return path.resolve(options.cacheDir);
  if (process.env.TRANSFER_LAB_CACHE) return path.resolve(process.env.TRANSFER_LAB_CACHE);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'transfer-lab');
}

/** The project root (holds package.json); works from src/ under tsx and from dist/ when built. */
export function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** Folder of the committed per-asset checksum manifests. */
export function manifestsDir(): string {
  return path.join(packageRoot(), 'datasets', 'manifests');
}
