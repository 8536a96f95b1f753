import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from '../../src/errors';
import { confusionMargins, confusionMatrixFigure } from '../../src/viz/confusion';
import { textWidth } from '../../src/viz/figure';
import { getTheme } from '../../src/viz/theme';

type Note = { text: string; x: string; y: string };

test('heatmap with one count annotation per cell, true classes as rows', () => {
  const m = [
    [5, 1, 0],
    [2, 7, 1],
    [0, 0, 9],
  ];
  const fig = confusionMatrixFigure(m, ['ants', 'bees', 'wasps']);
  assert.equal(fig.data.length, 1);
  assert.equal(fig.data[0].type, 'heatmap');
  assert.deepEqual(fig.data[0].z, m);
  const notes = fig.layout.annotations as Note[];
  assert.equal(notes.length, 9);
  assert.deepEqual(notes.map((a) => a.text), ['5', '1', '0', '2', '7', '1', '0', '0', '9']);
  assert.deepEqual([notes[3].y, notes[3].x], ['bees', 'ants'], 'row = true label, column = predicted');
  const axes = fig.layout as Record<string, { title: { text: string }; autorange?: string; type?: string }>;
  assert.equal(axes.xaxis.title.text, 'predicted label');
  assert.equal(axes.yaxis.title.text, 'true label');
  assert.equal(axes.yaxis.autorange, 'reversed', 'first class on top');
  assert.equal(axes.xaxis.type, 'category', 'digit class names stay categories');
});

test('normalize colours by row fraction and adds percentages to the counts', () => {
  const fig = confusionMatrixFigure([[3, 1], [0, 0]], ['0', '1'], { normalize: true });
  assert.deepEqual(fig.data[0].z, [[0.75, 0.25], [0, 0]]);
  assert.equal(fig.data[0].zmax, 1);
  assert.deepEqual((fig.layout.annotations as Note[]).map((a) => a.text), ['3<br>75%', '1<br>25%', '0<br>0%', '0<br>0%']);
});

test('class names are escaped for plotly labels', () => {
  const fig = confusionMatrixFigure([[1]], ['a<b>']);
  assert.deepEqual(fig.data[0].x, ['a&lt;b&gt;']);
});

test('a matrix that does not match the class names is rejected', () => {
  assert.throws(
    () => confusionMatrixFigure([[1, 2]], ['a', 'b']),
    (e: Error) => e instanceof DataError && /confusionMatrixFigure: matrix must be 2x2 to match classNames \(2 names\), got 1x2/.test(e.message),
  );
});

test('count text is white on dark cells and dark on light cells, in both themes', async () => {
  const { setTheme } = await import('../../src/viz/theme');
  const colors = (): string[] =>
    (confusionMatrixFigure([[10, 0], [0, 10]], ['a', 'b']).layout.annotations as { font: { color: string } }[]).map((a) => a.font.color);
  // Default: Blues, dark at the top of the scale.
  assert.deepEqual(colors(), ['#ffffff', '#222222', '#222222', '#ffffff']);
  // Projector: viridis, dark at the bottom.
  setTheme('projector');
  assert.deepEqual(colors(), ['#000000', '#ffffff', '#ffffff', '#000000']);
  setTheme('default');
});

type Margin = { l: number; r: number; b: number; t: number };
type Axis = { title: { text: string; standoff: number }; tickangle: number };

test('margins grow with the longest class name, so the axis titles clear the tick labels', () => {
  const names = (longest: string): string[] => ['iris', 'daisy', 'pansy', 'bluebell', longest];
  const m = [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]];
  const short = confusionMatrixFigure(m, names('rose'));
  const long = confusionMatrixFigure(m, names('lily-of-the-valley'));
  const [ms, ml] = [short.layout.margin as Margin, long.layout.margin as Margin];
  assert.ok(ml.l > ms.l && ml.b > ms.b, `left ${ms.l} -> ${ml.l}, bottom ${ms.b} -> ${ml.b}`);
  // 'lily-of-the-valley' is 18 characters: at 12 px ticks that is ~130 px beside the rows.
  assert.ok(ml.l - ms.l >= textWidth('lily-of-the-valley', 12) - textWidth('bluebell', 12));
  const y = long.layout.yaxis as Axis;
  const x = long.layout.xaxis as Axis;
  assert.ok(y.title.standoff > 0 && x.title.standoff > 0, 'titles keep a gap to the tick labels');
  assert.equal(x.tickangle, -40, 'five classes: rotated column labels');
  assert.ok(ml.l >= textWidth('lily-of-the-valley', 12) + y.title.standoff + 14, 'labels + gap + title fit in the left margin');
  // The matrix keeps its size: the figure grows by what the margins grew.
  assert.equal((long.layout.width as number) - ml.l - ml.r, (short.layout.width as number) - ms.l - ms.r);
});

test('confusionMargins: Chinese class names count one em per character; unrotated labels need one text line', () => {
  const theme = getTheme();
  const latin = confusionMargins(['ab'], theme, 0, 40);
  const chinese = confusionMargins(['蒲公英'], theme, 0, 40);
  assert.equal(chinese.l - latin.l, textWidth('蒲公英', theme.tickFontSize) - textWidth('ab', theme.tickFontSize));
  assert.equal(latin.b, chinese.b, 'horizontal labels: the bottom margin does not depend on their length');
  assert.ok(confusionMargins(['a-much-longer-name'], theme, 40, 40).b > confusionMargins(['ab'], theme, 40, 40).b);
});
