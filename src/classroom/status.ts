/**
 * `transfer-lab classroom status`: is the hub up, the URL for the projector, who is logged in,
 * the worker share per student, the assets and the warm cache. Asks the running hub through the
 * read-only classroom-status service.
 * @see README.md "Classroom server"
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { textTable } from '../cli/table';
import { hubUrls, hubVersion, readPid } from './hub';
import { readableByAll } from './install';
import { classroomFiles, type ClassroomRecord } from './paths';
import { readWarmRecord, type WarmRecord } from './warm';

/** A student as the hub sees them. */
export interface StudentStatus {
  name: string;
  /** 'running', 'starting', 'stopped', or 'unknown' when the hub is down. */
  server: 'running' | 'starting' | 'stopped' | 'unknown';
  lastActivity: string | null;
}

/** Everything `status` reports. */
export interface ClassroomStatus {
  hub: { up: boolean; pid?: number; version?: string };
  urls: string[];
  teacher: string;
  students: StudentStatus[];
  workers: { perStudent: number; source: 'default' | 'teacher'; cores: number };
  mirror: { dir: string; exists: boolean; readableByAll: boolean; datasets: string[] };
  warm: (WarmRecord & { bytes: number }) | undefined;
  quick: boolean;
  files: { config: string; passwords: string; log: string; kernel: string };
}

type HubUser = { name: string; servers?: Record<string, { ready: boolean; pending: string | null }>; last_activity: string | null };

/** The hub's users with their servers, through the status service's token; undefined when the hub does not answer. */
async function hubUsers(record: ClassroomRecord): Promise<HubUser[] | undefined> {
  const files = classroomFiles(record.paths);
  if (!existsSync(files.statusToken)) return undefined;
  const token = readFileSync(files.statusToken, 'utf8').trim();
  const ip = record.bind.ip === '0.0.0.0' ? '127.0.0.1' : record.bind.ip;
  try {
    const res = await fetch(`http://${ip}:${record.bind.port}/hub/api/users`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as HubUser[]) : undefined;
  } catch {
    return undefined;
  }
}

function folderBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(p) : entry.isFile() ? statSync(p).size : 0;
  }
  return total;
}

/** Collects the classroom's status. */
export async function classroomStatus(record: ClassroomRecord): Promise<ClassroomStatus> {
  const files = classroomFiles(record.paths);
  const pid = readPid(files.hubPid);
  const version = await hubVersion(record);
  const users = version !== undefined ? await hubUsers(record) : undefined;
  const byName = new Map((users ?? []).map((u) => [u.name, u]));
  const students = record.students.map((name): StudentStatus => {
    if (users === undefined) return { name, server: 'unknown', lastActivity: null };
    const user = byName.get(name);
    const server = user?.servers?.[''];
    return { name, server: server ? (server.ready ? 'running' : 'starting') : 'stopped', lastActivity: user?.last_activity ?? null };
  });
  const datasetsDir = path.join(record.mirror, 'datasets');
  const warm = readWarmRecord(record);
  return {
    hub: { up: version !== undefined, pid, version },
    urls: hubUrls(record),
    teacher: record.teacher,
    students,
    workers: { perStudent: record.workersPerStudent, source: record.workersSource, cores: availableParallelism() },
    mirror: {
      dir: record.mirror,
      exists: existsSync(record.mirror),
      readableByAll: readableByAll(record.mirror),
      datasets: existsSync(datasetsDir) ? readdirSync(datasetsDir).sort() : [],
    },
    warm: warm && { ...warm, bytes: folderBytes(files.sharedCache) },
    quick: record.quick,
    files: { config: files.hubConfig, passwords: files.passwords, log: files.hubLog, kernel: files.kernelDir },
  };
}

/** The status as the terminal table `classroom status` prints. */
export function formatStatus(s: ClassroomStatus): string {
  const running = s.students.filter((st) => st.server === 'running').length;
  const rows: string[][] = [
    ['hub', s.hub.up ? `up (JupyterHub ${s.hub.version}${s.hub.pid ? `, PID ${s.hub.pid}` : ''})` : 'down (start it: transfer-lab classroom start)'],
    ['URL', s.urls.join('  ')],
    ['teacher', `${s.teacher} (hub admin)`],
    ['students', `${s.students.length}${s.hub.up ? `, ${running} with a running server` : ''}`],
    ['workers', `${s.workers.perStudent} per student (TRANSFER_LAB_WORKERS; ${s.workers.source === 'teacher' ? 'set by the teacher' : `default: ${s.workers.cores} cores / ${s.students.length} students`})`],
    ['mode', s.quick ? 'quick (TRANSFER_LAB_QUICK=1 for every student)' : 'full'],
    ['assets', `${s.mirror.dir}: ${!s.mirror.exists ? 'MISSING' : s.mirror.readableByAll ? 'readable by all' : 'NOT readable by students'}; datasets ${s.mirror.datasets.join(', ') || 'none'}`],
    ['warm cache', s.warm
      ? `warmed ${s.warm.finishedAt} (notebook 05 ${s.warm.modes.join(' + ')}; train on ${s.warm.datasets.join(', ') || 'nothing'}): ${s.warm.entries} feature sets, ${(s.warm.bytes / 1e6).toFixed(0)} MB`
      : 'not warmed (run: transfer-lab classroom warm)'],
    ['config', s.files.config],
    ['passwords', `${s.files.passwords} (root only)`],
    ['hub log', s.files.log],
    ['kernel', s.files.kernel],
  ];
  const students = textTable(['student', 'server', 'last activity'], s.students.map((st) => [st.name, st.server, st.lastActivity ?? '-']));
  return `${textTable(['classroom', ''], rows)}\n\n${students}`;
}
