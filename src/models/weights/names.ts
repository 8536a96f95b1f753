/**
 * Layer names that changed across Keras versions, mapped here (in the loaders) so the builders
 * keep today's Keras names:
 * - ResNet50 in keras_applications < 1.0.8 / keras < 2.2.5: 'conv1', 'bn_conv1',
 *   'res2a_branch2a', 'bn2a_branch1', ..., 'fc1000' (today 'conv1_conv', 'conv1_bn',
 *   'conv2_block1_1_conv', 'conv2_block1_0_bn', ..., 'predictions').
 * - Keras 2.0-2.2 numbered auto-named layers from 1 ('conv2d_1', 'batch_normalization_1'),
 *   tf.keras from 0 ('conv2d', 'conv2d_1'): InceptionV3's .h5 files use the old numbering.
 */

const BLOCK_LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Older names the same layer had in earlier Keras versions (may be empty). */
export function legacyNames(name: string): string[] {
  if (name === 'conv1_conv') return ['conv1'];
  if (name === 'conv1_bn') return ['bn_conv1'];
  if (name === 'predictions') return ['fc1000'];
  const m = /^conv(\d)_block(\d+)_(\d)_(conv|bn)$/.exec(name);
  if (m) {
    const [, stage, block, k, kind] = m;
    const letter = BLOCK_LETTERS[Number(block) - 1];
    const branch = k === '0' ? '1' : `2${'abc'[Number(k) - 1]}`;
    return [`${kind === 'conv' ? 'res' : 'bn'}${stage}${letter}_branch${branch}`];
  }
  return [];
}

const AUTO_NAME = /^([a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*?)(?:_(\d+))?$/;

/**
 * For files whose auto-named layers count from 1 (Keras 2.0-2.2) while the model's count from 0,
 * returns model name -> file name for those layers ('conv2d' -> 'conv2d_1', 'conv2d_5' ->
 * 'conv2d_6'); empty when the numbering agrees. A prefix is shifted only if the file has
 * `prefix_1` but no bare `prefix` while the model has the bare `prefix`.
 */
export function autoNameShift(modelNames: string[], fileNames: string[]): Map<string, string> {
  const file = new Set(fileNames);
  const model = new Set(modelNames);
  const shifted = new Map<string, string>();
  for (const name of modelNames) {
    const m = AUTO_NAME.exec(name);
    if (!m) continue;
    const [, prefix, num] = m;
    const prefixShifted = model.has(prefix) && !file.has(prefix) && file.has(`${prefix}_1`);
    if (!prefixShifted) continue;
    shifted.set(name, `${prefix}_${num === undefined ? 1 : Number(num) + 1}`);
  }
  return shifted;
}
