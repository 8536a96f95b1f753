/**
 * The lesson plans, the instructor notes and notebook 05 must name the recipe that LAB_RECIPE
 * defines (and trainClassifier uses): this test reads the plans' 7.5 row and fails, naming the
 * file and the missing text, when someone changes one side only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_RECIPE, MATERIALS_RECIPE, earlyStoppingText, optimizerText, recipeComparison } from '../../src/lessons/recipe';

const root = join(__dirname, '..', '..');
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');

/** The table row of lesson 7.5 in a plan (the line that starts with "| New 7.5" / "| 新知 7.5"). */
function recipeRow(plan: string, file: string): string {
  const row = plan.split('\n').find((line) => /^\|[^|]*7\.5/.test(line));
  assert.ok(row, `${file}: no table row for 7.5`);
  return row;
}

/** The texts every place that teaches the recipe must contain. */
const labTexts = [
  optimizerText(LAB_RECIPE.headOptimizer),
  optimizerText(LAB_RECIPE.fineTuneOptimizer),
  LAB_RECIPE.head.split(' → ')[1],
  `patience ${LAB_RECIPE.headEarlyStopping.patience}`,
  `patience ${LAB_RECIPE.fineTuneEarlyStopping.patience}`,
  LAB_RECIPE.headEarlyStopping.monitor,
  `batch ${LAB_RECIPE.batchSize}`,
];

test('optimizerText and earlyStoppingText write the plans\' spelling', () => {
  assert.equal(optimizerText({ optimizer: 'adam', learningRate: 0.001 }), 'Adam 1e-3');
  assert.equal(optimizerText({ optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 }), 'SGD 1e-4 momentum 0.9');
  assert.equal(earlyStoppingText(MATERIALS_RECIPE.headEarlyStopping), 'val_acc, patience 10');
});

for (const file of ['lessons/lesson-plan.en.md', 'lessons/lesson-plan.zh-CN.md']) {
  test(`${file}: the 7.5 row names LAB_RECIPE's head, optimizers, blocks and callbacks`, () => {
    const row = recipeRow(read(file), file);
    for (const text of labTexts) assert.ok(row.includes(text), `${file}, row 7.5: missing "${text}" (from LAB_RECIPE)`);
    const blocks = file.endsWith('en.md') ? `top ${LAB_RECIPE.blocksUnfrozen} blocks` : `顶部 ${LAB_RECIPE.blocksUnfrozen} 个块`;
    assert.ok(row.includes(blocks), `${file}, row 7.5: missing "${blocks}"`);
    // The materials' head may be named only as the materials' setting, never as the lab's phase 1.
    assert.ok(!/rmsprop/.test(row), `${file}, row 7.5: still promises rmsprop, which neither recipe uses`);
  });
  test(`${file}: the hands-on row unfreezes as many blocks as LAB_RECIPE`, () => {
    const row = read(file).split('\n').find((l) => /^\| (Hands-on|实操)/.test(l));
    assert.ok(row, `${file}: no hands-on row`);
    assert.ok(!/one top block|一个块/.test(row), `${file}, hands-on: says one block, LAB_RECIPE unfreezes ${LAB_RECIPE.blocksUnfrozen}`);
  });
}

test('lessons/instructor-notes.md names LAB_RECIPE and the materials\' setting', () => {
  const notes = read('lessons/instructor-notes.md');
  for (const text of [...labTexts, optimizerText(MATERIALS_RECIPE.headOptimizer)]) {
    assert.ok(notes.includes(text), `instructor-notes.md: missing "${text}"`);
  }
});

