import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, cliEnv, hasNoStack, MIRROR, smallAntsBees } from './helpers';

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

test('every command has --help: its usage on stdout, exit 0', () => {
  for (const command of ['doctor', 'fetch', 'models', 'train', 'evaluate']) {
    const r = cli([command, '--help']);
    assert.equal(r.code, 0, `${command} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: transfer-lab ${command}`), command);
    assert.match(r.stdout, /--debug/, `${command}: the common options are listed`);
    assert.equal(r.stderr, '');
  }
  assert.match(cli(['train', '-h']).stdout, /--resume/);
  assert.match(cli(['help', 'train']).stdout, /--ignore-extra-classes/);
  const top = cli(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /^Usage: transfer-lab <command>/);
});

test('a user mistake prints one line naming it plus the command usage, exit 2, no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--bogus'], /^transfer-lab train: Unknown option '--bogus'/],
    [['train', '--resume', '--bogus'], /^transfer-lab train: Unknown option '--bogus'/],
    [['train', '--data', '/tmp', '--epochs', '-1'], /^transfer-lab train: Option '--epochs' argument is ambiguous\. .*'--epochs=-XYZ'/],
    [['train', '--data'], /^transfer-lab train: Option '--data <value>' argument missing/],
    [['train', '--data', '/tmp', '--epochs=-1'], /^transfer-lab train: --epochs must be a positive whole number, received '-1'\./],
    [['train', '--data', '/tmp', '--epochs', 'many'], /^transfer-lab train: --epochs must be a positive whole number, received 'many'/],
    [['train', '--data', '/tmp', '--seed', '1.5'], /^transfer-lab train: --seed must be a whole number >= 0, received '1\.5'/],
    [['train', '--data', '/tmp', '--workers', 'two'], /^transfer-lab train: --workers must be a whole number of worker threads >= 0, received 'two'/],
    [['train', '--data', '/tmp', '--strategy', 'fast'], /^transfer-lab train: --strategy must be featureExtraction or fineTune, received 'fast'/],
    [['train', '--json'], /^transfer-lab train: --data DIR is required/],
    [['train', '--data', '/no/such/folder'], /^transfer-lab train: --data folder '\/no\/such\/folder' does not exist/],
    [['evaluate', '--model-dir'], /^transfer-lab evaluate: Option '--model-dir <value>' argument missing/],
    [['evaluate', '--data', '/tmp'], /^transfer-lab evaluate: --model-dir DIR .* are required/],
    [['doctor', '--ful'], /^transfer-lab doctor: Unknown option '--ful'/],
    [['models', 'extra'], /^transfer-lab models: Unexpected argument 'extra'/],
    [['fetch'], /^transfer-lab fetch: name an asset or 'all'/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit code (stderr: ${r.stderr})`);
    assert.match(r.stderr, message, args.join(' '));
    const [first, blank, usage] = r.stderr.split('\n');
    assert.ok(first.length > 0 && blank === '', `${args.join(' ')}: one line, then the usage:\n${r.stderr}`);
    assert.match(usage, new RegExp(`^Usage: transfer-lab ${args[0]}`), args.join(' '));
    assert.ok(hasNoStack(r.stderr), `${args.join(' ')}: no stack trace:\n${r.stderr}`);
  }
  const unknown = cli(['bogus']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^transfer-lab: unknown command 'bogus'; the commands are doctor, fetch, models, train, evaluate/);
});

test('--debug or DEBUG=1 adds the stack trace', () => {
  const withFlag = cli(['train', '--bogus', '--debug']);
  assert.equal(withFlag.code, 2);
  assert.ok(!hasNoStack(withFlag.stderr), withFlag.stderr);
  const withEnv = cli(['train', '--bogus'], cliEnv({ DEBUG: '1' }));
  assert.ok(!hasNoStack(withEnv.stderr), withEnv.stderr);
});

test('the output folder is checked before any training: /proc, /sys and FILE/sub fail at once, naming the folder', async () => {
  const root = await smallAntsBees(2, 'tl-cli-out-');
  const file = path.join(root, 'a-file');
  await fs.writeFile(file, 'not a folder');
  const args = (out: string) => ['train', '--data', path.join(root, 'train'), '--val', path.join(root, 'val'), '--model', 'mobilenet_v1_0.25', '--out', out];
  const cases: [string, RegExp][] = [
    // Node's mkdir({recursive}) never returns under /proc: this case used to train fully, then hang.
    ['/proc/x', /^transfer-lab train: cannot create output folder '\/proc\/x' \(ENOENT: .*\); choose another --out folder/],
    ['/sys/x', /^transfer-lab train: cannot create output folder '\/sys\/x' \(EPERM: .*\); choose another --out folder/],
    [path.join(file, 'sub'), /^transfer-lab train: cannot use output folder '.*a-file\/sub': '.*a-file' is a file, not a folder; choose another --out folder/],
  ];
  for (const [out, message] of cases) {
    const started = Date.now();
    const r = cli(args(out), cliEnv(), 60_000);
    assert.equal(r.signal, null, `${out}: finished without being killed by the timeout`);
    assert.equal(r.code, 1, `${out}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(hasNoStack(r.stderr), r.stderr);
    assert.doesNotMatch(r.stdout, /Found \d+ images|Epoch 1/, `${out}: nothing was trained`);
    assert.ok(Date.now() - started < 60_000);
  }
  if (process.getuid?.() !== 0) {
    const readOnly = path.join(root, 'read-only');
    await fs.mkdir(readOnly, { mode: 0o555 });
    const r = cli(args(path.join(readOnly, 'run')));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot create output folder .*read-only\/run' \(EACCES/);
  }
  await fs.rm(root, { recursive: true, force: true });
});

