import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from '../../src/errors';
import { trainingCurvesFigure } from '../../src/viz/training';

const history = {
  epoch: [0, 1, 2, 3, 4, 5],
  history: {
    loss: [1.0, 0.8, 0.6, 0.5, 0.4, 0.3],
    val_loss: [1.1, 0.9, 0.7, 0.65, 0.6, 0.55],
    acc: [0.5, 0.6, 0.7, 0.75, 0.8, 0.85],
    val_acc: [0.45, 0.55, 0.65, 0.7, 0.72, NaN],
    lr: [0.01, 0.01, 0.01, 0.001, 0.001, 0.001],
  },
};
type Axis = { title?: { text: string }; domain?: number[] };

test('loss and accuracy go to two subplots, train solid and validation dashed, epochs from 1', () => {
  const fig = trainingCurvesFigure(history);
  assert.deepEqual(fig.data.map((t) => t.name), ['loss', 'val_loss', 'acc', 'val_acc']);
  assert.ok(fig.data.every((t) => t.type === 'scatter'));
  assert.deepEqual(fig.data.map((t) => t.xaxis), ['x', 'x', 'x2', 'x2']);
  assert.deepEqual(fig.data.map((t) => t.yaxis), ['y', 'y', 'y2', 'y2']);
  assert.deepEqual(fig.data[0].x, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(fig.data.map((t) => (t.line as { dash: string }).dash), ['solid', 'dash', 'solid', 'dash']);
  assert.equal((fig.data[3].y as unknown[])[5], null, 'NaN becomes a gap');
  const { xaxis, yaxis, xaxis2, yaxis2 } = fig.layout as Record<string, Axis>;
  assert.equal(xaxis.title?.text, 'epoch');
  assert.equal(xaxis2.title?.text, 'epoch');
  assert.equal(yaxis.title?.text, 'loss');
  assert.equal(yaxis2.title?.text, 'accuracy');
  assert.ok(xaxis.domain![1] < xaxis2.domain![0], 'subplots side by side');
  assert.equal((fig.layout.title as { text: string }).text, 'Training curves');
  assert.equal(fig.layout.shapes, undefined, 'no marker unless asked');
});

test('fine-tuning marker sits between the last frozen epoch and the first fine-tuning epoch', () => {
  const fig = trainingCurvesFigure(history, { fineTuneEpoch: 4, title: 'Two phases' });
  const shapes = fig.layout.shapes as { x0: number; x1: number; xref: string; type: string }[];
  assert.equal(shapes.length, 2);
  assert.deepEqual(shapes.map((s) => s.xref), ['x', 'x2']);
  for (const s of shapes) {
    assert.equal(s.type, 'line');
    assert.equal(s.x0, 3.5);
    assert.equal(s.x1, 3.5);
  }
  const notes = fig.layout.annotations as { text: string; x: number }[];
  assert.deepEqual(notes.map((a) => a.text), ['fine-tuning starts', 'fine-tuning starts']);
  assert.ok(notes.every((a) => a.x === 3.5));
});

test('a continued fit (initialEpoch) keeps counting epochs', () => {
  const fig = trainingCurvesFigure({ epoch: [5, 6], history: { loss: [0.3, 0.2] } });
  assert.deepEqual(fig.data[0].x, [6, 7]);
  assert.equal(fig.layout.xaxis2, undefined, 'loss only: one panel');
});

test('empty history and bad fineTuneEpoch fail with a message naming the fix', () => {
  assert.throws(() => trainingCurvesFigure({ epoch: [], history: {} }), (e: Error) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, /trainingCurvesFigure: history.history has no metric values .* model.fit/);
    return true;
  });
  assert.throws(() => trainingCurvesFigure(history, { fineTuneEpoch: 0 }), /fineTuneEpoch must be a 1-based epoch number >= 1, got 0/);
});
