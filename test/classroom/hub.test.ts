import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hubUrls, pidAlive, readPid, stopPid, systemdUnitText } from '../../src/classroom/hub';
import { classroomPaths, type ClassroomRecord } from '../../src/classroom/paths';

test('hubUrls: the bind address, or every external IPv4 address for 0.0.0.0', () => {
  assert.deepEqual(hubUrls({ bind: { ip: '127.0.0.1', port: 18000 } }), ['http://127.0.0.1:18000/']);
  const all = hubUrls({ bind: { ip: '0.0.0.0', port: 8000 } });
  assert.ok(all.length >= 1);
  for (const url of all) assert.match(url, /^http:\/\/\d+\.\d+\.\d+\.\d+:8000\/$/);
});

test('the systemd unit runs jupyterhub with the classroom config from the state folder', () => {
  const record = { paths: classroomPaths({ configDir: '/etc/tl', stateDir: '/var/lib/tl' }) } as ClassroomRecord;
  const unit = systemdUnitText(record);
  assert.match(unit, /^ExecStart=\/usr\/bin\/jupyterhub -f \/etc\/tl\/jupyterhub_config\.py$/m);
  assert.match(unit, /^WorkingDirectory=\/var\/lib\/tl$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
});

test('stopPid ends a real process by its PID; readPid ignores a PID file of a process that is gone', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-hub-pid-'));
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal)));
  try {
    const file = path.join(dir, 'x.pid');
    writeFileSync(file, `${child.pid}\n`);
    assert.equal(readPid(file), child.pid);
    assert.equal(await stopPid(child.pid!, 5000), true);
    assert.equal(await exited, 'SIGTERM');
    assert.equal(pidAlive(child.pid!), false);
    assert.equal(readPid(file), undefined);
    assert.equal(readPid(path.join(dir, 'missing.pid')), undefined);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
