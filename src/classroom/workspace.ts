/**
 * A student's own lab folder, made at their first login (and checked at every later one) by the
 * hub's pre-spawn hook, running as the student: `~/transfer-lab/notebooks/` holds their copies of
 * the student notebooks (never overwritten once there: it is their work), and `dist` and
 * `node_modules` beside it link to the shared read-only course, so `import ... from '../dist/index'`
 * in the notebooks resolves unchanged and nobody runs npm install.
 * @see README.md "Classroom server"
 */
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { ClassroomError } from '../errors';

/** The folder under a home that holds a student's lab. */
export const WORKSPACE_NAME = 'transfer-lab';

/** What {@link prepareWorkspace} did. */
export interface WorkspaceReport {
  dir: string;
  /** Notebooks copied now (a first login copies all of them). */
  copied: string[];
  /** Notebooks already there, left as the student has them. */
  kept: string[];
  /** Links made or re-pointed now. */
  linked: string[];
}

/**
 * Makes `<home>/transfer-lab` for the course installed in `installDir`: copies every notebook of
 * `<installDir>/notebooks` that the student does not have yet, links `dist` and `node_modules`,
 * and makes `tmp/` (their TMPDIR on the hub).
 * @throws ClassroomError when the course is not installed, or a real folder sits where a link must be.
 */
export function prepareWorkspace(home: string, installDir: string): WorkspaceReport {
  const source = path.join(installDir, 'notebooks');
  if (!existsSync(source)) {
    throw new ClassroomError(`prepareWorkspace(): the course is not installed in ${installDir} (no notebooks/ there). Run \`transfer-lab classroom setup\` as root.`);
  }
  const dir = path.join(home, WORKSPACE_NAME);
  const notebooks = path.join(dir, 'notebooks');
  mkdirSync(notebooks, { recursive: true });
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const report: WorkspaceReport = { dir, copied: [], kept: [], linked: [] };
  for (const name of readdirSync(source).filter((f) => f.endsWith('.ipynb')).sort()) {
    const target = path.join(notebooks, name);
    if (existsSync(target)) {
      report.kept.push(name);
    } else {
      copyFileSync(source + path.sep + name, target);
      report.copied.push(name);
    }
  }
  for (const name of ['dist', 'node_modules']) {
    const link = path.join(dir, name);
    const want = path.join(installDir, name);
    const stat = lstatSync(link, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink() && readlinkSync(link) === want) continue;
    if (stat && !stat.isSymbolicLink()) {
      throw new ClassroomError(`prepareWorkspace(): ${link} is a real ${stat.isDirectory() ? 'folder' : 'file'}, but must link to the shared ${want}. Move it away and log in again.`);
    }
    if (stat) rmSync(link);
    symlinkSync(want, link);
    report.linked.push(name);
  }
  return report;
}
