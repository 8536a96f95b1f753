import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { MobileNet, ResNet50, summary, formatCount } from '../../src/models';
import { useWasm } from './helpers';

describe('summary (Keras model.summary as data)', () => {
  before(useWasm);

  it('lists layers, shapes and params with Keras totals, frozen layers counted as non-trainable', async () => {
    const model = await MobileNet({ alpha: 0.25, includeTop: false, inputShape: [224, 224, 3] });
    try {
      model.getLayer('conv1').trainable = false;
      const s = summary(model);
      assert.equal(s.totalParams, model.countParams());
      assert.equal(s.totalParams, 218_544);
      // Frozen conv1 kernel (216) + every BN's moving mean and variance are non-trainable.
      const bnStats = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').reduce((n, l) => n + l.countParams() / 2, 0);
      assert.equal(s.nonTrainableParams, 216 + bnStats);
      assert.equal(s.trainableParams + s.nonTrainableParams, s.totalParams);
      assert.equal(s.rows.length, model.layers.length);
      assert.deepEqual(s.rows[1], { name: 'conv1', className: 'Conv2D', outputShape: '(None, 112, 112, 8)', params: 216, trainable: false, connectedTo: ['input_1[0][0]'] });
      const lines = s.text.split('\n');
      assert.equal(lines[0], 'Model: "mobilenet_0.25_224"');
      assert.match(lines[2], /^Layer \(type\) +Output Shape +Param #$/);
      assert.ok(lines.some((l) => /^conv1 \(Conv2D\) +\(None, 112, 112, 8\) +216$/.test(l)));
      assert.ok(lines.includes('Total params: 218,544'));
      assert.ok(lines.includes(`Non-trainable params: ${formatCount(s.nonTrainableParams)}`));
      assert.ok(!s.text.includes('Connected to'), 'a straight chain has no Connected to column');
      assert.match(s.html, /^<table class="transfer-lab-summary">/);
      assert.ok(s.html.includes('<td style="text-align:left;font-family:monospace">conv_pw_13_relu (ReLU)</td>'));
      assert.ok(s.html.includes('Total params: 218,544'));
    } finally {
      model.dispose();
    }
  });

  it('adds Connected to for branching models', async () => {
    const model = await ResNet50({ includeTop: false, inputShape: [64, 64, 3] });
    try {
      const s = summary(model);
      const add = s.rows.find((r) => r.name === 'conv2_block1_add');
      assert.deepEqual(add?.connectedTo, ['conv2_block1_0_bn[0][0]', 'conv2_block1_3_bn[0][0]']);
      assert.match(s.text.split('\n')[2], /Connected to$/);
      assert.ok(s.text.includes('Total params: 23,587,712'));
      assert.ok(s.html.includes('conv2_block1_0_bn[0][0]<br>conv2_block1_3_bn[0][0]'));
    } finally {
      model.dispose();
    }
  });
});
