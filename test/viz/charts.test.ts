import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barFigure, scatterFigure } from '../../src/viz/charts';

test('bar chart writes each value on its bar, percentages on request', () => {
  const fig = barFigure(['scratch', 'frozen'], [0.61, 0.885], { percent: true, yTitle: 'accuracy' });
  assert.equal(fig.data.length, 1);
  assert.equal(fig.data[0].type, 'bar');
  assert.deepEqual(fig.data[0].x, ['scratch', 'frozen']);
  assert.deepEqual(fig.data[0].text, ['61.0%', '88.5%']);
  const yaxis = fig.layout.yaxis as { tickformat: string; title: { text: string } };
  assert.equal(yaxis.tickformat, '.0%');
  assert.equal(yaxis.title.text, 'accuracy');
  assert.equal(fig.layout.showlegend, false);
});

test('several series become grouped bars with a legend; mismatched lengths are rejected', () => {
  const fig = barFigure(['a', 'b'], { frozen: [1, 2], tuned: [3, 4] }, { horizontal: true });
  assert.deepEqual(fig.data.map((t) => t.name), ['frozen', 'tuned']);
  assert.deepEqual(fig.data[0].y, ['a', 'b']);
  assert.equal(fig.data[0].orientation, 'h');
  assert.equal(fig.layout.barmode, 'group');
  assert.equal(fig.layout.showlegend, true);
  assert.throws(() => barFigure(['a', 'b'], { x: [1] }), /barFigure: series "x" has 1 values for 2 labels/);
});

test('scatter: one trace per group in the given order, labels as text, log axis', () => {
  const fig = scatterFigure(
    [
      { x: 4e6, y: 0.7, label: 'MobileNet', group: 'small' },
      { x: 1.4e8, y: 0.71, label: 'VGG16', group: 'large' },
      { x: 2.5e7, y: 0.75, label: 'ResNet50', group: 'large' },
    ],
    { logX: true, groups: ['small', 'large'], xTitle: 'parameters' },
  );
  assert.deepEqual(fig.data.map((t) => t.name), ['small', 'large']);
  assert.deepEqual(fig.data[1].text, ['VGG16', 'ResNet50']);
  assert.equal(fig.data[0].mode, 'markers+text');
  assert.notEqual((fig.data[0].marker as { symbol: string }).symbol, (fig.data[1].marker as { symbol: string }).symbol);
  assert.equal((fig.layout.xaxis as { type: string }).type, 'log');
});
