import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayWidth, formatCell, toHtmlTable } from '../../src/viz/tables';

test('cells are HTML-escaped, a <script> in a cell stays text', () => {
  const t = toHtmlTable([{ name: '<script>alert("x")</script>', n: 1 }], { caption: 'a & b' });
  assert.ok(!t.html.includes('<script>'));
  assert.ok(t.html.includes('&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;'));
  assert.ok(t.html.includes('<caption') && t.html.includes('a &amp; b'));
  assert.ok(t.text.includes('<script>alert("x")</script>'), 'the terminal form shows the raw text');
});

test('text form: numbers right-aligned, strings left-aligned, columns line up', () => {
  const t = toHtmlTable(
    [
      { model: 'MobileNetV2', accuracy: 0.9312, params: 2257984 },
      { model: 'VGG16', accuracy: 0.88, params: 14714688 },
    ],
    { format: { accuracy: 'percent' } },
  );
  assert.equal(
    t.text,
    [
      'model        accuracy    params',
      '-----------  --------  --------',
      'MobileNetV2     93.1%   2257984',
      'VGG16           88.0%  14714688',
    ].join('\n'),
  );
  assert.match(t.html, /<td style="padding:4px 10px;text-align:right[^"]*">93.1%<\/td>/);
});

test('wide (Chinese) characters count as two columns', () => {
  assert.equal(displayWidth('蜜蜂'), 4);
  const t = toHtmlTable([{ class: '蜜蜂', n: 1 }, { class: 'ants', n: 22 }]);
  const lines = t.text.split('\n');
  assert.equal(displayWidth(lines[2]), displayWidth(lines[3]));
});

test('columns option picks and orders columns; format functions and digits apply', () => {
  const t = toHtmlTable([{ a: 1.23456, b: 'x', c: 3 }], { columns: ['c', 'a'], format: { a: 2, c: (v) => `#${v}` } });
  // Both columns hold numbers, so both are right-aligned, headers included.
  assert.equal(t.text.split('\n')[0], ' c     a');
  assert.equal(t.text.split('\n')[2], '#3  1.23');
});

test('never dumps raw objects: arrays, typed arrays, nested objects and tensors are summarised', () => {
  assert.equal(formatCell([1, 2.5]), '[1, 2.5]');
  assert.equal(formatCell(new Float32Array(5)), 'Float32Array(5)');
  assert.equal(formatCell({ shape: [2, 3], dtype: 'float32', id: 1 }), 'Tensor [2,3] float32');
  assert.equal(formatCell({ a: 1 }), '{"a":1}');
  assert.equal(formatCell(null), '');
  assert.equal(formatCell(0.123456), '0.1235');
  assert.ok(!toHtmlTable([{ o: { deep: { x: 1 } } }]).text.includes('[object Object]'));
});

test('accepts a danfojs DataFrame (columns + values)', () => {
  const df = { columns: ['class', 'count'], values: [['ants', 124], ['bees', 121]], index: [0, 1] };
  const t = toHtmlTable(df, { caption: 'train' });
  assert.deepEqual(t.text.split('\n'), ['train', 'class  count', '-----  -----', 'ants     124', 'bees     121']);
});
