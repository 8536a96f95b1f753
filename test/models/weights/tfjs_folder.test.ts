import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MobileNet, MobileNetV2, loadTfjsFolderWeights, preprocessInput } from '../../../src/models';
import { loadLayersModelFromDir, resolveAsset } from '../../../src/assets';
import { ModelError } from '../../../src/errors';
import { BEES, loadPhoto, maxAbsDiff, useWasm } from '../helpers';

describe("loadTfjsFolderWeights and weights: 'imagenet' from the course's tfjs models", () => {
  before(useWasm);

  it("MobileNet({alpha: 0.75, weights: 'imagenet'}) computes exactly what the tfjs model does", async () => {
    const ours = await MobileNet({ alpha: 0.75, weights: 'imagenet' });
    const theirs = await loadLayersModelFromDir(await resolveAsset('mobilenet_v1_0.75_224'));
    try {
      const photo = await loadPhoto(path.join(BEES, fs.readdirSync(BEES).sort()[1]));
      const x = preprocessInput(photo, 'tf');
      const [a, b] = [ours.predict(x) as tf.Tensor, theirs.predict(x) as tf.Tensor];
      assert.ok(maxAbsDiff(a, b) < 1e-5, `max abs diff ${maxAbsDiff(a, b)}`);
      assert.ok(Math.abs(a.sum().dataSync()[0] - 1) < 1e-4, 'softmax output');
      tf.dispose([photo, x, a, b]);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it("MobileNetV2({alpha: 0.35, includeTop: false, weights: 'imagenet'}) equals the tfjs no-top model", async () => {
    const ours = await MobileNetV2({ alpha: 0.35, includeTop: false, weights: 'imagenet', inputShape: [224, 224, 3] });
    const theirs = await loadLayersModelFromDir(await resolveAsset('mobilenet_v2_0.35_224_no_top'));
    try {
      const x = tf.randomUniform([1, 224, 224, 3], -1, 1, 'float32', 7);
      const [a, b] = [ours.predict(x) as tf.Tensor, theirs.predict(x) as tf.Tensor];
      assert.deepEqual(a.shape, [1, 7, 7, 1280]);
      assert.ok(maxAbsDiff(a, b) < 1e-4, `max abs diff ${maxAbsDiff(a, b)}`);
      tf.dispose([x, a, b]);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it('copies only the base into a no-top model, and rejects another alpha naming the layer and shapes', async () => {
    const dir = await resolveAsset('mobilenet_v1_0.25_224');
    const base = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
    const wide = await MobileNet({ alpha: 0.5, includeTop: false, inputShape: [224, 224, 3] });
    try {
      const report = await loadTfjsFolderWeights(base, dir);
      assert.equal(report.loaded.length, 54);
      await assert.rejects(loadTfjsFolderWeights(wide, dir), (err: unknown) => {
        assert.ok(err instanceof ModelError);
        assert.match(err.message, /^loadTfjsFolderWeights: layer 'conv1' weight 'conv1\/kernel' expects shape \[3, 3, 3, 16\] but the tfjs model in '.*' layer 'conv1' has .* with shape \[3, 3, 3, 8\]/);
        return true;
      });
    } finally {
      base.dispose();
      wide.dispose();
    }
  });

  it('explains ImageNet variants the course has no weights for', async () => {
    await assert.rejects(MobileNet({ alpha: 0.5, weights: 'imagenet' }), /MobileNet: no ImageNet weights are registered for alpha=0.5 .*mobilenet_5_0_224_tf\.h5/);
    await assert.rejects(MobileNetV2({ alpha: 0.35, weights: 'imagenet' }), /mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224\.h5/);
  });
});
