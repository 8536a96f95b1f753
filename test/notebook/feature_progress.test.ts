import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { featureProgress, featureProgressBars, textProgressBar } from '../../src/notebook/feature_progress';
import { FakeTslab, installFakeTslab } from './fake_tslab';

let fake: FakeTslab | undefined;
afterEach(() => {
  fake?.uninstall();
  fake = undefined;
});

test('featureProgress draws one bar over all passes and notes cached passes', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) };
  const progress = featureProgress({ samples: 10, passes: 2, label: 'pooled', stream });
  progress({ phase: 'cached', done: 10, total: 10, seconds: 0, copy: 0 });
  progress({ phase: 'extract', done: 5, total: 10, seconds: 1, copy: 1 });
  progress({ phase: 'extract', done: 10, total: 10, seconds: 2, copy: 1 });
  const text = lines.join('');
  assert.match(lines[0], /^pooled \[.*\] 10\/20 50%/);
  assert.match(text, /15\/20 75%/);
  assert.match(lines[lines.length - 1], /20\/20 100% .*images \(1 from the disk cache\)/);
  assert.throws(() => featureProgress({ samples: 10, passes: 0 }), /featureProgress\(\): .*passes 0/);
});

test('featureProgressBars draws one bar per pass of bottleneckFeatures, the augmented bar over every copy', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) };
  const progress = featureProgressBars({ train: { samples: 10 }, val: { samples: 4 }, copies: 2 }, stream);
  progress('train', { phase: 'extract', done: 10, total: 10, seconds: 1, copy: 0 });
  progress('augmented', { phase: 'cached', done: 10, total: 10, seconds: 0, copy: 0 });
  progress('augmented', { phase: 'extract', done: 10, total: 10, seconds: 2, copy: 1 });
  progress('val', { phase: 'cached', done: 4, total: 4, seconds: 0, copy: 0 });
  const text = lines.join('');
  assert.match(text, /train \[.*\] 10\/10 100%/);
  assert.match(text, /augmented \[.*\] 10\/20 50%/);
  assert.match(text, /augmented \[.*\] 20\/20 100% .*images \(1 from the disk cache\)/);
  assert.match(text, /val \[.*\] 4\/4 100% .*images \(all from the disk cache\)/);
});

test('without passes each copy gets its own bar, labelled with its copy, and a bad samples is refused', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) };
  const progress = featureProgress({ label: 'aug', stream });
  progress({ phase: 'extract', done: 8, total: 8, seconds: 1, copy: 0 });
  progress({ phase: 'cached', done: 8, total: 8, seconds: 0, copy: 1 });
  assert.match(lines[0], /^aug \[#+\] 8\/8 100% .* images\n$/);
  assert.match(lines[1], /^aug copy 1 \[#+\] 8\/8 100% .*images \(all from the disk cache\)\n$/);
  assert.throws(() => featureProgress({ samples: -1 }), /featureProgress\(\): samples must be a whole number >= 0 .*received samples -1/);
});

test('featureProgressBars puts its label before each pass name (the CLI names the model)', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => lines.push(s) };
  const progress = featureProgressBars({ train: { samples: 2 }, val: { samples: 2 }, label: 'mobilenet:pooled' }, stream);
  progress('train', { phase: 'extract', done: 2, total: 2, seconds: 1, copy: 0 });
  assert.match(lines[0], /^mobilenet:pooled train \[#+\] 2\/2 100%/);
});

test('in a notebook, textProgressBar (notebook 02) and featureProgressBars (notebook 05) publish the same HTML bar', () => {
  fake = installFakeTslab();
  textProgressBar('val')({ phase: 'extract', done: 4, total: 4, seconds: 1, copy: 0 });
  featureProgressBars({ train: { samples: 4 }, val: { samples: 4 } })('val', { phase: 'extract', done: 4, total: 4, seconds: 1, copy: 0 });
  const htmls = fake.sent.map((m) => m.data['text/html']).filter((h): h is string => typeof h === 'string');
  assert.equal(htmls.length, 2, JSON.stringify(fake.sent));
  const shape = (h: string) => h.replace(/\d+(\.\d+)?s/g, 'T');
  assert.match(htmls[0], /class="transfer-lab-progress"/);
  assert.equal(shape(htmls[0]), shape(htmls[1]));
});
