import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { autoNameShift, legacyNames } from '../../../src/models/weights/names';

describe('legacy Keras layer names', () => {
  it('maps ResNet50 names to the keras_applications < 1.0.8 ones', () => {
    assert.deepEqual(legacyNames('conv1_conv'), ['conv1']);
    assert.deepEqual(legacyNames('conv1_bn'), ['bn_conv1']);
    assert.deepEqual(legacyNames('conv2_block1_1_conv'), ['res2a_branch2a']);
    assert.deepEqual(legacyNames('conv2_block1_0_bn'), ['bn2a_branch1']);
    assert.deepEqual(legacyNames('conv4_block6_3_conv'), ['res4f_branch2c']);
    assert.deepEqual(legacyNames('predictions'), ['fc1000']);
    assert.deepEqual(legacyNames('block1_conv1'), []);
  });

  it('shifts auto names only for prefixes the file numbers from 1', () => {
    const shift = autoNameShift(
      ['input_1', 'conv2d', 'conv2d_1', 'batch_normalization', 'mixed0', 'dense'],
      ['input_1', 'conv2d_1', 'conv2d_2', 'batch_normalization_1', 'mixed0', 'dense'],
    );
    assert.deepEqual([...shift], [['conv2d', 'conv2d_1'], ['conv2d_1', 'conv2d_2'], ['batch_normalization', 'batch_normalization_1']]);
    assert.equal(autoNameShift(['conv2d', 'conv2d_1'], ['conv2d', 'conv2d_1']).size, 0);
  });
});
