/**
 * Where a classroom server keeps things, and the record `setup` leaves for `start`, `status` and
 * `warm` (classroom.json beside the hub config). One definition, so every subcommand agrees.
 * @see README.md "Classroom server"
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ClassroomError } from '../errors';

/** The folders of one classroom; every field has a default for a real (root) setup. */
export interface ClassroomPaths {
  /** The shared read-only course: dist/, node_modules/, notebooks/ (student copies), shared-cache/. Defaults to /opt/transfer-lab. */
  installDir: string;
  /** jupyterhub_config.py, classroom.json and the passwords file (root only). Defaults to /etc/transfer-lab. */
  configDir: string;
  /** The hub's database, cookie secret, PID files, log and the board's data. Defaults to /var/lib/transfer-lab. */
  stateDir: string;
  /** Prefix under which the tslab kernelspec is registered (`<prefix>/share/jupyter/kernels/tslab`). Defaults to /usr/local. */
  kernelPrefix: string;
}

export const DEFAULT_PATHS: ClassroomPaths = {
  installDir: '/opt/transfer-lab',
  configDir: '/etc/transfer-lab',
  stateDir: '/var/lib/transfer-lab',
  kernelPrefix: '/usr/local',
};

/** The paths with every given option over the defaults, made absolute. */
export function classroomPaths(options: Partial<ClassroomPaths> = {}): ClassroomPaths {
  const pick = (key: keyof ClassroomPaths) => path.resolve(options[key] ?? DEFAULT_PATHS[key]);
  return { installDir: pick('installDir'), configDir: pick('configDir'), stateDir: pick('stateDir'), kernelPrefix: pick('kernelPrefix') };
}

/** Files derived from the paths. */
export function classroomFiles(paths: ClassroomPaths) {
  return {
    hubConfig: path.join(paths.configDir, 'jupyterhub_config.py'),
    record: path.join(paths.configDir, 'classroom.json'),
    passwords: path.join(paths.configDir, 'passwords.txt'),
    statusToken: path.join(paths.configDir, 'status-token'),
    hubPid: path.join(paths.stateDir, 'jupyterhub.pid'),
    proxyPid: path.join(paths.stateDir, 'jupyterhub-proxy.pid'),
    hubLog: path.join(paths.stateDir, 'jupyterhub.log'),
    boardData: path.join(paths.stateDir, 'board'),
    sharedCache: path.join(paths.installDir, 'shared-cache'),
    sharedSubsets: path.join(paths.installDir, 'shared-cache', 'subsets'),
    warmRecord: path.join(paths.installDir, 'shared-cache', 'warm.json'),
    notebooks: path.join(paths.installDir, 'notebooks'),
    kernelDir: path.join(paths.kernelPrefix, 'share', 'jupyter', 'kernels', 'tslab'),
  };
}

/** What `setup` decided, read back by the other subcommands. */
export interface ClassroomRecord {
  version: 1;
  paths: ClassroomPaths;
  /** Address and port the hub's proxy listens on (the URL students open). */
  bind: { ip: string; port: number };
  /** Internal ports: the hub API, the proxy API, the results board. */
  ports: { hub: number; proxyApi: number; board: number };
  /** The teacher's account (hub admin). */
  teacher: string;
  students: string[];
  /** Worker threads each student's pools start (env TRANSFER_LAB_WORKERS of their servers). */
  workersPerStudent: number;
  /** How that number was chosen: 'default' (cores / students) or 'teacher' (--workers-per-student). */
  workersSource: 'default' | 'teacher';
  /** The offline asset mirror every student reads. */
  mirror: string;
  /** Students' kernels run lessons in quick mode (TRANSFER_LAB_QUICK=1). */
  quick: boolean;
  /** Minutes after which an idle kernel, then an idle server, is stopped (0: never). */
  idleMinutes: number;
  /** Node that runs the kernel, the board and the first-login step. */
  node: string;
  createdAt: string;
  /** sha256 of the jupyterhub_config.py setup wrote last (a file with another hash was changed by the teacher). */
  configHash?: string;
}

/** Reads classroom.json of a setup; a missing one says to run setup first. */
export function readClassroomRecord(paths: ClassroomPaths): ClassroomRecord {
  const file = classroomFiles(paths).record;
  if (!existsSync(file)) {
    throw new ClassroomError(`classroom: no setup found (${file} is missing). Run \`transfer-lab classroom setup\` first, or pass the --config-dir it used.`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ClassroomRecord;
}

export function writeClassroomRecord(record: ClassroomRecord): void {
  writeFileSync(classroomFiles(record.paths).record, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
}
