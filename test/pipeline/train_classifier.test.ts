import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateRun, loadRun, saveRun, trainClassifier } from '../../src/pipeline';
// The same small real copy of ants/bees the CLI tests train on.
import { ANTS_BEES, smallAntsBees } from '../cli/helpers';

test('feature extraction then fine-tuning trains, saves, reloads and evaluates consistently', async () => {
  const root = await smallAntsBees(20, 'tl-pipeline-');
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tl-pipeline-cache-'));
  process.env.TRANSFER_LAB_CACHE = cacheDir;
  const tf = await import('@tensorflow/tfjs');
  await (await import('../../src/backend')).setupBackend({ quiet: true });
  const tensorsBefore = tf.memory().numTensors;
  const run = await trainClassifier({
    data: path.join(root, 'train'),
    val: path.join(root, 'val'),
    model: 'mobilenet_v1_0.25',
    strategy: 'fineTune',
    epochs: 30,
    fineTuneEpochs: 1,
    augmentCopies: 1,
    verbose: 0,
  });
  assert.deepEqual(run.classNames, ['ants', 'bees']);
  assert.equal(run.trainImages, 40);
  assert.equal(run.valImages, 40);
  assert.ok(run.fineTune, 'the fine-tune phase ran');
  assert.deepEqual(run.history.phases?.map((p) => p.name), ['feature extraction', 'fine-tune']);
  // Even 20 photos per class of a similar domain are well above chance with pretrained features.
  assert.ok(run.evaluation.accuracy >= 0.7, `accuracy ${run.evaluation.accuracy}`);
  assert.equal(run.evaluation.confusion.flat().reduce((a, b) => a + b, 0), 40);

  const out = path.join(root, 'run');
  const files = await saveRun(run, out);
  assert.deepEqual(files, ['model/', 'transfer_lab.json', 'metrics.json', 'history.json', 'curves.html', 'confusion.html']);
  const { manifest, model: loaded } = await loadRun(out);
  loaded.dispose();
  assert.equal(manifest.model, 'mobilenet_v1_0.25');
  // The saved image-to-class model reproduces the accuracy measured on cached activations.
  const again = await evaluateRun(out, path.join(root, 'val'));
  assert.equal(again.images, 40);
  assert.equal(again.evaluation.accuracy, run.evaluation.accuracy);

  // The kept model is the best epoch by val_acc over both phases (a tie keeps the earlier one),
  // and the reported accuracy is that epoch's.
  const valAcc = run.history.history.val_acc;
  const bestIndex = valAcc.indexOf(Math.max(...valAcc));
  const fineTuneStart = run.history.phases[1].startEpoch;
  assert.equal(run.kept.phase, run.history.epoch[bestIndex] >= fineTuneStart ? 'fineTune' : 'featureExtraction');
  assert.ok(Math.abs(run.evaluation.accuracy - valAcc[bestIndex]) < 1e-6, `${run.evaluation.accuracy} vs val_acc ${valAcc[bestIndex]}`);
  assert.match(run.kept.reason, /^the (fine-tuned|feature-extraction) model \(val_acc /);
  run.model.dispose();
  // Nothing of the run stays in memory (it leaked 42 tensors per fine-tuning run with this base).
  assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked by a fineTune run');
  delete process.env.TRANSFER_LAB_CACHE;
});

test('repeated featureExtraction runs in one process (a notebook re-run) leak no tensors', async () => {
  const root = await smallAntsBees(6, 'tl-pipeline-');
  const tf = await import('@tensorflow/tfjs');
  const counts: number[] = [];
  for (let i = 0; i < 2; i++) {
    const before = tf.memory().numTensors;
    const run = await trainClassifier({ data: path.join(root, 'train'), val: path.join(root, 'val'), model: 'mobilenet_v1_0.25', epochs: 2, augmentCopies: 0, workers: 0, verbose: 0 });
    run.model.dispose();
    counts.push(tf.memory().numTensors - before);
  }
  // It leaked 6 per run (the head optimizer's slots).
  assert.deepEqual(counts, [0, 0]);
});

test('a bad strategy or model name is a clear error', async () => {
  await assert.rejects(
    trainClassifier({ data: ANTS_BEES, strategy: 'earlyFeatures' as never, verbose: 0 }),
    /strategy 'earlyFeatures' is not run by the pipeline; use 'featureExtraction' or 'fineTune'/,
  );
  await assert.rejects(trainClassifier({ data: ANTS_BEES, model: 'alexnet', verbose: 0 }), /unknown model 'alexnet'. Use one of: mobilenet_v1_0.75/);
});

test('seededDropout: a new mask at every training call, the same sequence for the same seed, identity in inference', async () => {
  const { seededDropout } = await import('../../src/pipeline');
  const tf = await import('@tensorflow/tfjs');
  const masks = (seed: number) => {
    const layer = seededDropout(0.5, seed, `drop_${seed}_${Math.random()}`);
    const x = tf.ones([4, 16]);
    const out = [0, 1, 2].map(() => Array.from((layer.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor).dataSync()));
    const inference = Array.from((layer.apply(x) as import('@tensorflow/tfjs').Tensor).dataSync());
    x.dispose();
    return { out, inference };
  };
  const a = masks(3);
  const b = masks(3);
  assert.deepEqual(a.out, b.out, 'same seed, same masks');
  assert.notDeepEqual(a.out[0], a.out[1], 'the mask changes from step to step');
  assert.ok(a.inference.every((v) => v === 1), 'no dropout in inference');
});
