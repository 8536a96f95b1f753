/**
 * Runs the classroom's JupyterHub: in the foreground, as a background process with a PID file, or
 * as a systemd unit where systemd is PID 1. Stops it by its PID (the hub then stops every
 * student's server and the proxy), and answers whether it is up.
 * @see README.md "Classroom server"
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ClassroomError } from '../errors';
import { classroomFiles, type ClassroomRecord } from './paths';

/** The systemd unit name `start` installs where systemd runs. */
export const SYSTEMD_UNIT = 'transfer-lab-classroom.service';

/** True when this machine runs systemd as PID 1 (containers usually do not). */
export function systemdIsInit(): boolean {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim() === 'systemd';
  } catch {
    return false;
  }
}

/** Whether a process with this PID exists (signal 0 probes without sending anything). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The PID in a PID file, or undefined when the file is missing or names no running process. */
export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
}

/**
 * The URLs students open: the bind address, or for 0.0.0.0 one per non-internal IPv4 address of
 * this machine (the one the room's network reaches goes on the projector).
 */
export function hubUrls(record: Pick<ClassroomRecord, 'bind'>): string[] {
  const { ip, port } = record.bind;
  if (ip !== '0.0.0.0' && ip !== '') return [`http://${ip}:${port}/`];
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a): a is NonNullable<typeof a> => a != null && a.family === 'IPv4' && !a.internal)
    .map((a) => `http://${a.address}:${port}/`);
  return addresses.length > 0 ? addresses : [`http://127.0.0.1:${port}/`];
}

/** The unit file for systemd: the hub as a service that starts at boot and restarts on failure. */
export function systemdUnitText(record: ClassroomRecord, jupyterhub = '/usr/bin/jupyterhub'): string {
  const files = classroomFiles(record.paths);
  return `[Unit]
Description=transfer-lab classroom (JupyterHub)
After=network.target

[Service]
Type=simple
WorkingDirectory=${record.paths.stateDir}
ExecStart=${jupyterhub} -f ${files.hubConfig}
Restart=on-failure
KillMode=mixed
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
`;
}

