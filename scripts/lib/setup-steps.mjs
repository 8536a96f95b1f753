// Steps shared by `npm run setup`, `npm start`, `npm test` and the notebook runner:
// build the library, find Jupyter (installing it with apt on Debian as root), register tslab.
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { $, chalk } from 'zx';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** Newest mtime under a folder (to skip a rebuild when dist/ is fresh). */
function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Compiles src/ to dist/ (CommonJS + .d.ts, what notebooks import) when src is newer. */
export async function buildLibrary({ force = false } = {}) {
  const stamp = path.join(root, 'dist', 'index.js');
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newest(path.join(root, 'src'))) return;
  console.log(chalk.dim('Building the library (src -> dist) ...'));
  await $({ cwd: root, stdio: 'inherit' })`npx tsc -p tsconfig.build.json`;
}

/** Imports the built CLI helpers (so setup and doctor share one definition of "where is Jupyter"). */
export async function jupyterTools() {
  return import(path.join(root, 'dist', 'cli', 'jupyter.js'));
}

/**
 * Returns the Python that has Jupyter. On Debian as root installs it with apt when missing;
 * elsewhere prints the one command to run and exits.
 */
export async function ensureJupyter({ needNotebook = true } = {}) {
  const tools = await jupyterTools();
  let found = tools.findJupyterPython();
  const complete = (j) => j && j.nbclient && (!needNotebook || j.notebook);
  if (!complete(found)) {
    const debian = existsSync('/etc/debian_version');
    const isRoot = process.getuid?.() === 0;
    const packages = tools.JUPYTER_APT_PACKAGES;
    if (debian && isRoot) {
      console.log(chalk.yellow(`Jupyter not found: installing ${packages.join(' ')} with apt-get ...`));
      await $({ stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get update -qq`;
      await $({ stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get install -y -qq ${packages}`;
      found = tools.findJupyterPython();
    }
    if (!complete(found)) {
      const cmd = debian ? `sudo apt-get install -y ${packages.join(' ')}` : 'python3 -m pip install notebook nbclient nbconvert';
      console.error(chalk.red(`Jupyter (notebook + nbclient) is needed. Install it with:\n  ${cmd}\nthen run this command again.`));
      process.exit(1);
    }
  }
  return found;
}

/** Registers the tslab kernel for `python` unless it is registered and points at this project's tslab. */
export async function ensureKernel(python) {
  const tools = await jupyterTools();
  const status = tools.tslabKernelStatus(python);
  if (status.registered && status.launcherExists && status.launcher === tools.tslabBin()) return status;
  console.log(chalk.dim(`Registering the tslab kernel for ${python} ...`));
  tools.installTslabKernel(python);
  return tools.tslabKernelStatus(python);
}

/** The course mirror beside the project (../shared/assets), used by tests and CI when no mirror is set. */
export function defaultMirror() {
  if (process.env.TRANSFER_LAB_MIRROR) return process.env.TRANSFER_LAB_MIRROR;
  const beside = path.resolve(root, '..', 'shared', 'assets');
  return existsSync(beside) ? beside : undefined;
}

/**
 * The notebooks in notebooks/ that `only` selects (a two-digit prefix, a name, or all when
 * undefined), sorted. zx parses `--only 04` as the number 4, so numbers get their two-digit prefix
 * back. Exits with a clear message when nothing matches.
 */
export function selectNotebooks(only) {
  const dir = path.join(root, 'notebooks');
  const want = only === undefined ? undefined : typeof only === 'number' ? String(only).padStart(2, '0') : String(only);
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .filter((f) => !want || f.startsWith(want) || f === want)
    .sort();
  if (names.length === 0) {
    console.error(chalk.red(`No notebook in ${dir}${want ? ` matches '${want}'` : ''}.`));
    process.exit(1);
  }
  return names;
}
