import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { LivePlot } from '../../../src/train/callbacks/live_plot';
import { compileFor } from '../../../src/train/compile';
import { fit } from '../../../src/train/fit';
import type { Figure } from '../../../src/viz';
import { tinyData, tinyModel, useCpu } from '../helpers';
import { FakeTslab, installFakeTslab } from '../../notebook/fake_tslab';

before(useCpu);

function fakeDisplay(): { update(x: unknown): void; close(): void; figures: Figure[]; closed: number } {
  return {
    figures: [],
    closed: 0,
    update(x: unknown) {
      this.figures.push(x as Figure);
    },
    close() {
      this.closed++;
    },
  };
}

test('redraws after every epoch and continues an earlier history with a fine-tuning marker', async () => {
  const { x, y } = tinyData(20);
  const model = compileFor(tinyModel());
  const first = fakeDisplay();
  const h1 = await fit(model, { x, y }, { epochs: 2, batchSize: 10, validationData: [x, y], callbacks: [new LivePlot({ display: first })], verbose: 0 });
  assert.equal(first.figures.length, 2);
  assert.equal(first.closed, 1);
  assert.equal(first.figures[1].layout.shapes, undefined, 'one phase: no marker');

  const second = fakeDisplay();
  const plot = new LivePlot({ display: second });
  await fit(model, { x, y }, { epochs: 5, batchSize: 10, validationData: [x, y], history: h1, callbacks: [plot], verbose: 0 });
  assert.equal(second.figures.length, 3, 'one update per epoch of this run');
  const last = second.figures[2];
  const loss = last.data.find((t) => t.name === 'loss');
  assert.deepEqual(loss?.x, [1, 2, 3, 4, 5], 'earlier epochs drawn too, counted from 1');
  const shapes = last.layout.shapes as { x0: number }[];
  assert.equal(shapes[0].x0, 2.5, 'marker between epoch 2 and 3, where fine-tuning starts');
  assert.deepEqual(plot.history.phases, [
    { name: 'train', startEpoch: 0 },
    { name: 'fine-tune', startEpoch: 2 },
  ]);
});

/** Display ids of the plotly outputs a (fake) notebook received, in order of first appearance. */
function chartIds(fake: FakeTslab): string[] {
  const ids = fake.sent.filter((m) => m.displayId !== undefined && 'application/vnd.plotly.v1+json' in m.data).map((m) => m.displayId!);
  return [...new Set(ids)];
}

test('in a notebook, one LivePlot given to both phases (as trainClassifier does) draws one chart, not two', async () => {
  const fake = installFakeTslab();
  try {
    const { x, y } = tinyData(20);
    const model = compileFor(tinyModel());
    const plot = new LivePlot({ title: 'head, then fine-tuning' });
    const h1 = await fit(model, { x, y }, { epochs: 2, batchSize: 10, validationData: [x, y], callbacks: [plot], verbose: 0 });
    await fit(model, { x, y }, { epochs: 4, batchSize: 10, validationData: [x, y], history: h1, phase: 'fine-tune', callbacks: [plot], verbose: 0 });
    const ids = chartIds(fake);
    assert.equal(ids.length, 1, `expected one chart updated in place, got ${ids.length}`);
    const last = fake.sent.filter((m) => m.displayId === ids[0]).pop()!.data['application/vnd.plotly.v1+json'] as Figure;
    assert.deepEqual(last.data.find((t) => t.name === 'loss')?.x, [1, 2, 3, 4], 'the one chart ends with both phases');

    // A new LivePlot, or the same one on an unrelated run, starts a chart of its own.
    await fit(compileFor(tinyModel()), { x, y }, { epochs: 1, batchSize: 10, validationData: [x, y], callbacks: [plot], verbose: 0 });
    await fit(model, { x, y }, { epochs: 5, batchSize: 10, validationData: [x, y], history: h1, callbacks: [new LivePlot()], verbose: 0 });
    assert.equal(chartIds(fake).length, 3);
  } finally {
    fake.uninstall();
  }
});