/** Answers GET /hub/api (JupyterHub's version) within `timeoutMs`; undefined when nothing answers. */
export async function hubVersion(record: Pick<ClassroomRecord, 'bind'>, timeoutMs = 2000): Promise<string | undefined> {
  const ip = record.bind.ip === '0.0.0.0' ? '127.0.0.1' : record.bind.ip;
  try {
    const res = await fetch(`http://${ip}:${record.bind.port}/hub/api`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return ((await res.json()) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 250): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

/** How the hub was started. */
export interface HubStart {
  mode: 'background' | 'systemd' | 'foreground';
  pid?: number;
  urls: string[];
  version?: string;
  log: string;
}

/**
 * Starts the hub. Background (the default without systemd): detached, output to the log in the
 * state folder, PID in jupyterhub.pid; resolves once GET /hub/api answers. Foreground: runs in
 * this terminal until Ctrl-C. Systemd (where it is PID 1, unless `background` is forced): installs
 * and starts the unit.
 * @throws ClassroomError when the hub already runs, or does not answer within `timeoutMs` (with the log's tail).
 */
export async function startHub(record: ClassroomRecord, options: { foreground?: boolean; background?: boolean; timeoutMs?: number } = {}): Promise<HubStart> {
  const files = classroomFiles(record.paths);
  const running = readPid(files.hubPid);
  if (running !== undefined) {
    throw new ClassroomError(`classroom start: the hub already runs (PID ${running}, ${files.hubPid}). Stop it with \`transfer-lab classroom stop\` first.`);
  }
  mkdirSync(record.paths.stateDir, { recursive: true, mode: 0o700 });
  const urls = hubUrls(record);
  const args = ['-f', files.hubConfig];
  if (options.foreground) {
    const child = spawn('jupyterhub', args, { cwd: record.paths.stateDir, stdio: 'inherit' });
    writeFileSync(files.hubPid, `${child.pid}\n`);
    console.log(`Classroom hub (PID ${child.pid}) in the foreground; students open ${urls.join(' or ')}. Ctrl-C stops it.`);
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    await new Promise<void>((resolve) => child.on('exit', () => resolve()));
    rmSync(files.hubPid, { force: true });
    return { mode: 'foreground', pid: child.pid, urls, log: 'terminal' };
  }
  if (systemdIsInit() && !options.background) {
    writeFileSync(`/etc/systemd/system/${SYSTEMD_UNIT}`, systemdUnitText(record));
    for (const cmd of [['daemon-reload'], ['enable', '--now', SYSTEMD_UNIT]]) {
      const r = spawnSync('systemctl', cmd, { encoding: 'utf8' });
      if (r.status !== 0) throw new ClassroomError(`classroom start: systemctl ${cmd.join(' ')} failed: ${r.stderr}`);
    }
    const version = (await waitFor(async () => (await hubVersion(record)) !== undefined, options.timeoutMs ?? 60_000)) ? await hubVersion(record) : undefined;
    return { mode: 'systemd', urls, version, log: `journalctl -u ${SYSTEMD_UNIT}` };
  }
  const out = openSync(files.hubLog, 'a');
  const child = spawn('jupyterhub', args, { cwd: record.paths.stateDir, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new ClassroomError('classroom start: jupyterhub did not start (is it installed? run `transfer-lab classroom setup`).');
  writeFileSync(files.hubPid, `${child.pid}\n`);
  const up = await waitFor(async () => !pidAlive(child.pid!) || (await hubVersion(record)) !== undefined, options.timeoutMs ?? 60_000);
  const version = await hubVersion(record);
  if (!up || version === undefined) {
    const tail = existsSync(files.hubLog) ? readFileSync(files.hubLog, 'utf8').split('\n').slice(-25).join('\n') : '';
    if (pidAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
    rmSync(files.hubPid, { force: true });
    throw new ClassroomError(`classroom start: the hub did not answer on ${urls[0]} (log ${files.hubLog}):\n${tail}`);
  }
  return { mode: 'background', pid: child.pid, urls, version, log: files.hubLog };
}

/** What {@link stopHub} stopped. */
export interface HubStop {
  hubPid?: number;
  proxyPid?: number;
  /** 'stopped', 'killed' (did not end within the grace time), or 'not running'. */
  outcome: 'stopped' | 'killed' | 'not running';
}

/** Sends SIGTERM to a PID, then SIGKILL after `graceMs`; true when it ended on SIGTERM. */
export async function stopPid(pid: number, graceMs = 30_000): Promise<boolean> {
  if (!pidAlive(pid)) return true;
  process.kill(pid, 'SIGTERM');
  if (await waitFor(() => !pidAlive(pid), graceMs)) return true;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !pidAlive(pid), 5000);
  return false;
}

/**
 * Stops the hub by the PID in its PID file (it stops the students' servers and the proxy on the
 * way out), then the proxy by its own PID file if it outlived the hub. Where the systemd unit is
 * installed and active, stops the unit instead.
 */
export async function stopHub(record: ClassroomRecord): Promise<HubStop> {
  const files = classroomFiles(record.paths);
  if (systemdIsInit() && existsSync(`/etc/systemd/system/${SYSTEMD_UNIT}`) && readPid(files.hubPid) === undefined) {
    const r = spawnSync('systemctl', ['stop', SYSTEMD_UNIT], { encoding: 'utf8' });
    if (r.status !== 0) throw new ClassroomError(`classroom stop: systemctl stop ${SYSTEMD_UNIT} failed: ${r.stderr}`);
    return { outcome: 'stopped' };
  }
  const hubPid = readPid(files.hubPid);
  const proxyBefore = readPid(files.proxyPid);
  let outcome: HubStop['outcome'] = 'not running';
  if (hubPid !== undefined) outcome = (await stopPid(hubPid)) ? 'stopped' : 'killed';
  const proxyPid = readPid(files.proxyPid) ?? proxyBefore;
  if (proxyPid !== undefined && pidAlive(proxyPid)) await stopPid(proxyPid, 5000);
  rmSync(files.hubPid, { force: true });
  rmSync(files.proxyPid, { force: true });
  return { hubPid, proxyPid, outcome };
}
