/**
 * Finds the Python that has Jupyter and the tslab kernel registered in it. Shared by
 * `transfer-lab doctor`, `npm run setup` / `npm start` and the notebook runner, so they agree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../assets/locations';

/** A Python interpreter and which Jupyter parts it can import. */
export interface JupyterPython {
  python: string;
  version: string;
  /** The classic notebook / Notebook 7 server (`jupyter notebook`). */
  notebook: boolean;
  /** nbconvert + nbclient, used to execute notebooks headless and render HTML/slides. */
  nbclient: boolean;
}

/** Debian's packages that provide Jupyter for this course. */
export const JUPYTER_APT_PACKAGES = ['jupyter-notebook', 'jupyter-nbconvert', 'python3-nbclient'];

function run(cmd: string, args: string[]): { ok: boolean; out: string; stdout: string } {
  const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  const stdout = result.stdout ?? '';
  return { ok: result.status === 0, out: `${stdout}${result.stderr ?? ''}`.trim(), stdout };
}

/**
 * Candidate interpreters, best first: TRANSFER_LAB_PYTHON, Debian's /usr/bin/python3 (where
 * apt puts Jupyter, often shadowed by a pyenv `python3` on PATH), then python3 / python on PATH.
 */
export function pythonCandidates(): string[] {
  const list = [process.env.TRANSFER_LAB_PYTHON, '/usr/bin/python3', 'python3', 'python'].filter(
    (p): p is string => Boolean(p),
  );
  return [...new Set(list)];
}

/** Probes one interpreter; undefined when it does not run. */
export function probePython(python: string): JupyterPython | undefined {
  const script =
    'import importlib.util as u, sys\n' +
    'has = lambda m: u.find_spec(m) is not None\n' +
    'print(sys.version.split()[0], int(has("notebook")), int(has("nbclient") and has("nbconvert")))';
  const { ok, out } = run(python, ['-c', script]);
  if (!ok) return undefined;
  const [version, notebook, nbclient] = out.split(/\s+/);
  return { python, version, notebook: notebook === '1', nbclient: nbclient === '1' };
}

/** The first interpreter with Jupyter (notebook or nbclient), or undefined. */
export function findJupyterPython(): JupyterPython | undefined {
  let partial: JupyterPython | undefined;
  for (const candidate of pythonCandidates()) {
    const probe = probePython(candidate);
    if (!probe) continue;
    if (probe.notebook && probe.nbclient) return probe;
    if (!partial && (probe.notebook || probe.nbclient)) partial = probe;
  }
  return partial;
}

/** Path of this project's tslab launcher (what the kernelspec must run). */
export function tslabBin(): string {
  return path.join(packageRoot(), 'node_modules', 'tslab', 'bin', 'tslab');
}

/** The registered `tslab` kernelspec: where it is and whether its launcher exists. */
export interface KernelStatus {
  registered: boolean;
  launcher?: string;
  launcherExists: boolean;
  specDir?: string;
}

/** Reads `jupyter kernelspec list --json` of `python` and checks the tslab entry. */
export function tslabKernelStatus(python: string): KernelStatus {
  // `-m jupyter kernelspec` needs a jupyter-kernelspec executable on PATH, which Debian does not
  // always install; the kernelspec app module works everywhere jupyter_client does.
  const { ok, stdout } = run(python, ['-m', 'jupyter_client.kernelspecapp', 'list', '--json']);
  if (!ok) return { registered: false, launcherExists: false };
  let specs: { kernelspecs?: Record<string, { resource_dir: string; spec: { argv: string[] } }> };
  try {
    // Debug-mode Pythons print warnings before the JSON.
    specs = JSON.parse(stdout.slice(stdout.indexOf('{')));
  } catch {
    return { registered: false, launcherExists: false };
  }
  const tslab = specs.kernelspecs?.tslab;
  if (!tslab) return { registered: false, launcherExists: false };
  const launcher = tslab.spec.argv[0];
  const launcherExists = path.isAbsolute(launcher) ? existsSync(launcher) : run('sh', ['-c', `command -v ${launcher}`]).ok;
  return { registered: true, launcher, launcherExists, specDir: tslab.resource_dir };
}

/**
 * Registers (or re-points) the tslab kernel for `python`, launching this project's tslab by
 * absolute path so it works without a global install. Returns tslab's output.
 */
export function installTslabKernel(python: string): string {
  const result = run(process.execPath, [tslabBin(), 'install', `--python=${python}`, `--binary=${tslabBin()}`, '--user']);
  if (!result.ok) throw new Error(`tslab install failed for ${python}: ${result.out}`);
  return result.out;
}

/** The installed tslab version, from its package.json. */
export function tslabVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'node_modules', 'tslab', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}
