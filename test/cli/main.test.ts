import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const MAIN = path.resolve(__dirname, '../../src/cli/main.ts');

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 120_000, env: process.env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('doctor --json reports every check with a level, including each asset', () => {
  const { code, stdout } = cli(['doctor', '--json']);
  const rows = JSON.parse(stdout.trim().split('\n').pop()!) as { check: string; level: string; detail: string }[];
  const checks = rows.map((r) => r.check);
  for (const name of ['node', 'tslab', 'zeromq (tslab transport)', 'jupyter', 'backend', 'cache folder', 'mirror folder', 'asset hymenoptera_data']) {
    assert.ok(checks.includes(name), `missing check ${name}`);
  }
  assert.ok(rows.every((r) => ['ok', 'warn', 'fail', 'optional'].includes(r.level)));
  assert.equal(rows.find((r) => r.check === 'asset hymenoptera_data')?.level, 'ok');
  assert.equal(code, rows.some((r) => r.level === 'fail') ? 1 : 0, 'exit code follows the blockers');
});

test('unknown commands and missing arguments say what to do', () => {
  const unknown = cli(['bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'bogus'/);
  const train = cli(['train', '--json']);
  assert.equal(train.code, 1);
  assert.match(train.stderr, /transfer-lab train: --data DIR is required/);
  const bad = cli(['train', '--data', '/tmp', '--epochs', 'many']);
  assert.match(bad.stderr, /--epochs must be a positive whole number, received 'many'/);
  assert.match(cli(['train', '--data', '/tmp', '--seed', '1.5']).stderr, /--seed must be a whole number >= 0, received '1.5'/);
  assert.match(cli(['train', '--data', '/tmp', '--workers', 'two']).stderr, /--workers must be a whole number of worker threads >= 0, received 'two'/);
});
