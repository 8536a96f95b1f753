import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { assetEntry, resolveAsset } from '../../src/assets';
import { ModelError } from '../../src/errors';
import { VGG19 } from '../../src/models';
import { trainableReport } from '../../src/transfer';
import { MATERIALS_RECIPE } from '../../src/lessons/recipe';
import { subsetPerClass } from '../../src/lessons/05_lab';
import { materialsCallbacks, materialsRecipeModel, materialsVgg19Weights, runMaterialsRecipe } from '../../src/lessons/vgg19_recipe';

let tmp: string;

describe('the materials\' VGG19 recipe', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp = mkdtempSync(path.join(tmpdir(), 'tl-vgg19-recipe-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('materialsRecipeModel: VGG19 at 256 px, the first 5 layers frozen, the 1024-1024 head, SGD 1e-4 momentum 0.9', async () => {
    const base = await VGG19({ includeTop: false, inputShape: [MATERIALS_RECIPE.inputSize, MATERIALS_RECIPE.inputSize, 3] });
    const model = materialsRecipeModel(base, { numClasses: 16 });
    const rows = trainableReport(model).rows;
    assert.deepEqual(rows.filter((r) => !r.trainable).map((r) => r.name), ['input_1', 'block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1']);
    assert.deepEqual(rows.slice(-5).map((r) => [r.name, r.outputShape]), [
      ['head_flatten', '[null, 32768]'], ['head_dense_1', '[null, 1024]'], ['head_dropout', '[null, 1024]'],
      ['head_dense_2', '[null, 1024]'], ['head_predictions', '[null, 16]']]);
    // Keras: 20,024,384 (base) + 32768*1024+1024 + 1024*1024+1024 + 1024*16+16; frozen: the three convs among the first 5 layers.
    const frozen = (3 * 3 * 3 * 64 + 64) + (3 * 3 * 64 * 64 + 64) + (3 * 3 * 64 * 128 + 128);
    const total = 20024384 + 32768 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 16 + 16;
    assert.deepEqual(trainableReport(model).totals, { trainable: total - frozen, nonTrainable: frozen, total, needsRecompile: false });
    assert.equal((model.getLayer('head_dropout').getConfig() as { rate: number }).rate, 0.5);
    assert.equal(model.optimizer.getClassName(), 'Momentum');
    assert.deepEqual(model.optimizer.getConfig(), { learningRate: 1e-4, momentum: 0.9, useNesterov: false });
    model.optimizer.dispose();
    model.dispose();
  });

  it('materialsCallbacks: ModelCheckpoint keeps the best val_acc, EarlyStopping watches val_acc with patience 10', () => {
    const [checkpoint, early] = materialsCallbacks(path.join(tmp, 'best'));
    assert.deepEqual([checkpoint.monitor, checkpoint.saveBestOnly, checkpoint.filepath], ['val_acc', true, path.join(tmp, 'best')]);
    assert.deepEqual([early.monitor, early.patience, early.restoreBestWeights, early.mode], ['val_acc', 10, false, 'max']);
  });

  it('materialsVgg19Weights: random weights with a plain note when no Keras file is here, ImageNet when it is', () => {
    const emptyCache = path.join(tmp, 'cache');
    const missing = materialsVgg19Weights({ mirror: path.join(tmp, 'no-mirror'), cacheDir: emptyCache });
    assert.equal(missing.weights, null);
    assert.match(missing.note, /this VGG19 has RANDOM weights, so its run shows the mechanics and the cost of the recipe/);
    const mirror = path.join(tmp, 'mirror');
    const file = path.join(mirror, assetEntry('keras_vgg19_no_top').mirrorPath);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'placeholder: only its presence is checked here; VGG19({weights}) verifies its md5 on use');
    const present = materialsVgg19Weights({ mirror, cacheDir: emptyCache });
    assert.deepEqual([present.weights, present.file], ['imagenet', file]);
    assert.match(present.note, /Keras' file from the mirror/);
  });

  it('runMaterialsRecipe trains the recipe on a real folder, with both callbacks, and frees what it made', async () => {
    const antsRoot = await resolveAsset('hymenoptera_data');
    // The notebook's own subset of the same size must survive the run (it once got deleted).
    const notebookSubset = subsetPerClass(antsRoot, { splits: ['train', 'val'], perClass: 2, into: tmp });
    const tensors = tf.memory().numTensors;
    const scratchBefore = readdirSync(tmpdir()).filter((n) => n.startsWith('tl-materials-run-'));
    const run = await runMaterialsRecipe({ base: 'vgg19', data: antsRoot, perClass: 2, inputSize: 32, epochs: 2, weights: null });
    assert.ok(existsSync(path.join(notebookSubset.dir, 'val')), "the caller's subset of the same size is left alone");
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith('tl-materials-run-') && scratchBefore.indexOf(n) < 0), [], 'its own copy is removed');
    assert.equal(tf.memory().numTensors, tensors + 1, "only the scalar tfjs' momentum optimizer never frees");
    const { row } = run;
    assert.deepEqual([row.base, row.weights, row.input, row['photos (train / val)'], row['epochs run']], ['VGG19', 'random', '32x32', '4 / 4', 2]);
    const frozen = 1792 + 36928 + 73856;
    assert.equal(row['trainable params'], 20024384 - frozen + (512 * 1024 + 1024) + (1024 * 1024 + 1024) + (1024 * 2 + 2));
    assert.equal(run.valAccuracy.length, 2);
    assert.ok(run.checkpointEpoch >= 1 && run.checkpointEpoch <= 2, `checkpoint epoch ${run.checkpointEpoch}`);
    assert.equal(row['best val_acc (checkpoint)'], Number(Math.max(...run.valAccuracy).toFixed(3)));
    assert.equal(run.stoppedEpoch, 0);
  });

  it('names a bad base, input size or epoch count', async () => {
    await assert.rejects(runMaterialsRecipe({ base: 'resnet' as 'vgg19', data: tmp }),
      (err: Error) => err instanceof ModelError && /runMaterialsRecipe\(\): base must be 'vgg19' or 'mobilenet', received "resnet"/.test(err.message));
    await assert.rejects(runMaterialsRecipe({ base: 'vgg19', data: tmp, inputSize: 16 }), /inputSize must be a whole number >= 32 \(five 2x2 poolings\), received 16/);
    await assert.rejects(runMaterialsRecipe({ base: 'mobilenet', data: tmp, epochs: 0 }), /epochs must be a whole number >= 1, received 0/);
  });
});
