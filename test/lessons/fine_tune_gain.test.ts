import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../../src/errors';
import {
  GAIN_DATASETS, GAIN_RUNS, MEASURED_FINE_TUNE_GAIN, fineTuneGainBySeed, summarizeFineTuneGain, type FineTuneGainRow,
} from '../../src/lessons/fine_tune_gain';

const row = (dataset: string, seed: number, head: number, ft: number, valImages = 200): FineTuneGainRow => ({
  dataset, seed, valImages, afterHead: head / valImages, afterFineTune: ft / valImages, kept: ft > head ? 'fineTune' : 'featureExtraction',
});

test('summarizeFineTuneGain averages per dataset and calls a gain only when every seed is better by 2 photos on average', () => {
  const rows = [
    row('a', 1, 180, 186), row('a', 2, 182, 185), row('a', 3, 181, 184), // +3, +3, +3 → helps
    row('b', 1, 150, 151), row('b', 2, 150, 149), row('b', 3, 150, 150), // +1, -1, 0 → nothing
    row('c', 1, 150, 152), row('c', 2, 150, 151), row('c', 3, 150, 151), // better every time but +1.3 photos → nothing measurable
    row('d', 1, 150, 146), row('d', 2, 150, 147), // -4, -3 → hurts
  ];
  const [a, b, c, d] = summarizeFineTuneGain(rows);
  assert.equal(a.dataset, 'a');
  assert.equal(a.seeds, 3);
  assert.ok(Math.abs(a.afterHead - 181 / 200) < 1e-12);
  assert.ok(Math.abs(a.afterFineTune - 185 / 200) < 1e-12);
  assert.equal(a.gainPhotos, 4 - 0); // (6 + 3 + 3) / 3
  assert.equal(a.verdict, 'fine-tuning helps (3 of 3 seeds better, 0 worse, mean +4.0 photos)');
  assert.equal(b.verdict, 'no measurable gain (1 of 3 seeds better, 1 worse, mean +0.0 photos): within what seeds move');
  assert.equal(c.verdict, 'no measurable gain (3 of 3 seeds better, 0 worse, mean +1.3 photos): within what seeds move');
  assert.equal(d.verdict, 'fine-tuning hurts (0 of 2 seeds better, 2 worse, mean -3.5 photos): keep the head');
  assert.equal(summarizeFineTuneGain(rows, { minPhotos: 1 })[2].verdict.startsWith('fine-tuning helps'), true);
});

test('fineTuneGainBySeed refuses a seed list that is empty or not whole numbers, before any training', async () => {
  await assert.rejects(fineTuneGainBySeed(GAIN_DATASETS.ants, { seeds: [] }),
    (err: Error) => err instanceof DataError && /^fineTuneGainBySeed\(\): seeds must be a non-empty list of whole numbers, e\.g\. \[1, 2, 3\]; received \[\]\.$/.test(err.message));
  await assert.rejects(fineTuneGainBySeed(GAIN_DATASETS.ants, { seeds: [1.5] }), /received \[1\.5\]/);
});

test('the measured full-mode table is consistent: whole photos, one row per seed of the full runs, and the commands name its settings', () => {
  const { rows, commands } = MEASURED_FINE_TUNE_GAIN;
  const datasets = [...new Set(rows.map((r) => r.dataset))];
  assert.deepEqual(datasets, [GAIN_DATASETS.ants.label, GAIN_DATASETS.catsDogs.label, GAIN_DATASETS.mnist.label, 'MNIST digits, fine-tuning at 1e-4']);
  // The same head runs (same seed, same features) before either fine-tuning rate: the same accuracy after the head.
  const at = (d: string, seed: number) => rows.find((r) => r.dataset === d && r.seed === seed)!;
  for (const seed of GAIN_RUNS.full.seeds) assert.equal(at('MNIST digits', seed).afterHead, at('MNIST digits, fine-tuning at 1e-4', seed).afterHead);
  for (const dataset of datasets) {
    assert.deepEqual(rows.filter((r) => r.dataset === dataset).map((r) => r.seed), GAIN_RUNS.full.seeds, `${dataset}: the seeds of the full runs`);
  }
  for (const r of rows) {
    for (const acc of [r.afterHead, r.afterFineTune]) {
      const photos = acc * r.valImages;
      assert.ok(Math.abs(photos - Math.round(photos)) < 1e-9, `${r.dataset} seed ${r.seed}: ${acc} is not a whole number of ${r.valImages} photos`);
    }
    // trainClassifier keeps fine-tuning only when its best val_acc beats the head's (a tie keeps the head).
    if (r.kept === 'fineTune') assert.ok(r.afterFineTune > r.afterHead, `${r.dataset} seed ${r.seed}: kept fine-tuning without a gain`);
  }
  // One command per dataset, with the settings of the full runs (CLI or library spelling).
  const settings = GAIN_RUNS.full.settings!;
  assert.deepEqual(commands.map((c) => c.split(':')[0]), datasets);
  for (const command of commands) {
    assert.ok(command.includes(`--model ${settings.model}`) || command.includes(`model: '${settings.model}'`), command);
    assert.ok(command.includes(`--augment ${settings.augmentCopies}`) || command.includes(`augmentCopies: ${settings.augmentCopies}`), command);
    assert.match(command, /fineTune'?,? .*\bSEED\b/);
    assert.ok(!command.includes('$'), 'no $: the notebook would render it as math');
  }
});