test('a --val class the training folder lacks is an error naming it', async () => {
  const root = await smallAntsBees(2, 'tl-cli-wasps-');
  await fs.mkdir(path.join(root, 'val', 'wasps'));
  await fs.copyFile(path.join(root, 'val', 'bees', (await fs.readdir(path.join(root, 'val', 'bees')))[0]), path.join(root, 'val', 'wasps', 'w.jpg'));
  const r = cli(['train', '--data', path.join(root, 'train'), '--val', path.join(root, 'val'), '--model', 'mobilenet_v1_0.25', '--out', path.join(root, 'run')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^transfer-lab train: trainClassifier: validation folder '.*\/val' has class folder 'wasps' that the training folder '.*\/train' lacks \(its classes: ants, bees\).*--ignore-extra-classes/);
  assert.ok(hasNoStack(r.stderr));
  assert.doesNotMatch(r.stdout, /Epoch 1/);
  await fs.rm(root, { recursive: true, force: true });
  void os.tmpdir;
});

test('train --mirror DIR takes the base model from DIR (a damaged copy there is refused, naming the file)', async () => {
  const root = await smallAntsBees(2, 'tl-cli-mirror-');
  // A mirror of links to the real one, except a copy of the 0.25 model with one flipped bit.
  const mirror = path.join(root, 'mirror');
  await fs.mkdir(path.join(mirror, 'models'), { recursive: true });
  await fs.symlink(path.join(MIRROR, 'datasets'), path.join(mirror, 'datasets'));
  const model = 'mobilenet_v1_0.25_224';
  await fs.cp(path.join(MIRROR, 'models', model), path.join(mirror, 'models', model), { recursive: true });
  const shard = path.join(mirror, 'models', model, 'group29-shard1of1');
  await fs.chmod(shard, 0o644);
  const bytes = await fs.readFile(shard);
  bytes[12_345] ^= 1;
  await fs.writeFile(shard, bytes);
  // The environment names the good mirror: the flag must win over it.
  const r = cli(['train', '--mirror', mirror, '--data', path.join(root, 'train'), '--val', path.join(root, 'val'), '--model', 'mobilenet_v1_0.25', '--epochs', '1', '--augment', '0', '--out', path.join(root, 'run')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`resolveAsset\\('${model}'\\): ${shard.replace(/[.]/g, '\\.')} is damaged: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}`));
  assert.ok(hasNoStack(r.stderr));
  await fs.rm(root, { recursive: true, force: true });
});
