import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from '../../src/errors';
import { activationMapsFigure, filterGridFigure } from '../../src/viz/filters';

test('first-layer filters: one RGB image per output filter, normalised per filter', () => {
  const [kh, kw, cin, cout] = [2, 2, 3, 4];
  const data = new Float32Array(kh * kw * cin * cout);
  // Filter o has value (pixel index + 1) * (o + 1) in its red channel, 0 elsewhere.
  for (let p = 0; p < kh * kw; p++) for (let o = 0; o < cout; o++) data[(p * cin + 0) * cout + o] = (p + 1) * (o + 1);
  const fig = filterGridFigure({ data, shape: [kh, kw, cin, cout] }, { max: 3 });
  assert.equal(fig.data.length, 3, 'max limits the tiles');
  assert.ok(fig.data.every((t) => t.type === 'image' && t.colormodel === 'rgb'));
  const z = fig.data[2].z as number[][][];
  // Filter 2 spans 0 (green, blue) .. 12 (red of the last pixel): red 3 -> 64, 12 -> 255.
  assert.deepEqual(z[0][0], [64, 0, 0]);
  assert.deepEqual(z[1][1], [255, 0, 0], 'per-filter min-max scaling');
  assert.deepEqual((fig.layout.annotations as { text: string }[]).map((a) => a.text), ['#0', '#1', '#2']);
  assert.throws(() => filterGridFigure({ data, shape: [2, 2, 3] as unknown as [number, number, number, number] }), DataError);
});

test('activation maps: the most active channels as heatmaps, in channel order', () => {
  const [h, w, c] = [3, 3, 5];
  const data = new Float32Array(h * w * c);
  const level = [0.1, 5, 0.2, 3, 4];
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) data[i * c + k] = level[k] * (i + 1);
  const fig = activationMapsFigure({ data, shape: [1, h, w, c] }, { channels: 3 });
  assert.ok(fig.data.every((t) => t.type === 'heatmap'));
  assert.deepEqual((fig.layout.annotations as { text: string }[]).map((a) => a.text), ['channel 1', 'channel 3', 'channel 4']);
  const z = fig.data[0].z as number[][];
  assert.equal(z[0][1], 10, 'row-major HWC indexing');
  assert.throws(() => activationMapsFigure({ data, shape: [h, w] }), /maps.shape must be \[h, w, c\]/);
});
