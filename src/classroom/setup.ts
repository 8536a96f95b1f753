/**
 * `transfer-lab classroom setup`: one command that turns a Debian machine into the class's lab
 * server (hub packages, the course installed once, the system-wide kernel, student accounts with
 * generated passwords, the hub config). Safe to run again: existing accounts and their passwords
 * are kept, a config the teacher changed is not overwritten.
 * @see README.md "Classroom server"
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { fetchAssets } from '../cli/fetch';
import { ClassroomError } from '../errors';
import { ensureStudentAccount, numberedStudents, parseRoster, writePasswordsFile, type AccountResult } from './accounts';
import { writeHubConfig } from './hub_config';
import { ensureHubPackages, installCourse, readableByAll, registerSystemKernel } from './install';
import { classroomFiles, classroomPaths, writeClassroomRecord, type ClassroomPaths, type ClassroomRecord } from './paths';
import { defaultWorkersPerStudent, parseWorkersPerStudent } from './workers';

/** Options of {@link setupClassroom}; the CLI flags of `classroom setup`. */
export interface SetupOptions extends Partial<ClassroomPaths> {
  /** Roster file: one student name per line. Either this or `students`. */
  roster?: string;
  /** Number of numbered students (student01..NN). Either this or `roster`. */
  students?: number;
  /** Prefix of the numbered names. Defaults to 'student'. */
  studentPrefix?: string;
  /** The teacher's account, hub admin (created with a password if missing). Defaults to $SUDO_USER, else 'teacher'. */
  teacher?: string;
  /** Address the hub listens on. Defaults to 0.0.0.0 (every interface: the room's network). */
  bind?: string;
  /** Port of the URL students open. Defaults to 8000; the hub API, proxy API and board use the next three. */
  port?: number;
  /** Offline asset mirror every student reads. Defaults to env TRANSFER_LAB_MIRROR, else one built in `<installDir>/assets` with `fetch all --into`. */
  mirror?: string;
  /** Worker threads per student. Defaults to `defaultWorkersPerStudent(cores, students)`. */
  workersPerStudent?: string;
  /** Minutes before an idle kernel / server is stopped; 0 never. Defaults to 60. */
  idleMinutes?: number;
  /** Students' kernels run lessons in quick mode. Defaults to false. */
  quick?: boolean;
  /** Progress lines. Defaults to console.log. */
  log?: (line: string) => void;
}

/** What setup did, for its summary. */
export interface SetupResult {
  record: ClassroomRecord;
  accounts: AccountResult[];
  aptInstalled: string[];
  kernelDir: string;
  config: { file: string; outcome: 'written' | 'kept'; newFile?: string };
  passwordsFile: string;
}

function validatePort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65532) {
    throw new ClassroomError(`classroom setup: --port must be a whole number from 1 to 65532 (it and the next three are used), received ${JSON.stringify(port)}.`);
  }
  return port;
}

/** Sets up (or updates) the classroom. Must run as root. */
export async function setupClassroom(options: SetupOptions): Promise<SetupResult> {
  const log = options.log ?? console.log;
  if (process.getuid?.() !== 0) {
    throw new ClassroomError('classroom setup: must run as root (it installs packages and creates the students\' accounts). Run it with sudo.');
  }
  if ((options.roster === undefined) === (options.students === undefined)) {
    throw new ClassroomError('classroom setup: give exactly one of --roster FILE (one name per line) or --students N.');
  }
  const students = options.roster !== undefined
    ? parseRoster(readFileSync(options.roster, 'utf8'), options.roster)
    : numberedStudents(options.students!, options.studentPrefix ?? 'student');
  const teacher = options.teacher ?? (process.env.SUDO_USER && process.env.SUDO_USER !== 'root' ? process.env.SUDO_USER : 'teacher');
  if (students.includes(teacher)) throw new ClassroomError(`classroom setup: the teacher '${teacher}' is also in the student list. Pick another --teacher.`);
  const port = validatePort(options.port ?? 8000);
  const cores = availableParallelism();
  const paths = classroomPaths(options);
  const files = classroomFiles(paths);

  const aptInstalled = ensureHubPackages(log);
  const course = installCourse(paths, log);
  log(`Course installed in ${course.installDir} (${course.notebooks.length} student notebooks, ${course.seconds.toFixed(0)} s).`);
  const kernelDir = registerSystemKernel(paths);
  log(`tslab kernel registered for every user: ${kernelDir}`);

  let mirror = options.mirror ?? process.env.TRANSFER_LAB_MIRROR;
  if (mirror === undefined) {
    mirror = path.join(paths.installDir, 'assets');
    log(`No mirror given: building one in ${mirror} (transfer-lab fetch all --into) ...`);
    const fetched = await fetchAssets(['all'], { into: mirror });
    if (fetched.failed) throw new ClassroomError(`classroom setup: building the mirror failed:\n${fetched.lines.join('\n')}\nGive a complete mirror with --mirror DIR.`);
  }
  mirror = path.resolve(mirror);
  if (!existsSync(mirror) || !readableByAll(mirror)) {
    throw new ClassroomError(`classroom setup: the mirror ${mirror} ${existsSync(mirror) ? 'is not readable by other users (the students)' : 'does not exist'}. chmod it (a+rX) or give another --mirror.`);
  }

  mkdirSync(paths.configDir, { recursive: true, mode: 0o755 });
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const accounts = [teacher, ...students].map((name) => ensureStudentAccount(name));
  const created = accounts.filter((a) => a.created).map((a) => ({ name: a.name, password: a.password! }));
  writePasswordsFile(files.passwords, created);
  if (!existsSync(files.statusToken)) writeFileSync(files.statusToken, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });

  const previous = existsSync(files.record) ? (JSON.parse(readFileSync(files.record, 'utf8')) as ClassroomRecord) : undefined;
  const workersPerStudent = options.workersPerStudent !== undefined ? parseWorkersPerStudent(options.workersPerStudent, cores) : defaultWorkersPerStudent(cores, students.length);
  const record: ClassroomRecord = {
    version: 1,
    paths,
    bind: { ip: options.bind ?? '0.0.0.0', port },
    ports: { hub: port + 1, proxyApi: port + 2, board: port + 3 },
    teacher,
    students,
    workersPerStudent,
    workersSource: options.workersPerStudent !== undefined ? 'teacher' : 'default',
    mirror,
    quick: options.quick ?? false,
    idleMinutes: options.idleMinutes ?? 60,
    node: process.execPath,
    createdAt: new Date().toISOString(),
  };
  const config = writeHubConfig(record, previous?.configHash);
  record.configHash = config.hash;
  writeClassroomRecord(record);
  return { record, accounts, aptInstalled, kernelDir, config, passwordsFile: files.passwords };
}

/** Number of entries (feature sets) in a feature cache folder. */
export function countCacheEntries(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).length : 0;
}
