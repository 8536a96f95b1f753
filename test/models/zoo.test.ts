import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { zooParamTable } from '../../src/models';
import { useWasm } from './helpers';

// The full table (all six, ~15 s, mostly VGG's random top weights) is what the CLI prints; the
// per-family tests check every count, so this builds the two quickest families only.
describe('zooParamTable', () => {
  before(useWasm);

  it('builds each family with and without the top, counts params and disposes the model', async () => {
    const before = tf.memory().numTensors;
    const rows = await zooParamTable({ families: ['MobileNet', 'InceptionV3'] });
    assert.equal(tf.memory().numTensors, before, 'every model disposed');
    assert.deepEqual(rows.map((r) => [r.name, r.includeTop, r.inputShape[0], r.params]), [
      ['MobileNet', true, 224, 4_253_864],
      ['MobileNet', false, 224, 3_228_864],
      ['InceptionV3', true, 299, 23_851_784],
      ['InceptionV3', false, 299, 21_802_784],
    ]);
    for (const r of rows) {
      assert.equal(r.params, r.kerasParams);
      assert.ok(r.buildMs >= 0);
    }
  });

  it('rejects unknown families', async () => {
    await assert.rejects(zooParamTable({ families: ['AlexNet' as 'VGG16'] }), /zooParamTable: unknown families \["AlexNet"\]/);
  });
});
