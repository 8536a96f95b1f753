/**
 * A real JupyterHub 3 (Debian's) on 127.0.0.1 for the board's tests: real system users (prefix
 * tlbrd, created with useradd and removed at the end), PAM login, Debian's configurable-http-proxy,
 * and the board as a hub-managed service configured by boardServiceConfig. Everything started is
 * tracked by PID and stopped by PID.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { boardServiceConfig } from '../../../src/classroom/board/service';

/** Why a real hub cannot run here, or null when it can. */
export function hubUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (useradd, PAM login, spawning servers as the students)';
  for (const exe of ['/usr/bin/jupyterhub', '/usr/bin/configurable-http-proxy', '/usr/sbin/useradd', '/usr/bin/jupyterhub-singleuser']) {
    if (!fs.existsSync(exe)) return `${exe} is missing (apt-get install jupyterhub node-configurable-http-proxy)`;
  }
  return null;
}

/** A system user the test created. */
export interface TestUser {
  name: string;
  password: string;
}

/** Creates system users with home folders and random passwords; removes leftovers of a killed run first. */
export function createUsers(names: string[]): TestUser[] {
  removeUsers(names);
  return names.map((name) => {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', name]);
    const password = randomBytes(12).toString('base64url');
    execFileSync('chpasswd', { input: `${name}:${password}\n` });
    return { name, password };
  });
}

/** Removes the users (and their home folders) that exist; returns the names removed. */
export function removeUsers(names: string[]): string[] {
  const removed: string[] = [];
  for (const name of names) {
    if (!userExists(name)) continue;
    execFileSync('userdel', ['--remove', name], { stdio: 'ignore' });
    removed.push(name);
  }
  return removed;
}

export function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True when a process with this PID exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Four consecutive free ports in 28000..28990 (hub, hub API, proxy API, board). */
export async function freePorts(): Promise<number[]> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const base = 28000 + 10 * Math.floor(Math.random() * 99);
    const ports = [base, base + 1, base + 2, base + 3];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return ports;
  }
  throw new Error('freePorts: no four free ports found in 28000..28990');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Settings of a test hub. */
export interface HubSettings {
  dir: string;
  /** Project root: holds dist/ and node_modules/ (the board's installDir). */
  installDir: string;
  dataDir: string;
  ports: number[];
  students: string[];
  teacher: string;
  /** Token of a test-only admin service that starts servers and reads PIDs. */
  adminToken: string;
}

/** Writes jupyterhub_config.py: PAM login, the board from boardServiceConfig, the admin test service. */
export function writeHubConfig(s: HubSettings): string {
  const [hubPort, hubApiPort, proxyApiPort, boardPort] = s.ports;
  const { services, roles } = boardServiceConfig({ installDir: s.installDir, dataDir: s.dataDir, port: boardPort });
  const allServices = [...services, { name: 'tlbrd-test-driver', api_token: s.adminToken, admin: true }];
  const py = (v: unknown): string => `json.loads(${JSON.stringify(JSON.stringify(v))})`;
  const config = `import json
c = get_config()  # noqa
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = ${hubPort}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${hubApiPort}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${proxyApiPort}'
c.ConfigurableHTTPProxy.command = ['/usr/bin/configurable-http-proxy']
c.ConfigurableHTTPProxy.pid_file = ${JSON.stringify(path.join(s.dir, 'proxy.pid'))}
c.JupyterHub.db_url = ${JSON.stringify(`sqlite:///${path.join(s.dir, 'jupyterhub.sqlite')}`)}
c.JupyterHub.cookie_secret_file = ${JSON.stringify(path.join(s.dir, 'cookie_secret'))}
c.JupyterHub.authenticator_class = 'pam'
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(${py(s.students)})
c.Authenticator.admin_users = {${JSON.stringify(s.teacher)}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.services = ${py(allServices)}
c.JupyterHub.load_roles = ${py(roles)}
`;
  const file = path.join(s.dir, 'jupyterhub_config.py');
  fs.writeFileSync(file, config);
  return file;
}

/** A running hub process and where it logs. */
export interface RunningHub {
  proc: ChildProcess;
  pid: number;
  log: string;
  url: string;
  apiUrl: string;
}

/** Starts `jupyterhub -f <config>` and waits until its REST API answers. */
export async function startHub(s: HubSettings, configFile: string): Promise<RunningHub> {
  const log = path.join(s.dir, 'hub.log');
  const out = fs.openSync(log, 'a');
  // Debian's configurable-http-proxy finds its modules only through NODE_PATH under this Node.
  const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
  const proc = spawn('/usr/bin/jupyterhub', ['-f', configFile], { cwd: s.dir, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const url = `http://127.0.0.1:${s.ports[0]}`;
  const apiUrl = `${url}/hub/api`;
  const hub: RunningHub = { proc, pid: proc.pid!, log, url, apiUrl };
  try {
    await waitFor('jupyterhub to answer with the board running', async () => {
      if (proc.exitCode !== null) throw new HubStartError(`jupyterhub exited with ${proc.exitCode}`);
      const res = await fetch(`${apiUrl}/services/results-board`, { headers: { Authorization: `token ${s.adminToken}` } });
      return res.ok && ((await res.json()) as { pid?: number }).pid ? true : undefined;
    }, 90_000);
    return hub;
  } catch (e) {
    // Never leave a half-started hub (or the proxy it started) behind.
    await stopHub(hub);
    const proxyPid = path.join(s.dir, 'proxy.pid');
    if (fs.existsSync(proxyPid)) await killLeftovers([Number(fs.readFileSync(proxyPid, 'utf8'))]);
    throw new Error(`${(e as Error).message}; hub log:\n${tail(log)}`);
  }
}

class HubStartError extends Error {}

/** SIGTERM the hub (it stops its proxy, services and servers), SIGKILL after 30 s. */
export async function stopHub(hub: RunningHub): Promise<void> {
  if (hub.proc.exitCode !== null || hub.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hub.proc.once('exit', () => resolve()));
  process.kill(hub.pid, 'SIGTERM');
  const timer = setTimeout(() => isAlive(hub.pid) && process.kill(hub.pid, 'SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** SIGTERM then SIGKILL every listed PID still alive (left by a hub that was killed). */
export async function killLeftovers(pids: number[]): Promise<number[]> {
  const alive = pids.filter(isAlive);
  for (const pid of alive) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive.some(isAlive) && Date.now() < deadline) await sleep(200);
  for (const pid of alive.filter(isAlive)) process.kill(pid, 'SIGKILL');
  return alive;
}

export function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `check` to return a value (not undefined), polling every `everyMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof HubStartError) throw e;
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A minimal cookie jar for following the hub's OAuth redirects by hand. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    // Node 20's fetch has Headers.getSetCookie(); TypeScript's DOM types of this version do not list it.
    const headers = res.headers as Headers & { getSetCookie(): string[] };
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a: string) => /^\s*max-age=0\s*$/i.test(a)) || value === '' || value === '""';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}
