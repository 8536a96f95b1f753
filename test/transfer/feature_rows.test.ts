// Feature rows kept in host memory, one part per pass: the mechanism that lets trainClassifier
// fine-tune on cut activations too large for one wasm tensor (2,000 photos x 3 passes x 14x14x384
// floats crashed tf.concat with "RangeError: Invalid typed array length: 451358208"). Here at a
// small scale, with the tensor limit lowered below the rows' size.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../src/backend';
import { ImageDataGenerator } from '../../src/data/generator';
import { MemoryLimitError, TrainError } from '../../src/errors';
import { preprocessInput } from '../../src/models/preprocess';
import { fit } from '../../src/train/fit';
import { bottleneckFeatureRows, bottleneckFeatures, disposeFeatureSets } from '../../src/transfer/bottleneck';
import { FeatureRows, checkTensorBytes } from '../../src/transfer/feature_rows';
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

/** Three parts of 2, 3 and 1 rows of shape [2, 2]: row r holds the values 10r .. 10r + 3. */
function threeParts(): { rows: FeatureRows; whole: tf.Tensor } {
  const row = (r: number) => [0, 1, 2, 3].map((k) => 10 * r + k);
  const part = (from: number, n: number) => ({ data: Float32Array.from(Array.from({ length: n }, (_, i) => row(from + i)).flat()), rows: n });
  const rows = new FeatureRows([part(0, 2), part(2, 3), part(5, 1)], [2, 2]);
  return { rows, whole: tf.tensor(Array.from({ length: 6 }, (_, r) => row(r)).flat(), [6, 2, 2]) };
}

