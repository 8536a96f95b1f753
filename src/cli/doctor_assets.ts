/**
 * The asset rows of `transfer-lab doctor`: for every registered asset, whether the lessons need it,
 * where it will come from (mirror, cache, or its source when absent), whether that source can be
 * reached now, and the one command that fixes a blocker. A required asset that is damaged, or
 * absent with no way to get it (no mirror, no network), fails the check.
 */
import { ASSETS, verifyAsset, type AssetEntry, type AssetLocationOptions, type AssetSource } from '../assets';
import { courseAssetNames } from './fetch';

/** 'optional' marks an absent asset no lesson needs (the big Keras weight files). */
export type AssetCheckLevel = 'ok' | 'warn' | 'fail' | 'optional';

/** One asset row. `fix` is the single command or step that clears a failing or warning row. */
export interface AssetCheck {
  check: string;
  level: AssetCheckLevel;
  detail: string;
  fix?: string;
}

/** Where an absent asset would come from, in words, and the URL to probe (none: no way but the mirror). */
export interface SourcePlan {
  /** e.g. "download from https://..." or "build from official 17flowers.tgz (https://...)". */
  words: string;
  /** A URL whose reachability decides whether the source works now. */
  probeUrl: string;
}

/**
 * How each kind of source is described and probed. A new source kind (for example one that builds
 * an asset from an official archive) adds its entry here; the Record type makes that a compile
 * error until it does.
 */
export const SOURCE_PLANS: { [K in AssetSource['kind']]: (source: Extract<AssetSource, { kind: K }>) => SourcePlan } = {
  file: (s) => ({ words: `download from ${s.url}`, probeUrl: s.url }),
  'tfjs-model': (s) => ({ words: `download from ${s.url} (and its shards)`, probeUrl: s.url }),
  archive: (s) => ({ words: `download and unpack ${s.url}`, probeUrl: s.url }),
  files: (s) => ({ words: `download ${s.files.length} files from ${new URL(s.files[0].url).origin}`, probeUrl: s.files[0].url }),
  built: (s) => ({ words: `build from official ${s.from.file} (${s.from.url})`, probeUrl: s.from.url }),
};

/** The plan for an asset's source. */
export function sourcePlan(entry: AssetEntry): SourcePlan {
  const source = entry.source;
  return (SOURCE_PLANS[source.kind] as (s: AssetSource) => SourcePlan)(source);
}

/** Options of {@link assetChecks}. */
export interface AssetChecksOptions extends AssetLocationOptions {
  /** Hash every file of every dataset instead of a sample (model files are always all checked). Defaults to false. */
  full?: boolean;
  /** Treat the network as absent without probing. Defaults to env TRANSFER_LAB_OFFLINE=1. */
  offline?: boolean;
  /** The fetch used to probe sources (tests send it to a local server). Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Milliseconds before a probe counts as unreachable. Defaults to 5000. */
  probeTimeoutMs?: number;
}

/** Whether `url` answers now (a HEAD request); the reason when it does not. */
export async function probeSource(url: string, fetchImpl: typeof fetch = fetch, timeoutMs = 5000): Promise<{ ok: boolean; why: string }> {
  try {
    const res = await fetchImpl(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return { ok: res.ok, why: `HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, why: cause ?? (err instanceof Error ? err.message : String(err)) };
  }
}

/** The fix when assets are missing and cannot be downloaded here: the course mirror holds every asset the lessons need. */
export const MIRROR_FIX =
  "export TRANSFER_LAB_MIRROR=/path/to/course-assets   (the course asset folder; 'npx transfer-lab fetch all --into DIR' makes one on a machine with internet)";
/** The fix when assets are missing but their sources answer. */
export const FETCH_FIX = 'npx transfer-lab fetch all   (now, so class does not wait for downloads)';

/** One row per registered asset. Never throws for a bad asset: that is a row. */
export async function assetChecks(options: AssetChecksOptions = {}): Promise<AssetCheck[]> {
  const required = new Set(courseAssetNames());
  const offline = options.offline ?? process.env.TRANSFER_LAB_OFFLINE === '1';
  const probes = new Map<string, Promise<{ ok: boolean; why: string }>>();
  const probe = (url: string) => {
    const origin = new URL(url).origin;
    if (!probes.has(origin)) {
      probes.set(origin, offline ? Promise.resolve({ ok: false, why: 'offline: TRANSFER_LAB_OFFLINE=1' }) : probeSource(url, options.fetchImpl, options.probeTimeoutMs));
    }
    return probes.get(origin)!;
  };
  const rows: AssetCheck[] = [];
  for (const entry of ASSETS) {
    const needed = required.has(entry.name);
    const check = `asset ${entry.name}`;
    const status = await verifyAsset(entry.name, { ...options, sample: options.full ? undefined : 24 });
    if (status.state === 'ok' || status.state === 'unchecked') {
      rows.push({ check, level: 'ok', detail: `${needed ? '' : 'optional; '}${status.origin}: ${status.path}; ${status.detail}` });
      continue;
    }
    if (status.state === 'corrupt') {
      const fix = status.origin === 'mirror' ? `copy ${entry.mirrorPath} into the mirror again from a good copy` : `npx transfer-lab fetch ${entry.name}`;
      rows.push({ check, level: needed ? 'fail' : 'warn', detail: `DAMAGED in the ${status.origin}: ${status.detail}`, fix });
      continue;
    }
    const plan = sourcePlan(entry);
    const size = `${entry.sizeMB} MB`;
    if (!needed) {
      rows.push({ check, level: 'optional', detail: `optional, not present; ${plan.words} (${size}) with 'transfer-lab fetch ${entry.name}' if you want it` });
      continue;
    }
    const reach = await probe(plan.probeUrl);
    if (reach.ok) {
      rows.push({
        check,
        level: 'warn',
        detail: `not present; will ${plan.words} (${size}) at first use`,
        fix: FETCH_FIX,
      });
    } else {
      rows.push({ check, level: 'fail', detail: `not present, and its source cannot be reached (${reach.why}): it would ${plan.words}`, fix: MIRROR_FIX });
    }
  }
  return rows;
}
