import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ProgressLogger } from '../../../src/train/callbacks/progress_logger';
import { compileFor } from '../../../src/train/compile';
import { fit } from '../../../src/train/fit';
import { tinyData, tinyModel, useCpu } from '../helpers';

before(useCpu);

function fakeStream(isTTY: boolean): { write(t: string): void; isTTY: boolean; text: string } {
  return { isTTY, text: '', write(t: string) { this.text += t; } };
}

test('one line per epoch with epoch/total, seconds and metrics; no batch counter off a TTY', async () => {
  const { x, y } = tinyData(30);
  const stream = fakeStream(false);
  const model = compileFor(tinyModel());
  await fit(model, { x, y }, { epochs: 3, batchSize: 10, validationData: [x, y], callbacks: [new ProgressLogger({ stream })], verbose: 0 });
  const lines = stream.text.split('\n').filter(Boolean);
  assert.equal(lines.length, 3);
  lines.forEach((line, i) => {
    assert.match(line, new RegExp(`^Epoch ${i + 1}/3 - \\d+\\.\\ds - loss: \\d\\.\\d{4} - acc: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_acc: \\d\\.\\d{4}$`));
  });
  assert.ok(!stream.text.includes('\r'));
});

test('on a TTY the batches are a bar (the one ProgressBar renderer) rewritten in place, steps known from a dataset source via fit', async () => {
  const { x, y } = tinyData(30);
  const source = {
    numBatches: 3,
    toDataset: () => tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(10),
  };
  const stream = fakeStream(true);
  const model = compileFor(tinyModel());
  await fit(model, source, { epochs: 2, callbacks: [new ProgressLogger({ stream, updateEveryMs: 0, metrics: ['loss'] })], verbose: 0 });
  assert.match(stream.text, /\rEpoch 1\/2 \[#{10}-{20}\] 1\/3 33% \S+ loss: \d\.\d{4}\x1b\[K/);
  assert.match(stream.text, /\rEpoch 1\/2 \[#{30}\] 3\/3 100% \S+ loss: \d\.\d{4}\x1b\[K\r\x1b\[KEpoch 1\/2 - \d+\.\ds - loss/);
  assert.match(stream.text, /\r\x1b\[KEpoch 2\/2 - \d+\.\ds - loss: \d\.\d{4}\n$/);
});
