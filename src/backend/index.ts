/**
 * Picks and reports the tfjs backend. This is the ONE place that decides which backend runs
 * and how kernel gaps are filled, so notebooks, the CLI and tests all behave the same.
 *
 * Order of preference: `tensorflow` (native libtensorflow through @tensorflow/tfjs-node, when the
 * user installed it), then `wasm` (WebAssembly + XNNPACK, fast inference), then `cpu` (pure JS).
 * @see notebooks/00-setup-check.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmGradientKernels } from './kernels/register';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** What runs, and what that means for speed: printed by notebooks and `transfer-lab doctor`. */
export interface BackendReport {
  /** The active tfjs backend. */
  name: BackendName;
  /** True when the native libtensorflow backend runs. */
  native: boolean;
  /** One line for a learner: which backend runs and what that means for speed. */
  summary: string;
  /** Why faster backends were not used (e.g. "tfjs-node is not installed"). */
  notes: string[];
}

export interface SetupBackendOptions {
  /** Backend to try first. Defaults to env TRANSFER_LAB_BACKEND, else 'tensorflow'. */
  prefer?: BackendName;
  /** Do not print the summary line. Defaults to false. */
  quiet?: boolean;
}

const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const SPEED: Record<BackendName, string> = {
  tensorflow: 'native libtensorflow: the fastest CPU option, training and inference',
  wasm: 'WebAssembly + XNNPACK: fast inference (~20x the pure-JS cpu backend); conv training uses transfer-lab\'s wasm gradient kernels',
  cpu: 'pure JavaScript: slow (~20x slower than wasm); use quick mode or small images',
};

/** How a user gets the native backend, where libtensorflow can be downloaded. */
export const NATIVE_INSTALL_HINT = 'npm run setup -- --native';

let current: BackendReport | undefined;

/**
 * Loads tfjs-node if it is really installed; false (with a note saying why) otherwise. In this project `@tensorflow/tfjs-node` may resolve to
 * plain tfjs (danfojs-node's dependency is aliased so that npm install works offline), so loading
 * the module is not enough: the `tensorflow` backend must have been registered by it.
 */
export function loadNativeBackend(
  notes: string[],
  requireNative: () => unknown = () => require('@tensorflow/tfjs-node'),
): boolean {
  if (tf.findBackendFactory('tensorflow') != null) return true;
  try {
    requireNative();
  } catch (err) {
    notes.push(`tfjs-node did not load (${firstLine(err)}); for native speed run: ${NATIVE_INSTALL_HINT}`);
    return false;
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    notes.push(`tfjs-node is not installed (only the plain-tfjs alias danfojs uses); for native speed run: ${NATIVE_INSTALL_HINT}`);
    return false;
  }
  return true;
}

function tryLoadWasm(notes: string[]): boolean {
  try {
    require('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    notes.push(`@tensorflow/tfjs-backend-wasm did not load (${firstLine(err)})`);
    return false;
  }
  registerWasmGradientKernels();
  return tf.findBackendFactory('wasm') != null;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 160);
}

function isBackendName(value: string | undefined): value is BackendName {
  return value !== undefined && (ORDER as string[]).includes(value);
}

/**
 * Selects the fastest backend that works here, makes it active and returns (and by default prints)
 * a report. Safe to call more than once; a later call with another `prefer` switches backend.
 *
 * @example
 * const backend = await setupBackend();   // "Backend: wasm — WebAssembly + XNNPACK: ..."
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<BackendReport> {
  const envPrefer = process.env.TRANSFER_LAB_BACKEND;
  if (envPrefer !== undefined && envPrefer !== '' && !isBackendName(envPrefer)) {
    throw new Error(
      `setupBackend: TRANSFER_LAB_BACKEND='${envPrefer}' is not a backend; use one of ${ORDER.join(', ')}.`,
    );
  }
  const prefer = options.prefer ?? (isBackendName(envPrefer) ? envPrefer : 'tensorflow');
  const order = [prefer, ...ORDER.filter((name) => name !== prefer)];
  const notes: string[] = [];
  for (const name of order) {
    const available =
      name === 'tensorflow' ? loadNativeBackend(notes) : name === 'wasm' ? tryLoadWasm(notes) : true;
    if (!available) continue;
    let ok = false;
    try {
      ok = await tf.setBackend(name);
      await tf.ready();
    } catch (err) {
      notes.push(`backend '${name}' failed to initialise (${firstLine(err)})`);
      ok = false;
    }
    if (!ok) continue;
    current = {
      name,
      native: name === 'tensorflow',
      summary: `Backend: ${name} — ${SPEED[name]}`,
      notes,
    };
    if (!options.quiet) console.log(current.summary);
    return current;
  }
  throw new Error(`setupBackend: no tfjs backend could start (${notes.join('; ')}).`);
}

/** The report of the last `setupBackend` call, or undefined when it has not run yet. */
export function backendReport(): BackendReport | undefined {
  return current;
}
