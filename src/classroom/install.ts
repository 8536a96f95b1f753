/**
 * Installs what a classroom server needs: JupyterHub and its proxy from Debian (as the single-user
 * Jupyter is installed for `npm start`), the course once in a shared read-only folder, and the
 * tslab kernel registered system-wide so every student's server can start it.
 * @see README.md "Classroom server"
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../assets/locations';
import { JUPYTER_APT_PACKAGES } from '../cli/jupyter';
import { ClassroomError } from '../errors';
import { classroomFiles, type ClassroomPaths } from './paths';

/** Debian's packages for the hub: JupyterHub 3 and the Node proxy it runs in front of every server. */
export const HUB_APT_PACKAGES = ['jupyterhub', 'node-configurable-http-proxy'];

function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

/** Whether a command is on PATH. */
export function hasCommand(name: string): boolean {
  return run('sh', ['-c', `command -v ${name}`]).ok;
}

/**
 * Makes sure `jupyterhub`, `configurable-http-proxy` and Jupyter (notebook + nbclient) are
 * installed, with apt-get on Debian. Returns the packages it installed (none when all were there).
 * @throws ClassroomError off Debian, naming what to install.
 */
export function ensureHubPackages(log: (line: string) => void = console.log): string[] {
  const missing = [
    ...(hasCommand('jupyterhub') ? [] : ['jupyterhub']),
    ...(hasCommand('configurable-http-proxy') ? [] : ['node-configurable-http-proxy']),
    ...(run('/usr/bin/python3', ['-c', 'import notebook, nbclient, nbconvert']).ok ? [] : JUPYTER_APT_PACKAGES),
  ];
  if (missing.length === 0) return [];
  if (!existsSync('/etc/debian_version')) {
    throw new ClassroomError(`classroom setup: ${missing.join(', ')} missing and this is not Debian/Ubuntu. Install JupyterHub 3 (pip install jupyterhub notebook), configurable-http-proxy (npm) and run setup again.`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`Installing ${missing.join(' ')} with apt-get ...`);
  const update = run('apt-get', ['update', '-qq'], { env });
  if (!update.ok) throw new ClassroomError(`classroom setup: apt-get update failed: ${update.out.slice(-2000)}`);
  const install = run('apt-get', ['install', '-y', '-qq', ...missing], { env });
  if (!install.ok) throw new ClassroomError(`classroom setup: apt-get install ${missing.join(' ')} failed: ${install.out.slice(-2000)}`);
  return missing;
}

/** Makes every file readable and every folder enterable by all users (the students), writable by root only. */
export function shareReadOnly(dir: string): void {
  const r = run('chmod', ['-R', 'u+rwX,go+rX,go-w', dir]);
  if (!r.ok) throw new ClassroomError(`classroom setup: chmod of ${dir} failed: ${r.out}`);
}

/** Replaces `dest` with a copy of `src` (copied beside it first, so a failed copy leaves the old one). */
function replaceWithCopy(src: string, dest: string): void {
  const staging = `${dest}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(src, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  rmSync(dest, { recursive: true, force: true });
  renameSync(staging, dest);
}

/** What {@link installCourse} put where. */
export interface CourseInstall {
  installDir: string;
  notebooks: string[];
  seconds: number;
}

/**
 * Copies the built library (dist/), its node_modules, package.json and the checksum manifests (datasets/) from this checkout into
 * `installDir`, writes the student copies of the notebooks (solutions stripped, `npm run students`)
 * into `installDir/notebooks`, and makes it all readable by every user, writable by root only.
 * @throws ClassroomError when dist/ is not built or the student copies fail their sync check.
 */
export function installCourse(paths: ClassroomPaths, log: (line: string) => void = console.log): CourseInstall {
  const start = Date.now();
  const root = packageRoot();
  const dir = paths.installDir;
  if (!existsSync(path.join(root, 'dist', 'index.js'))) {
    throw new ClassroomError(`classroom setup: ${root}/dist is not built. Run \`npm run build\` in ${root} first.`);
  }
  if (path.resolve(dir) === path.resolve(root)) {
    throw new ClassroomError(`classroom setup: --install-dir ${dir} is this checkout itself; pick another folder (default /opt/transfer-lab).`);
  }
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  log(`Installing the course into ${dir} (dist, node_modules, checksum manifests, student notebooks) ...`);
  replaceWithCopy(path.join(root, 'dist'), path.join(dir, 'dist'));
  replaceWithCopy(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  // The checksum manifests and the builders' file lists: every model file is checked against them on use.
  replaceWithCopy(path.join(root, 'datasets'), path.join(dir, 'datasets'));
  // The notebook runner (nbclient) `classroom warm` uses, so warm also works from the installed copy.
  mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  cpSync(path.join(root, 'scripts', 'execute_notebook.py'), path.join(dir, 'scripts', 'execute_notebook.py'));
  const notebooks = classroomFiles(paths).notebooks;
  rmSync(notebooks, { recursive: true, force: true });
  const copies = run(process.execPath, [path.join(root, 'scripts', 'student-copies.mjs'), '--out', notebooks, '--up-levels', '0'], { cwd: root });
  if (!copies.ok) throw new ClassroomError(`classroom setup: writing the student notebooks failed:\n${copies.out.slice(-3000)}`);
  for (const sub of ['shared-cache', path.join('shared-cache', 'features'), path.join('shared-cache', 'subsets')]) {
    mkdirSync(path.join(dir, sub), { recursive: true });
  }
  shareReadOnly(dir);
  return { installDir: dir, notebooks: readdirSync(notebooks).filter((f) => f.endsWith('.ipynb')).sort(), seconds: (Date.now() - start) / 1000 };
}

/**
 * Registers the installed tslab as the `tslab` kernelspec under `<kernelPrefix>/share/jupyter/kernels`
 * (with tslab's own installer), so every user's Jupyter finds it. Returns the kernelspec folder.
 */
export function registerSystemKernel(paths: ClassroomPaths): string {
  const tslab = path.join(paths.installDir, 'node_modules', 'tslab', 'bin', 'tslab');
  const r = run(process.execPath, [tslab, 'install', '--python=/usr/bin/python3', `--binary=${tslab}`, `--prefix=${paths.kernelPrefix}`]);
  if (!r.ok) throw new ClassroomError(`classroom setup: registering the tslab kernel under ${paths.kernelPrefix} failed: ${r.out}`);
  const dir = classroomFiles(paths).kernelDir;
  if (!existsSync(path.join(dir, 'kernel.json'))) {
    throw new ClassroomError(`classroom setup: tslab install ran but ${dir}/kernel.json is missing: ${r.out}`);
  }
  shareReadOnly(path.join(paths.kernelPrefix, 'share', 'jupyter'));
  return dir;
}

/** Whether `dir` and every folder above it can be entered by other users (students reading a shared folder). */
export function readableByAll(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const mode = statSync(current).mode;
      if ((mode & 0o005) !== 0o005 && current === path.resolve(dir)) return false;
      if ((mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}
