import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hubConfigText, studentEnvironment, toPython, writeHubConfig } from '../../src/classroom/hub_config';
import { classroomFiles, classroomPaths, type ClassroomRecord } from '../../src/classroom/paths';

function record(base: string, overrides: Partial<ClassroomRecord> = {}): ClassroomRecord {
  return {
    version: 1,
    paths: classroomPaths({ installDir: `${base}/opt`, configDir: `${base}/etc`, stateDir: `${base}/var`, kernelPrefix: `${base}/k` }),
    bind: { ip: '127.0.0.1', port: 18100 },
    ports: { hub: 18101, proxyApi: 18102, board: 18103 },
    teacher: 'tlteach',
    students: ['s01', 's02'],
    workersPerStudent: 1,
    workersSource: 'default',
    mirror: '/srv/assets',
    quick: false,
    idleMinutes: 45,
    node: '/usr/bin/node',
    createdAt: '2026-12-03T10:00:00.000Z',
    ...overrides,
  };
}

test('toPython writes Python literals (None/True/False, dicts, lists, escaped strings)', () => {
  assert.equal(toPython(null), 'None');
  assert.equal(toPython([true, false, 3]), '[\n    True,\n    False,\n    3,\n]');
  assert.equal(toPython({ a: 'x"y' }), '{\n    "a": "x\\"y",\n}');
  assert.equal(toPython({}), '{}');
});

test('every student server gets the shared mirror, shared cache, subsets, worker share and kernel path; quick only when asked', () => {
  const r = record('/b');
  assert.deepEqual(studentEnvironment(r), {
    TRANSFER_LAB_MIRROR: '/srv/assets',
    TRANSFER_LAB_SHARED_CACHE: '/b/opt/shared-cache',
    TRANSFER_LAB_SHARED_SUBSETS: '/b/opt/shared-cache/subsets',
    TRANSFER_LAB_WORKERS: '1',
    JUPYTER_PATH: '/b/k/share/jupyter',
  });
  assert.equal(studentEnvironment(record('/b', { quick: true })).TRANSFER_LAB_QUICK, '1');
});

test("JupyterHub's own config loader reads the written file: PAM, the teacher as admin, the students, the spawner, culling", () => {
  const base = mkdtempSync(path.join(tmpdir(), 'test-hubconfig-'));
  try {
    const r = record(base);
    const files = classroomFiles(r.paths);
    mkdirSync(r.paths.configDir, { recursive: true });
    writeFileSync(files.statusToken, 'abc123\n');
    writeHubConfig(r);
    // Load it the way `jupyterhub -f` does (traitlets' PyFileConfigLoader), and print what it set.
    const script = `
import json, sys
from traitlets.config.loader import PyFileConfigLoader
cfg = PyFileConfigLoader(sys.argv[1]).load_config()
env = dict(cfg.Spawner.environment)
print(json.dumps({
  "bind_url": cfg.JupyterHub.bind_url, "hub_port": cfg.JupyterHub.hub_port,
  "auth": cfg.JupyterHub.authenticator_class, "spawner": cfg.JupyterHub.spawner_class,
  "admins": sorted(cfg.Authenticator.admin_users), "allowed": sorted(cfg.Authenticator.allowed_users),
  "open_sessions": cfg.PAMAuthenticator.open_sessions, "admin_access": cfg.JupyterHub.admin_access,
  "workers": env["TRANSFER_LAB_WORKERS"], "tmpdir_callable": callable(env["TMPDIR"]),
  "hook": cfg.Spawner.pre_spawn_hook.__name__, "args": list(cfg.Spawner.args),
  "services": cfg.JupyterHub.services, "roles": [r["name"] for r in cfg.JupyterHub.load_roles],
}))`;
    const out = spawnSync('/usr/bin/python3', ['-c', script, files.hubConfig], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const cfg = JSON.parse(out.stdout);
    assert.equal(cfg.bind_url, 'http://127.0.0.1:18100');
    assert.equal(cfg.hub_port, 18101);
    assert.equal(cfg.auth, 'jupyterhub.auth.PAMAuthenticator');
    assert.equal(cfg.spawner, 'jupyterhub.spawner.LocalProcessSpawner');
    assert.deepEqual(cfg.admins, ['tlteach']);
    assert.deepEqual(cfg.allowed, ['s01', 's02', 'tlteach']);
    assert.equal(cfg.open_sessions, false);
    assert.equal(cfg.admin_access, false);
    assert.equal(cfg.workers, '1');
    assert.equal(cfg.tmpdir_callable, true);
    assert.equal(cfg.hook, 'prepare_student_home');
    assert.ok(cfg.args.includes('--MappingKernelManager.cull_idle_timeout=2700'));
    assert.deepEqual(cfg.services.at(-1), { name: 'classroom-status', api_token: 'abc123' });
    assert.ok(cfg.roles.includes('classroom-status'));
    // The results board: hub-managed, run by the classroom's node from the installed course.
    const board = cfg.services.find((s: { name: string }) => s.name === 'results-board');
    assert.deepEqual(board.command, ['/usr/bin/node', `${base}/opt/dist/classroom/board/main.js`, '--data', `${base}/var/board`, '--port', '18103']);
    assert.equal(board.url, 'http://127.0.0.1:18103');
    assert.ok(cfg.roles.includes('user') && cfg.roles.includes('server'));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('writeHubConfig keeps a config the teacher changed and writes the new one beside it', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'test-hubconfig-'));
  try {
    const r = record(base);
    mkdirSync(r.paths.configDir, { recursive: true });
    const first = writeHubConfig(r);
    assert.equal(first.outcome, 'written');
    // Setup again, unchanged file: rewritten (e.g. with a new worker share).
    const second = writeHubConfig(record(base, { workersPerStudent: 2 }), first.hash);
    assert.equal(second.outcome, 'written');
    assert.match(readFileSync(first.file, 'utf8'), /"TRANSFER_LAB_WORKERS": "2"/);
    // The teacher edits it: the next setup keeps it.
    writeFileSync(first.file, `${readFileSync(first.file, 'utf8')}\nc.Spawner.mem_limit = "2G"\n`);
    const third = writeHubConfig(record(base, { workersPerStudent: 1 }), second.hash);
    assert.equal(third.outcome, 'kept');
    assert.match(readFileSync(first.file, 'utf8'), /mem_limit/);
    assert.match(readFileSync(third.newFile!, 'utf8'), /"TRANSFER_LAB_WORKERS": "1"/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('no idle culling arguments when idleMinutes is 0', () => {
  assert.match(hubConfigText(record('/b', { idleMinutes: 0 })), /^c\.Spawner\.args = \[\]$/m);
});