/** A small seeded classifier on [4, 4, 8] maps; the same seed gives the same initial weights. */
function smallHead(): tf.LayersModel {
  const model = tf.sequential({ layers: [
    tf.layers.flatten({ inputShape: [4, 4, 8] }),
    tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
  ] });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe('FeatureRows', () => {
  before(async () => {
    await setupBackend({ prefer: 'wasm', quiet: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'transfer-feature-rows-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reads rows across its parts as one array would: gather, slice, toTensor and map agree with the tensor of all rows', async () => {
    const { rows, whole } = threeParts();
    assert.equal(rows.rows, 6);
    const picked = rows.gather([5, 0, 3, 1]);
    const expected = tf.gather(whole, [5, 0, 3, 1]);
    assert.deepEqual(await picked.array(), await expected.array());
    const all = rows.toTensor();
    assert.deepEqual(await all.array(), await whole.array());
    const sum = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2] }), tf.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false })] });
    const mapped = await rows.map(sum, 4); // batches of 4 rows: one batch crosses two parts
    assert.deepEqual(mapped.rowShape, [1]);
    assert.deepEqual(Array.from(mapped.parts[0].data), [6, 46, 86, 126, 166, 206]);
    assert.throws(() => rows.gather([6]), /FeatureRows.gather: row 6 is out of range; there are 6 rows/);
    tf.dispose([picked, expected, all, whole]);
    sum.dispose();
  });

  it('refuses one tensor over the limit with a MemoryLimitError that gives the size and what to do', () => {
    const { rows, whole } = threeParts();
    whole.dispose();
    assert.throws(() => rows.toTensor({ maxBytes: 64 }), (err: Error) => {
      assert.ok(err instanceof MemoryLimitError);
      assert.match(err.message, /^FeatureRows\.toTensor: 6 feature rows would be one tensor of shape \[6, 2, 2\], 0\.0 MiB, over the limit of 0\.0 MiB \(maxTensorBytes; the wasm backend's whole heap is 4\.00 GiB\)\. Train from the rows in batches instead: fit\(model, \{x: rows, y\}\) accepts a FeatureRows\.$/);
      return true;
    });
    // The crash's own figures: 5,997 rows of 14x14x384 are 1.68 GiB, over the default 1 GiB.
    assert.throws(() => checkTensorBytes('trainClassifier', 'the cut activations', [5997, 14, 14, 384], 2 ** 30, 'Fit on the rows.'),
      /trainClassifier: the cut activations would be one tensor of shape \[5997, 14, 14, 384\], 1\.68 GiB, over the limit of 1\.00 GiB/);
  });

  it('bottleneckFeatures refuses rows over its maxTensorBytes; bottleneckFeatureRows keeps each pass apart, and fit on them trains exactly as on one tensor', async () => {
    const trainDir = photoFolder('train', 3);
    const valDir = photoFolder('val', 2);
    const preprocessingFunction = (x: tf.Tensor4D) => preprocessInput(x, 'tf');
    const flow = { targetSize: [8, 8] as [number, number], batchSize: 4, shuffle: false, seed: 7, classMode: 'categorical' as const };
    const augmentation = { horizontalFlip: true, rotationRange: 15 };
    const plain = new ImageDataGenerator({ preprocessingFunction });
    const augmenting = new ImageDataGenerator({ ...augmentation, preprocessingFunction });
    const trainIt = await plain.flowFromDirectory(trainDir, flow);
    const valIt = await plain.flowFromDirectory(valDir, { ...flow, classes: trainIt.classNames });
    const model = freeze(tinyBase(), 'all');
    const options = async () => ({
      train: trainIt, augmented: await augmenting.flowFromDirectory(trainDir, flow), val: valIt,
      copies: 2, augmentation, preprocess: 'tf' as const, workers: 0, cacheDir: path.join(tmp, 'cache'),
    });
    // 6 photos x (1 + 2 copies) = 18 rows of 4x4x8 floats = 2,304 bytes: over a 2,000-byte limit.
    const before = tf.memory().numTensors;
    await assert.rejects(bottleneckFeatures(model, { ...(await options()), maxTensorBytes: 2000 }), (err: Error) => {
      assert.ok(err instanceof MemoryLimitError);
      assert.match(err.message, /^bottleneckFeatures \(training rows\): 18 rows of features would be one tensor of shape \[18, 4, 4, 8\], 0\.0 MiB, over the limit/);
      assert.match(err.message, /Use bottleneckFeatureRows \(each pass stays apart in host memory\) and fit on its rows, as trainClassifier does/);
      return true;
    });
    assert.equal(tf.memory().numTensors, before, 'a refused call leaves no tensor behind');

    const rows = await bottleneckFeatureRows(model, await options());
    assert.equal(rows.train.features.parts.length, 3, 'the plain pass and two copies, never joined');
    assert.equal(rows.train.features.rows, 18);
    const joined = await bottleneckFeatures(model, await options()); // default limit: fits
    const train = { x: rows.train.features, y: rows.train.labels };
    const val = { x: joined.val.features, y: joined.val.labels };
    const fromRows = smallHead();
    const fromTensor = smallHead();
    const fitOptions = { epochs: 3, batchSize: 4, seed: 11, validationData: val, verbose: 0 as const };
    const h1 = await fit(fromRows, train, fitOptions);
    const h2 = await fit(fromTensor, { x: joined.train.features, y: joined.train.labels }, fitOptions);
    assert.deepEqual(h1.history.loss, h2.history.loss);
    assert.deepEqual(h1.history.val_loss, h2.history.val_loss);
    const [w1, w2] = [fromRows, fromTensor].map((m) => m.getWeights().map((w) => Array.from(w.dataSync())));
    assert.deepEqual(w1, w2, 'the same batches in the same order: the same weights');
    await assert.rejects(fit(fromRows, train, { epochs: 1, validationData: { x: rows.train.features, y: rows.train.labels } }),
      (err: Error) => err instanceof TrainError && /validationData\.x is a row source \(FeatureRows\); validation runs on one tensor/.test(err.message));
    disposeFeatureSets(rows, joined);
    fromRows.dispose();
    fromTensor.dispose();
  });
});
