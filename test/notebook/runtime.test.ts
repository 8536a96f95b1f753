import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createDisplay, isNotebook, PLOTLY_MIME, resetPlotlyBundle, show } from '../../src/notebook/display';
import type { Figure } from '../../src/viz/figure';
import { toHtmlTable } from '../../src/viz/tables';
import { FakeTslab, installFakeTslab } from './fake_tslab';

let fake: FakeTslab | undefined;
afterEach(() => {
  fake?.uninstall();
  fake = undefined;
  resetPlotlyBundle();
});

const fig = (title: string): Figure => ({ data: [{ type: 'scatter', name: 'loss', x: [1, 2], y: [0.5, 0.3] }], layout: { title: { text: title } } });
const hasBundle = (html: unknown): boolean => typeof html === 'string' && html.includes('window.Plotly = Plotly');

test('outside tslab isNotebook() is false', () => {
  assert.equal(isNotebook(), false);
});

test('in tslab, show(figure) sends plotly JSON + HTML + text in one output; plotly.js only once', () => {
  fake = installFakeTslab();
  assert.equal(isNotebook(), true);
  assert.equal(show(fig('first')), undefined);
  show(fig('second'));
  assert.equal(fake.sent.length, 2);
  const [a, b] = fake.sent;
  assert.deepEqual(Object.keys(a.data).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort());
  assert.deepEqual((a.data[PLOTLY_MIME] as Figure).layout, { title: { text: 'first' } });
  assert.equal(a.update, false);
  assert.equal(hasBundle(a.data['text/html']), true, 'first figure carries plotly.js');
  assert.equal(hasBundle(b.data['text/html']), false, 'later figures reuse window.Plotly');
  assert.match(b.data['text/html'] as string, /transfer-lab-plotly-ready/);
  assert.equal(b.data['text/plain'], '<Figure "second": 1 trace (scatter)>');
});

test('in tslab, tables send HTML + text and strings plain text', () => {
  fake = installFakeTslab();
  show(toHtmlTable([{ a: 1 }]));
  show('hello');
  assert.deepEqual(Object.keys(fake.sent[0].data), ['text/html', 'text/plain']);
  assert.deepEqual(fake.sent[1].data, { 'text/plain': 'hello' });
});

test('live display: plotly.js in its own output first, then one display id updated in place', () => {
  fake = installFakeTslab();
  const live = createDisplay();
  live.update(fig('epoch 1'));
  live.update(fig('epoch 2'));
  assert.equal(live.close(), undefined);
  assert.equal(fake.sent.length, 3);
  const [bundle, first, second] = fake.sent;
  assert.equal(hasBundle(bundle.data['text/html']), true);
  assert.equal(bundle.displayId, undefined, 'the bundle output is never replaced');
  assert.equal(hasBundle(first.data['text/html']), false);
  assert.ok(first.displayId && first.displayId === second.displayId);
  assert.deepEqual([first.update, second.update], [false, true]);
  assert.deepEqual((second.data[PLOTLY_MIME] as Figure).layout.title, { text: 'epoch 2' });
});

test("tslab's console REPL (no cell has run) is not a notebook", () => {
  fake = installFakeTslab();
  fake.jupyter.lastWriteDisplayData = null;
  assert.equal(isNotebook(), false);
});

test('without tslab internals, falls back to the public single-MIME display API', () => {
  fake = installFakeTslab(false);
  assert.equal(isNotebook(), true);
  show(fig('fallback'));
  show('text');
  assert.deepEqual(fake.simple.map((s) => s.mime), ['text/html', 'text/plain']);
  assert.equal(hasBundle(fake.simple[0].value), true);
});
