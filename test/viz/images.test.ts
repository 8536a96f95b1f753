import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { DataError } from '../../src/errors';
import { imageGridFigure, predictionTitle, toUint8Pixels } from '../../src/viz/images';
import { getTheme } from '../../src/viz/theme';
import { textWidth } from '../../src/viz/figure';
import { wrapTitle } from '../../src/viz/grid';

function gradient(h: number, w: number): Uint8Array {
  const d = new Uint8Array(h * w * 3);
  for (let i = 0; i < h * w; i++) d.set([(i * 7) % 256, 0, 200], i * 3);
  return d;
}

async function decode(url: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  assert.match(url, /^data:image\/png;base64,/);
  const { data, info } = await sharp(Buffer.from(url.split(',')[1], 'base64')).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

test('each image becomes a plotly image trace with a PNG data URL on its own axes', async () => {
  const images = [
    { data: gradient(4, 6), height: 4, width: 6, channels: 3, label: 'ants' },
    { data: gradient(4, 6), height: 4, width: 6, channels: 3, title: predictionTitle('ants', 'bees', 0.87), border: 'bad' as const },
    { data: new Float32Array(4 * 6).fill(0.5), height: 4, width: 6, channels: 1, border: 'ok' as const },
  ];
  const fig = await imageGridFigure(images, { columns: 2, title: 'Batch' });
  assert.equal(fig.data.length, 3);
  assert.ok(fig.data.every((t) => t.type === 'image'));
  assert.deepEqual(fig.data.map((t) => [t.xaxis, t.yaxis]), [['x', 'y'], ['x2', 'y2'], ['x3', 'y3']]);
  const first = await decode(fig.data[0].source as string);
  assert.deepEqual([first.width, first.height, first.channels], [6, 4, 3]);
  assert.deepEqual([...first.data.subarray(0, 6)], [0, 0, 200, 7, 0, 200]);
  const grey = await decode(fig.data[2].source as string);
  assert.equal(grey.data[0], 128, 'Float32 in [0,1] is scaled by 255');

  const titles = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.deepEqual(titles, ['ants', 'true: ants<br>pred: bees (87%)']);
  const shapes = fig.layout.shapes as { xref: string; x1: number; y1: number; line: { color: string } }[];
  assert.deepEqual(shapes.map((s) => s.xref), ['x2', 'x3']);
  assert.equal(shapes[0].line.color, getTheme().badColor);
  assert.equal(shapes[1].line.color, getTheme().okColor);
  assert.deepEqual([shapes[0].x1, shapes[0].y1], [5.5, 3.5], 'frame hugs the pixel edges');
  // Two columns: tiles 1 and 2 share a row, tile 3 is below.
  const dom = (k: string): number[] => (fig.layout[k] as { domain: number[] }).domain;
  assert.deepEqual(dom('yaxis'), dom('yaxis2'));
  assert.ok(dom('yaxis3')[1] < dom('yaxis')[0]);
  assert.ok(dom('xaxis')[1] <= dom('xaxis2')[0]);
});

test('large images are scaled down before encoding, small ones are kept', async () => {
  const fig = await imageGridFigure([{ data: gradient(300, 600), height: 300, width: 600, channels: 3 }]);
  const big = await decode(fig.data[0].source as string);
  assert.deepEqual([big.width, big.height], [256, 128]);
});

test('pixel scaling: [0,1] floats x255, [0,255] kept, negative ranges min-max rescaled', () => {
  assert.deepEqual([...toUint8Pixels(new Float32Array([0, 0.5, 1]))], [0, 128, 255]);
  assert.deepEqual([...toUint8Pixels(new Float32Array([0, 100, 255]))], [0, 100, 255]);
  assert.deepEqual([...toUint8Pixels(new Float32Array([-1, 0, 1]))], [0, 128, 255]);
});

test('wrong sizes fail with the expected length in the message', async () => {
  await assert.rejects(
    imageGridFigure([{ data: new Uint8Array(10), height: 2, width: 2, channels: 3 }]),
    (e: Error) => e instanceof DataError && /image data has 10 values but 2x2x3 needs 12/.test(e.message),
  );
  await assert.rejects(imageGridFigure([]), /imageGridFigure: images is empty/);
});

test('a title wider than its tile widens the column instead of being clipped at both ends', async () => {
  const title = 'val/ants/1119630822_cd325ea21a.jpg'; // notebook 00's photo
  const image = { data: gradient(4, 6), height: 4, width: 6, channels: 3, title };
  const fig = await imageGridFigure([image]);
  const theme = getTheme();
  const needed = textWidth(title, theme.annotationFontSize);
  assert.ok(needed > theme.tileSize, 'the case under test: the title is wider than the tile');
  const margin = fig.layout.margin as { l: number; r: number };
  assert.ok((fig.layout.width as number) - margin.l - margin.r >= needed, `plot area ${fig.layout.width} px < title ${needed} px`);
  const xDomain = (fig.layout.xaxis as { domain: [number, number] }).domain;
  assert.ok(Math.abs((xDomain[0] + xDomain[1]) / 2 - 0.5) < 1e-9, 'the tile is centred under its title');
  assert.equal((fig.layout.annotations as { text: string }[])[0].text, title, 'short enough to stay on one line');
});

test('wrapTitle breaks over-long titles at path separators, keeping every character', () => {
  const title = 'train/dandelion/a_very_long_file_name_from_a_camera_0001.jpg';
  const wrapped = wrapTitle(title, 150, 12);
  const lines = wrapped.split('\n');
  assert.ok(lines.length >= 3, wrapped);
  assert.ok(lines.every((l) => textWidth(l, 12) <= 150), wrapped);
  assert.equal(lines.join(''), title);
  assert.ok(lines.slice(0, -1).every((l) => /[/_\- ]$/.test(l)), `each break follows a separator: ${wrapped}`);
  assert.equal(wrapTitle('true: ants\npred: bees', 150, 12), 'true: ants\npred: bees', 'short lines are kept as they are');
  assert.equal(wrapTitle('x'.repeat(40), 60, 10).split('\n')[0], 'x'.repeat(10), 'no separator: cut at the width');
});
