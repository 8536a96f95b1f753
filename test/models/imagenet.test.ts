import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MobileNet, MODEL_FAMILIES, decodePredictions, imagenetLabels } from '../../src/models';
import { ModelError } from '../../src/errors';
import { ANTS, BEES, loadPhoto, useWasm } from './helpers';

/** True when one of the comma-separated synonyms of a class name is `word`. */
const hasWord = (className: string, word: string) => className.split(/,\s*/).some((s) => s.toLowerCase() === word);

describe('ImageNet labels and decodePredictions', () => {
  let model: tf.LayersModel;
  before(async () => {
    await useWasm();
    model = await MobileNet({ alpha: 0.75, weights: 'imagenet' });
  });
  after(() => model.dispose());

  it('reads the 1000 class names from the MobileNet asset', async () => {
    const labels = await imagenetLabels();
    assert.equal(labels.length, 1000);
    assert.equal(labels[0], 'tench, Tinca tinca');
    assert.ok(hasWord(labels[310], 'ant'));
    assert.ok(hasWord(labels[309], 'bee'));
  });

  it('decodes rows into the top-k classes, most probable first', async () => {
    const probs = tf.tidy(() => tf.oneHot([310, 309], 1000).toFloat().mul(0.7).add(tf.oneHot([2, 5], 1000).toFloat().mul(0.2)) as tf.Tensor2D);
    const decoded = await decodePredictions(probs, 2);
    assert.equal(decoded.length, 2);
    assert.deepEqual(decoded[0].map((p) => p.classIndex), [310, 2]);
    assert.ok(hasWord(decoded[0][0].className, 'ant'));
    assert.ok(Math.abs(decoded[1][0].probability - 0.7) < 1e-6);
    assert.deepEqual(decoded[1].map((p) => p.classIndex), [309, 5]);
    probs.dispose();
  });

  it('rejects predictions that are not [n, 1000]', async () => {
    const bad = tf.zeros([1, 10]) as tf.Tensor2D;
    await assert.rejects(decodePredictions(bad), (err: unknown) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /decodePredictions: expects a batch of ImageNet predictions of shape \[n, 1000\]; received shape \[1, 10\]/);
      return true;
    });
    await assert.rejects(decodePredictions(tf.zeros([1, 1000]) as tf.Tensor2D, 0), /top must be an integer from 1 to 1000; received top=0/);
    bad.dispose();
  });

  it("the pretrained MobileNet 0.75 sees an ant in an ant photo and a bee in a bee photo", async () => {
    const cases = [
      { file: path.join(ANTS, '1053149811_f62a3410d3.jpg'), word: 'ant' },
      { file: path.join(BEES, '10870992_eebeeb3a12.jpg'), word: 'bee' },
    ];
    for (const { file, word } of cases) {
      const photo = await loadPhoto(file);
      const x = MODEL_FAMILIES.MobileNet.preprocess(photo);
      const probs = model.predict(x) as tf.Tensor2D;
      const [top5] = await decodePredictions(probs, 5);
      assert.ok(
        top5.some((p) => hasWord(p.className, word)),
        `${path.basename(file)}: top-5 ${top5.map((p) => p.className).join(' | ')}`,
      );
      tf.dispose([photo, x, probs]);
    }
  });
});
