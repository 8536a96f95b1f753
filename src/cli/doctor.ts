/**
 * `transfer-lab doctor`: what a teacher runs the day before class. Checks Node, tslab and its
 * zeromq binding, Jupyter and the registered kernel, the tfjs backend, the cache and mirror, and
 * every asset's presence and checksums; prints one table and fails on a blocker.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { cacheDir, mirrorDir } from '../assets';
import { setupBackend, NATIVE_INSTALL_HINT } from '../backend';
import { WASM_GRADIENT_KERNELS } from '../backend/kernels/register';
import * as tf from '@tensorflow/tfjs';
import { assetChecks, type AssetCheckLevel } from './doctor_assets';
import { JUPYTER_APT_PACKAGES, findJupyterPython, tslabKernelStatus, tslabVersion } from './jupyter';
import { textTable } from './table';

/**
 * 'fail' blocks the lab; 'warn' works but slower or with less; 'ok' is fine; 'optional' is an
 * absent extra no lesson needs.
 */
export type CheckLevel = AssetCheckLevel;

export interface DoctorCheck {
  check: string;
  level: CheckLevel;
  detail: string;
  /** The one command or step that clears this row, for failing and warning rows that have one. */
  fix?: string;
}

export interface DoctorOptions {
  /** Hash every file of every dataset instead of a sample (model files are always all checked). Defaults to false. */
  full?: boolean;
  mirror?: string;
  cacheDir?: string;
  /** Treat the network as absent without probing the asset sources. Defaults to env TRANSFER_LAB_OFFLINE=1. */
  offline?: boolean;
  /** The fetch that probes asset sources (tests send it to a local server). Defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

/** Runs every check; never throws for a failed check (that is a row). */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (check: string, level: CheckLevel, detail: string) => checks.push({ check, level, detail });

  const major = Number(process.versions.node.split('.')[0]);
  add('node', major >= 20 ? 'ok' : 'fail', `v${process.versions.node}${major >= 20 ? '' : ' (need >= 20)'}`);

  const tslab = tslabVersion();
  add('tslab', tslab ? 'ok' : 'fail', tslab ? `v${tslab}` : 'not installed: run npm install');
  try {
    require('zeromq');
    add('zeromq (tslab transport)', 'ok', 'native binding loads');
  } catch (err) {
    add('zeromq (tslab transport)', 'fail', `does not load: ${(err as Error).message.split('\n')[0]}; reinstall with npm rebuild zeromq`);
  }

  const jupyter = findJupyterPython();
  if (!jupyter) {
    add('jupyter', 'fail', `not found; on Debian/Ubuntu: sudo apt-get install ${JUPYTER_APT_PACKAGES.join(' ')}`);
  } else {
    const missing = [!jupyter.notebook && 'notebook', !jupyter.nbclient && 'nbclient/nbconvert'].filter(Boolean);
    add('jupyter', missing.length ? 'warn' : 'ok', `${jupyter.python} (Python ${jupyter.version})${missing.length ? `; missing ${missing.join(', ')}` : ''}`);
    const kernel = tslabKernelStatus(jupyter.python);
    if (!kernel.registered) add('tslab kernel', 'fail', 'not registered: run npm run setup');
    else if (!kernel.launcherExists) add('tslab kernel', 'fail', `registered, but its launcher ${kernel.launcher} is gone: run npm run setup`);
    else add('tslab kernel', 'ok', `${kernel.specDir} -> ${kernel.launcher}`);
  }

  try {
    const backend = await setupBackend({ quiet: true });
    add('backend', backend.name === 'cpu' ? 'warn' : 'ok', backend.summary.replace(/^Backend: /, ''));
    if (!backend.native) add('native backend', 'warn', `tfjs-node not installed; optional, for speed: ${NATIVE_INSTALL_HINT}`);
    if (backend.name === 'wasm') {
      const missing = WASM_GRADIENT_KERNELS.filter((name) => tf.getKernel(name, 'wasm') === undefined);
      add('wasm training kernels', missing.length ? 'fail' : 'ok', missing.length ? `missing ${missing.join(', ')}` : `${WASM_GRADIENT_KERNELS.length} gradient kernels registered`);
    }
  } catch (err) {
    add('backend', 'fail', (err as Error).message);
  }

  const cache = cacheDir(options);
  try {
    mkdirSync(cache, { recursive: true });
    accessSync(cache, constants.W_OK);
    add('cache folder', 'ok', cache);
  } catch {
    add('cache folder', 'warn', `${cache} is not writable; set TRANSFER_LAB_CACHE`);
  }
  const mirror = mirrorDir(options);
  if (!mirror) add('mirror folder', 'warn', 'none set (TRANSFER_LAB_MIRROR); assets come from the cache or their official URLs');
  else if (!existsSync(mirror)) add('mirror folder', 'warn', `${mirror} does not exist (check TRANSFER_LAB_MIRROR / --mirror)`);
  else add('mirror folder', 'ok', mirror);

  checks.push(...(await assetChecks(options)));
  return checks;
}

/**
 * The doctor table as text, with a last line saying whether the lab can run and, under it, the
 * distinct fixes of the failing rows.
 */
export function formatDoctor(checks: DoctorCheck[]): string {
  const mark: Record<CheckLevel, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', optional: 'optional' };
  const table = textTable(['check', 'status', 'detail'], checks.map((c) => [c.check, mark[c.level], c.detail]));
  const failing = checks.filter((c) => c.level === 'fail');
  const warns = checks.filter((c) => c.level === 'warn').length;
  if (failing.length === 0) return `${table}\n\nReady${warns ? ` (${warns} warning(s))` : ''}.`;
  // Every missing asset shares one fix (the course mirror holds them all), so this stays short.
  const fixes = [...new Set(failing.map((c) => c.fix).filter((f): f is string => f !== undefined))];
  const fixLines = fixes.length ? `\nTo fix:\n${fixes.map((f) => `  ${f}`).join('\n')}` : '';
  return `${table}\n\nNot ready: ${failing.length} blocker(s), the FAIL rows.${fixLines}`;
}
