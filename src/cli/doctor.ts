/**
 * `transfer-lab doctor`: what a teacher runs the day before class. Checks Node, tslab and its
 * zeromq binding, Jupyter and the registered kernel, the tfjs backend, the cache and mirror, and
 * every asset's presence and checksums; prints one table and fails on a blocker.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { ASSETS, cacheDir, comesFromText, mirrorDir, verifyAsset } from '../assets';
import { setupBackend, NATIVE_INSTALL_HINT } from '../backend';
import { WASM_GRADIENT_KERNELS } from '../backend/kernels/register';
import * as tf from '@tensorflow/tfjs';
import { JUPYTER_APT_PACKAGES, findJupyterPython, tslabKernelStatus, tslabVersion } from './jupyter';
import { textTable } from './table';

/** 'fail' blocks the lab; 'warn' works but slower or with less; 'ok' is fine. */
export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  check: string;
  level: CheckLevel;
  detail: string;
}

export interface DoctorOptions {
  /** Hash every file of every asset instead of a sample. Defaults to false. */
  full?: boolean;
  mirror?: string;
  cacheDir?: string;
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
  add('mirror folder', mirror ? 'ok' : 'warn', mirror ?? 'none set (TRANSFER_LAB_MIRROR); assets download from their official URLs');

  for (const entry of ASSETS) {
    const status = await verifyAsset(entry.name, { ...options, sample: options.full ? undefined : 24 });
    // The lab needs the course's own assets; the large Keras weight files are optional extras.
    const needed = entry.kind !== 'weights' || entry.name === 'keras_mobilenet_2_5_224_tf_no_top';
    const level: CheckLevel =
      status.state === 'ok' || status.state === 'unchecked' ? 'ok' : status.state === 'corrupt' ? 'fail' : needed && entry.name !== 'imagenet_class_index' ? 'warn' : 'ok';
    const where = status.path ? `${status.origin}: ` : '';
    add(`asset ${entry.name}`, level, `${status.state === 'missing' ? 'not present' : status.state}; ${where}${status.detail}; ${comesFromText(entry.name, options)}`);
  }
  return checks;
}

/** The doctor table as text, with a last line saying whether the lab can run. */
export function formatDoctor(checks: DoctorCheck[]): string {
  const mark: Record<CheckLevel, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL' };
  const table = textTable(['check', 'status', 'detail'], checks.map((c) => [c.check, mark[c.level], c.detail]));
  const fails = checks.filter((c) => c.level === 'fail').length;
  const warns = checks.filter((c) => c.level === 'warn').length;
  const verdict = fails ? `${fails} blocker(s): fix the FAIL rows before class.` : `Ready${warns ? ` (${warns} warning(s))` : ''}.`;
  return `${table}\n\n${verdict}`;
}
