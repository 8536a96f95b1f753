import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { VGG16, VGG19 } from '../../src/models';
import { useWasm } from './helpers';

// Building a VGG top allocates ~550 MB of random weights (~5 s each): each variant is built once.
describe('VGG16 / VGG19', () => {
  before(useWasm);

  const cases = [
    { fn: VGG16, name: 'vgg16', includeTop: true, params: 138_357_544, last: 'block5_conv3' },
    { fn: VGG16, name: 'vgg16', includeTop: false, params: 14_714_688, last: 'block5_conv3' },
    { fn: VGG19, name: 'vgg19', includeTop: true, params: 143_667_240, last: 'block5_conv4' },
    { fn: VGG19, name: 'vgg19', includeTop: false, params: 20_024_384, last: 'block5_conv4' },
  ];
  for (const c of cases) {
    it(`${c.name} includeTop=${c.includeTop}: ${c.params.toLocaleString('en-US')} params and Keras layer names`, async () => {
      const model = await c.fn({ includeTop: c.includeTop, inputShape: [224, 224, 3] });
      try {
        assert.equal(model.countParams(), c.params);
        assert.equal(model.name, c.name);
        const names = model.layers.map((l) => l.name);
        assert.ok(names.includes(c.last));
        assert.ok(names.includes('block2_pool'));
        if (c.includeTop) {
          assert.deepEqual(names.slice(-5), ['block5_pool', 'flatten', 'fc1', 'fc2', 'predictions']);
        } else {
          assert.equal(names[names.length - 1], 'block5_pool');
          assert.deepEqual(model.outputs[0].shape, [null, 7, 7, 512]);
        }
      } finally {
        model.dispose();
      }
    });
  }
});
