import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cli, cliEnv, hasNoStack, smallAntsBees, startCli } from './helpers';

const SMALL = ['--model', 'mobilenet_v1_0.25', '--augment', '0', '--workers', '0', '--seed', '3'];

test('train names each skipped file (text, --json and metrics.json), prints "Found" once per folder, and can ignore an extra --val class', async () => {
  const root = await smallAntsBees(6, 'tl-cli-skip-');
  const cache = path.join(root, 'cache');
  await fs.writeFile(path.join(root, 'train', 'ants', 'empty.jpg'), '');
  const photo = await fs.readFile(path.join(root, 'train', 'bees', (await fs.readdir(path.join(root, 'train', 'bees')))[0]));
  await fs.writeFile(path.join(root, 'train', 'bees', 'cut.jpg'), photo.subarray(0, 2000));
  await fs.mkdir(path.join(root, 'val', 'wasps'));
  await fs.writeFile(path.join(root, 'val', 'wasps', 'w.jpg'), photo);
  const args = ['train', '--data', path.join(root, 'train'), '--val', path.join(root, 'val'), ...SMALL, '--epochs', '2', '--ignore-extra-classes'];
  const text = cli([...args, '--out', path.join(root, 'run-text')], cliEnv({ TRANSFER_LAB_CACHE: cache }));
  assert.equal(text.code, 0, text.stderr);
  // One line for the training folder (it used to be printed twice), one for the validation folder.
  assert.deepEqual(text.stdout.match(/^Found \d+ images belonging to 2 classes\..*$/gm), [
    'Found 12 images belonging to 2 classes. (skipped 2 files that cannot be decoded: see .skipped)',
    'Found 12 images belonging to 2 classes.',
  ]);
  assert.match(text.stdout, /Skipped 2 image files that cannot be decoded:\n {2}.*train\/ants\/empty\.jpg: zero bytes \(.*\)\n {2}.*train\/bees\/cut\.jpg: truncated/);
  assert.match(text.stdout, /Left out of validation \(not among the training classes\): wasps/);
  const metrics = JSON.parse(await fs.readFile(path.join(root, 'run-text', 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics.skipped.map((s: { path: string; reason: string }) => [path.basename(s.path), s.reason]), [['empty.jpg', 'zero bytes'], ['cut.jpg', 'truncated']]);
  assert.deepEqual(metrics.ignoredValClasses, ['wasps']);
  assert.equal(existsSync(path.join(root, 'run-text', 'checkpoints')), false, 'checkpoints removed after a saved run');

  const json = cli([...args, '--json', '--out', path.join(root, 'run-json')], cliEnv({ TRANSFER_LAB_CACHE: cache }));
  assert.equal(json.code, 0, json.stderr);
  const line = JSON.parse(json.stdout.trim().split('\n').pop()!);
  assert.deepEqual(line.skipped.map((s: { path: string; reason: string }) => s.reason), ['zero bytes', 'truncated']);
  assert.ok(line.skipped.every((s: { path: string }) => path.isAbsolute(s.path) && existsSync(s.path)));
  assert.equal(line.kept, 'featureExtraction');
  await fs.rm(root, { recursive: true, force: true });
});

test('if saving fails after training, the model goes to a temporary folder named in the error', async () => {
  const root = await smallAntsBees(4, 'tl-cli-rescue-');
  const out = path.join(root, 'run');
  await fs.mkdir(out);
  // A file where the run's model/ folder goes: the folder check passes, saving the model fails.
  await fs.writeFile(path.join(out, 'model'), 'in the way');
  const r = cli(['train', '--data', path.join(root, 'train'), '--val', path.join(root, 'val'), ...SMALL, '--epochs', '2', '--out', out], cliEnv({ TRANSFER_LAB_CACHE: path.join(root, 'cache') }));
  assert.equal(r.code, 1);
  assert.ok(hasNoStack(r.stderr), r.stderr);
  const m = /could not save the run into '.*\/run' \(.*is a file, not a folder.*\); the trained model and its metrics were saved to '([^']+)' instead/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.ok(existsSync(path.join(m[1], 'model', 'model.json')));
  assert.ok(existsSync(path.join(m[1], 'metrics.json')));
  await fs.rm(m[1], { recursive: true, force: true });
  await fs.rm(root, { recursive: true, force: true });
});

test('SIGKILL during fine-tuning, then --resume: the result of an uninterrupted run with the same seed', async () => {
  const root = await smallAntsBees(8, 'tl-cli-resume-');
  const env = cliEnv({ TRANSFER_LAB_CACHE: path.join(root, 'cache') });
  const args = (out: string) => ['train', '--data', path.join(root, 'train'), '--val', path.join(root, 'val'), ...SMALL, '--strategy', 'fineTune', '--epochs', '3', '--fine-tune-epochs', '4', '--out', out, '--monitor', 'val_loss'];
  const whole = cli(args(path.join(root, 'whole')), env);
  assert.equal(whole.code, 0, whole.stderr);

  const out = path.join(root, 'killed');
  const child = startCli(args(out), env);
  const marker = path.join(out, 'checkpoints', 'fine-tune', 'last', 'training_state.json');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  while (!existsSync(marker)) {
    assert.equal(child.exitCode, null, 'the run is still going when the first fine-tuning checkpoint appears');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(process.kill(child.pid!, 'SIGKILL'));
  const end = await exited;
  assert.equal(end.signal, 'SIGKILL');
  assert.equal(existsSync(path.join(out, 'metrics.json')), false, 'killed before saving');

  const again = cli(args(out), env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /holds the checkpoints of an unfinished run: pass --resume/);
  const resumed = cli([...args(out), '--resume'], env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /Resuming: feature extraction had finished/);
  assert.match(resumed.stdout, /Resuming from .*fine-tune\/last: weights of epoch \d+.*optimizer state restored/);

  const read = (dir: string, f: string) => fs.readFile(path.join(root, dir, f));
  assert.deepEqual(JSON.parse(String(await read('killed', 'history.json'))), JSON.parse(String(await read('whole', 'history.json'))), 'same history, epoch by epoch');
  assert.ok((await read('killed', 'model/weights.bin')).equals(await read('whole', 'model/weights.bin')), 'the same weights, bit for bit');
  const [a, b] = [JSON.parse(String(await read('killed', 'metrics.json'))), JSON.parse(String(await read('whole', 'metrics.json')))];
  assert.equal(a.valAccuracy, b.valAccuracy);
  assert.deepEqual(a.kept, b.kept);
  assert.equal(a.resumed, true);
  await fs.rm(root, { recursive: true, force: true });
});
