import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { ImageDataGenerator } from '../../src/data/generator';
import { predictDataset } from '../../src/evaluate/predict';
import { preprocessInput } from '../../src/models/preprocess';
import { bottleneckFeatures, disposeFeatureSets, preprocessingKey } from '../../src/transfer/bottleneck';
import { freeze } from '../../src/transfer/freeze';
import { tinyBase } from './helpers';

const PHOTOS = path.join(process.env.TRANSFER_LAB_MIRROR ?? '/work/shared/assets', 'datasets', 'hymenoptera_data');
let tmp: string;

/** `perClass` real ants/bees photos of `split`, copied into a temp folder (the mirror stays read-only). */
function photoFolder(split: string, perClass: number): string {
  const dir = path.join(tmp, split);
  for (const cls of ['ants', 'bees']) {
    fs.mkdirSync(path.join(dir, cls), { recursive: true });
    for (const f of fs.readdirSync(path.join(PHOTOS, split, cls)).sort().slice(0, perClass)) {
      fs.copyFileSync(path.join(PHOTOS, split, cls, f), path.join(dir, cls, f));
    }
  }
  return dir;
}

/** Counts `model.predict` calls: a cache hit must not run the model. */
function countPredict(model: tf.LayersModel): { calls: number } {
  const counter = { calls: 0 };
  const predict = model.predict.bind(model);
  model.predict = (x, args) => {
    counter.calls++;
    return predict(x, args);
  };
  return counter;
}

describe('bottleneckFeatures', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-bottleneck-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('derives the key the pipeline has always written for a square lanczos aspect-keeping flow', () => {
    assert.equal(preprocessingKey('tf', { targetSize: [224, 224], interpolation: 'lanczos', keepAspectRatio: true }),
      'tf|lanczos|keepAspectRatio|shrinkOnLoad|224');
    assert.equal(preprocessingKey('caffe', { targetSize: [160, 128], interpolation: 'bilinear', keepAspectRatio: false }),
      'caffe|bilinear|stretch|shrinkOnLoad|160x128');
  });

  it('gives plain + augmented training rows and validation rows with their files; a second call reads them all from the cache', async () => {
    const trainDir = photoFolder('train', 3);
    const valDir = photoFolder('val', 2);
    const preprocessingFunction = (x: tf.Tensor4D) => preprocessInput(x, 'tf');
    const flow = { targetSize: [8, 8] as [number, number], batchSize: 4, shuffle: false, seed: 7 };
    const plain = new ImageDataGenerator({ preprocessingFunction });
    const augmentation = { horizontalFlip: true, rotationRange: 15 };
    const augmenting = new ImageDataGenerator({ ...augmentation, preprocessingFunction });
    const trainIt = await plain.flowFromDirectory(trainDir, flow);
    const valIt = await plain.flowFromDirectory(valDir, { ...flow, classes: trainIt.classNames });
    const model = freeze(tinyBase(), 'all');
    const counter = countPredict(model);
    const cacheDir = path.join(tmp, 'cache');
    const run = async () => bottleneckFeatures(model, {
      train: trainIt, augmented: await augmenting.flowFromDirectory(trainDir, flow), val: valIt,
      copies: 1, augmentation, preprocess: 'tf', workers: 0, cacheDir,
    });
    const first = await run();
    assert.deepEqual(first.train.features.shape, [12, 4, 4, 8], '6 photos + 1 augmented copy of each');
    assert.deepEqual(first.train.paths, [...trainIt.filepaths, ...trainIt.filepaths]);
    assert.deepEqual(first.val.paths, valIt.filepaths);
    const callsAfterFirst = counter.calls;
    assert.ok(callsAfterFirst > 0);
    const second = await run();
    assert.equal(counter.calls, callsAfterFirst, 'every pass came from the cache');
    assert.equal(second.val.fromCache, true);
    assert.deepEqual(second.train.features.dataSync(), first.train.features.dataSync());

    const head = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 8] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const result = await predictDataset(head, first.val);
    assert.deepEqual(result.paths, valIt.filepaths, 'predictDataset keeps the file of each row');
    assert.deepEqual(result.classNames, ['ants', 'bees']);
    assert.deepEqual(result.yTrue, valIt.classes);
    head.dispose();
    disposeFeatureSets(first, second);
  });

  it('names the missing augmented iterator when copies > 0', async () => {
    const dir = photoFolder('val', 1);
    const it = await new ImageDataGenerator().flowFromDirectory(dir, { targetSize: [8, 8], shuffle: false });
    await assert.rejects(bottleneckFeatures(tinyBase(), { train: it, val: it, copies: 2, preprocess: 'tf', workers: 0 }),
      /bottleneckFeatures: copies is 2 but no augmented iterator was given; pass augmented: .* or copies: 0\./);
  });
});