test('notebook 05 shows the recipe from LAB_RECIPE and its knobs agree with it', () => {
  const nb = JSON.parse(read('notebooks/05-build-and-fine-tune.ipynb')) as { cells: Array<{ source: string[] | string }> };
  const code = nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n');
  assert.ok(code.includes('LAB_RECIPE'), 'notebook 05: no cell reads lab.LAB_RECIPE');
  for (const m of code.matchAll(/HEAD_LR = ([0-9.e-]+)/g)) assert.equal(Number(m[1]), LAB_RECIPE.headOptimizer.learningRate, 'notebook 05: HEAD_LR differs from LAB_RECIPE');
  for (const m of code.matchAll(/FINE_TUNE_LR = ([0-9.e-]+)/g)) assert.equal(Number(m[1]), LAB_RECIPE.fineTuneOptimizer.learningRate, 'notebook 05: FINE_TUNE_LR differs from LAB_RECIPE');
  for (const m of code.matchAll(/monitor: 'val_loss', patience: (\d+)/g)) {
    assert.ok([LAB_RECIPE.headEarlyStopping.patience, LAB_RECIPE.fineTuneEarlyStopping.patience].includes(Number(m[1])), `notebook 05: EarlyStopping patience ${m[1]} is not LAB_RECIPE's`);
  }
});

test('recipeComparison puts the materials first, one row per knob', () => {
  const rows = recipeComparison();
  assert.deepEqual(Object.keys(rows[0]), ['knob', 'materials', 'lab']);
  const opt = rows.find((r) => r.knob === 'phase 1 optimizer');
  assert.deepEqual(opt, { knob: 'phase 1 optimizer', materials: 'SGD 1e-4 momentum 0.9', lab: 'Adam 1e-3' });
});

test('compareHeadRecipes trains each recipe over the seeds and reports per-seed figures', async () => {
  const { compareHeadRecipes } = await import('../../src/lessons/recipe_compare');
  const tf = await import('@tensorflow/tfjs');
  // Two well separated clusters in 8 dimensions: any sensible optimizer can learn them.
  const make = (n: number, offset: number) => tf.tidy(() => {
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => (i + offset) % 2), 'int32');
    const centres = tf.oneHot(labels, 2).matMul(tf.tensor2d([[1, -1, 1, -1, 1, -1, 1, -1], [-1, 1, -1, 1, -1, 1, -1, 1]]));
    return { x: centres.add(tf.randomNormal([n, 8], 0, 0.3, 'float32', 7 + offset)) as import('@tensorflow/tfjs').Tensor2D, y: tf.oneHot(labels, 2).toFloat() as import('@tensorflow/tfjs').Tensor2D };
  });
  const [train, val] = [make(512, 0), make(40, 1)];
  const { LAB_RECIPE: lab } = await import('../../src/lessons/recipe');
  await compareHeadRecipes(train, val, { seeds: [1], epochs: 1, recipes: [lab] }); // tfjs caches a few constants on first use
  const before = tf.memory().numTensors;
  await compareHeadRecipes(train, val, { seeds: [1, 2], epochs: 2, recipes: [lab] });
  // Only the Adam recipe is checked: a run with tf.train.momentum leaves one tensor behind inside tfjs.
  assert.equal(tf.memory().numTensors, before, 'compareHeadRecipes leaks tensors');
  const rows = await compareHeadRecipes(train, val, { seeds: [1, 2], epochs: 10 });
  assert.deepEqual(rows.map((r) => r.recipe), ['materials', 'lab']);
  assert.deepEqual(rows.map((r) => r.optimizer), ['SGD 1e-4 momentum 0.9', 'Adam 1e-3']);
  for (const r of rows) {
    assert.equal(r['val accuracy (per seed)'].split(' / ').length, 2);
    assert.ok(r['epochs run (per seed)'].split(' / ').every((e) => Number(e) >= 1 && Number(e) <= 10));
  }
  // Adam 1e-3 learns separated clusters in 10 epochs; the lab's row must reach them.
  assert.ok(rows[1]['mean val accuracy'] >= 0.9, `lab recipe reached ${JSON.stringify(rows)}`);
  await assert.rejects(compareHeadRecipes(train, val, { seeds: [] }), /compareHeadRecipes: need at least one seed/);
  tf.dispose([train.x, train.y, val.x, val.y]);
});
