/**
 * Writes the hub's jupyterhub_config.py: a plain, commented Python file the teacher can read and
 * change. PAM login (the students' Linux passwords), one Jupyter server per student run as that
 * student (LocalProcessSpawner), the teacher as admin, the results board as a hub-managed
 * service, and the classroom environment every student's kernel inherits (shared mirror, shared
 * feature cache, worker share).
 * @see README.md "Classroom server"
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { boardServiceConfig } from './board/service';
import { classroomFiles, type ClassroomRecord } from './paths';

/** The hub-side service `classroom status` uses to list users and servers (read-only scopes). */
export const STATUS_SERVICE = 'classroom-status';

/** A JSON-like value as a Python literal (str, int, float, bool, None, list, dict). */
export function toPython(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  // A JSON string is a valid Python string literal (same escapes).
  if (typeof value === 'string') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${toPython(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${toPython(v, inner)},`).join('\n')}\n${indent}}`;
}

/** The environment every student's server (and so every kernel) gets, besides TMPDIR. */
export function studentEnvironment(record: ClassroomRecord): Record<string, string> {
  const files = classroomFiles(record.paths);
  const env: Record<string, string> = {
    TRANSFER_LAB_MIRROR: record.mirror,
    TRANSFER_LAB_SHARED_CACHE: files.sharedCache,
    TRANSFER_LAB_SHARED_SUBSETS: files.sharedSubsets,
    TRANSFER_LAB_WORKERS: String(record.workersPerStudent),
    // Where the system-wide tslab kernelspec is (a no-op for /usr/local, needed for another prefix).
    JUPYTER_PATH: path.join(record.paths.kernelPrefix, 'share', 'jupyter'),
  };
  if (record.quick) env.TRANSFER_LAB_QUICK = '1';
  return env;
}

/** The text of jupyterhub_config.py for a classroom. */
export function hubConfigText(record: ClassroomRecord): string {
  const { paths } = record;
  const files = classroomFiles(paths);
  const board = boardServiceConfig({ installDir: paths.installDir, dataDir: files.boardData, port: record.ports.board, nodeCommand: record.node });
  const cli = path.join(paths.installDir, 'dist', 'cli', 'main.js');
  const idle = record.idleMinutes * 60;
  const singleUserArgs = idle > 0
    ? [
      `--MappingKernelManager.cull_idle_timeout=${idle}`,
      '--MappingKernelManager.cull_interval=300',
      `--NotebookApp.shutdown_no_activity_timeout=${idle}`,
      `--ServerApp.shutdown_no_activity_timeout=${idle}`,
    ]
    : [];
  const statusRole = { name: STATUS_SERVICE, description: 'transfer-lab classroom status: list users and servers', scopes: ['list:users', 'read:users', 'read:servers'], services: [STATUS_SERVICE] };
  return `# jupyterhub_config.py of the transfer-lab classroom server.
# Written by \`transfer-lab classroom setup\` on ${record.createdAt}. Change what you like: setup
# never overwrites a file you changed (it writes jupyterhub_config.py.new beside it instead).
# Start and stop the hub with \`transfer-lab classroom start\` / \`stop\`; see \`classroom status\`.
import os
import pwd
import subprocess

c = get_config()  # noqa: F821 (provided by JupyterHub)

# --- Where students connect. The URL on the projector: http://<this machine>:${record.bind.port}/
c.JupyterHub.bind_url = ${toPython(`http://${record.bind.ip}:${record.bind.port}`)}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = ${record.ports.hub}
c.ConfigurableHTTPProxy.api_url = ${toPython(`http://127.0.0.1:${record.ports.proxyApi}`)}
c.ConfigurableHTTPProxy.pid_file = ${toPython(files.proxyPid)}
# Debian's configurable-http-proxy loads its libraries from /usr/share/nodejs, which a Node.js not
# built by Debian (e.g. NodeSource's) does not search: the proxy inherits this from the hub.
if os.path.isdir("/usr/share/nodejs"):
    os.environ["NODE_PATH"] = os.pathsep.join(p for p in ["/usr/share/nodejs", os.environ.get("NODE_PATH")] if p)
c.JupyterHub.db_url = ${toPython(`sqlite:///${path.join(paths.stateDir, 'jupyterhub.sqlite')}`)}
c.JupyterHub.cookie_secret_file = ${toPython(path.join(paths.stateDir, 'jupyterhub_cookie_secret'))}
# Stop every student's server and the proxy when the hub stops.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- Who may log in: the students and the teacher, with their Linux passwords (PAM).
# The passwords setup generated are in ${files.passwords} (root only).
c.JupyterHub.authenticator_class = "jupyterhub.auth.PAMAuthenticator"
c.Authenticator.allowed_users = set(${toPython([record.teacher, ...record.students])})
c.Authenticator.admin_users = {${toPython(record.teacher)}}
# No PAM session per login: containers and many servers have no working session stack, and the
# students' servers need none.
c.PAMAuthenticator.open_sessions = False
# An admin (the teacher) may not open students' servers: their work stays theirs.
c.JupyterHub.admin_access = False

# --- Each student's Jupyter server, run as the student's own Linux user.
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.notebook_dir = "~/transfer-lab"
c.Spawner.default_url = "/tree/notebooks"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# The classroom settings every kernel inherits: the shared read-only asset mirror, the shared
# feature cache the teacher's \`classroom warm\` filled (read first; each student writes only
# their own ~/.cache/transfer-lab), and the worker threads per student
# (${record.workersPerStudent}, ${record.workersSource === 'teacher' ? 'set by the teacher' : 'cores / students'}).
c.Spawner.environment = ${toPython(studentEnvironment(record))}
# A private temporary folder per student (the lessons copy small datasets there).
c.Spawner.environment["TMPDIR"] = lambda spawner: os.path.join(pwd.getpwnam(spawner.user.name).pw_dir, "transfer-lab", "tmp")
# Idle culling. Debian has no jupyterhub-idle-culler package, so each server culls itself: a
# kernel idle for ${record.idleMinutes} min is shut down, and so is a server with no activity for as long
# (0 = never; set with \`classroom setup --idle-minutes\`).
c.Spawner.args = ${toPython(singleUserArgs)}

NODE = ${toPython(record.node)}
INSTALL_DIR = ${toPython(paths.installDir)}


def prepare_student_home(spawner):
    """First login: the student's own copy of the notebooks in ~/transfer-lab, linked to the
    shared course (later logins keep their work). Runs as the student, never as root."""
    user = pwd.getpwnam(spawner.user.name)
    done = subprocess.run(
        [NODE, ${toPython(cli)}, "classroom", "prepare-home", "--install-dir", INSTALL_DIR],
        user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd=user.pw_dir, umask=0o077,
        env={"HOME": user.pw_dir, "USER": user.pw_name, "PATH": "/usr/local/bin:/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"transfer-lab could not prepare ~/transfer-lab for {user.pw_name}: {done.stderr or done.stdout}")
    spawner.log.info("transfer-lab workspace for %s: %s", user.pw_name, done.stdout.strip())


c.Spawner.pre_spawn_hook = prepare_student_home

# --- Services: the class results board (started and stopped by the hub, at /services/results-board/)
# and the read-only status service of \`transfer-lab classroom status\`.
with open(${toPython(files.statusToken)}) as token_file:
    STATUS_TOKEN = token_file.read().strip()
c.JupyterHub.services = ${toPython(board.services)} + [{"name": ${toPython(STATUS_SERVICE)}, "api_token": STATUS_TOKEN}]
c.JupyterHub.load_roles = ${toPython(board.roles)} + [${toPython(statusRole)}]
`;
}

/** What {@link writeHubConfig} did. */
export interface HubConfigWrite {
  file: string;
  /** 'written' (new or unchanged since setup wrote it) or 'kept' (the teacher changed it: the new text went to `.new`). */
  outcome: 'written' | 'kept';
  newFile?: string;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Writes jupyterhub_config.py (0644: the teacher reads and edits it as root; it holds no secret).
 * A file the teacher changed since the last setup (its hash differs from `lastHash`) is kept, and
 * the new text goes to jupyterhub_config.py.new.
 */
export function writeHubConfig(record: ClassroomRecord, lastHash?: string): HubConfigWrite & { hash: string } {
  const file = classroomFiles(record.paths).hubConfig;
  const text = hubConfigText(record);
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (lastHash !== undefined && sha(current) !== lastHash && current !== text) {
      writeFileSync(`${file}.new`, text, { mode: 0o644 });
      return { file, outcome: 'kept', newFile: `${file}.new`, hash: lastHash };
    }
  }
  writeFileSync(file, text, { mode: 0o644 });
  return { file, outcome: 'written', hash: sha(text) };
}
