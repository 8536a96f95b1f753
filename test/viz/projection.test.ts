import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from '../../src/errors';
import { pca2d, projectionFigure } from '../../src/viz/projection';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('points on a line: the first component runs along it with a positive sign', () => {
  // y = 2x + 1, x = -2..2: direction (1, 2)/sqrt(5) whichever order the rows come in.
  const rows = [-2, -1, 0, 1, 2].map((x) => [x, 2 * x + 1]);
  for (const input of [rows, [...rows].reverse(), rows.map((r) => Float32Array.from(r))]) {
    const pca = pca2d(input);
    close(pca.components[0][0], 1 / Math.sqrt(5));
    close(pca.components[0][1], 2 / Math.sqrt(5));
    close(pca.explainedVarianceRatio[0], 1);
    close(pca.explainedVarianceRatio[1], 0);
    close(pca.mean[1], 1);
  }
  const pca = pca2d(rows);
  // Projection = signed distance along the line from the mean.
  pca.points.forEach(([p1, p2], i) => {
    close(p1, (i - 2) * Math.sqrt(5));
    close(p2, 0);
  });
});

test('more dimensions than samples uses the Gram matrix and agrees with the covariance path', () => {
  // 4 samples in 6-D, all variation in two planted directions.
  const u = [1, 0, 0, 1, 0, 0].map((v) => v / Math.SQRT2);
  const w = [0, 1, 0, 0, 0, -1].map((v) => v / Math.SQRT2);
  const coeffs = [[3, 1], [-3, 1], [2, -1], [-2, -1]];
  const rows = coeffs.map(([a, b]) => u.map((ui, k) => 5 + a * ui + b * w[k]));
  const pca = pca2d(rows);
  pca.components[0].forEach((v, k) => close(v, u[k], 1e-7));
  pca.components[1].forEach((v, k) => close(v, w[k], 1e-7));
  close(pca.explainedVarianceRatio[0] + pca.explainedVarianceRatio[1], 1, 1e-9);
  pca.points.forEach(([p1, p2], i) => {
    close(p1, coeffs[i][0] - 0, 1e-7);
    close(p2, coeffs[i][1] - 0, 1e-7);
  });
});

test('identical rows give zero components instead of NaN', () => {
  const pca = pca2d([[1, 2, 3], [1, 2, 3]]);
  assert.deepEqual(pca.points, [[0, 0], [0, 0]]);
  assert.deepEqual(pca.explainedVarianceRatio, [0, 0]);
});

test('ragged input is rejected with the row number', () => {
  assert.throws(() => pca2d([[1, 2], [1]]), (e: Error) => e instanceof DataError && /pca2d: row 1 has 1 values but row 0 has 2/.test(e.message));
});

test('projectionFigure: one legend entry per class, variance in the axis titles', () => {
  const rows = [[0, 0], [1, 0.1], [5, 5], [6, 5.2]];
  const fig = projectionFigure(pca2d(rows), [0, 0, 1, 1], ['ants', 'bees'], 'features');
  assert.deepEqual(fig.data.map((t) => t.name), ['ants', 'bees']);
  assert.equal((fig.data[0].x as number[]).length, 2);
  assert.match((fig.layout.xaxis as { title: { text: string } }).title.text, /^PC 1 \(\d+\.\d% of variance\)$/);
  assert.equal(fig.layout.showlegend, true);
  assert.throws(() => projectionFigure([[0, 0]], [0, 1], ['a']), /1 points but 2 labels/);
});
