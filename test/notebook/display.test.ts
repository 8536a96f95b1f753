import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, mock, test } from 'node:test';
import { TransferLabError } from '../../src/errors';
import { createDisplay, mimeBundle, PLOTLY_MIME, plotsDir, show } from '../../src/notebook/display';
import type { Figure } from '../../src/viz/figure';
import { toHtmlTable } from '../../src/viz/tables';
import { trainingCurvesFigure } from '../../src/viz/training';

let dir: string;
let logged: string[];
before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tl-plots-'));
  process.env.TRANSFER_LAB_PLOTS_DIR = dir;
});
after(() => {
  delete process.env.TRANSFER_LAB_PLOTS_DIR;
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  logged = [];
  mock.restoreAll();
  mock.method(console, 'log', (...args: unknown[]) => {
    logged.push(args.join(' '));
  });
});

const history = { epoch: [0, 1, 2], history: { loss: [1, 0.6, 0.4], val_loss: [1.1, 0.8, 0.7] } };

test('outside a notebook show(figure) writes a self-contained HTML file and prints its path', () => {
  const fig = trainingCurvesFigure(history, { title: 'Cats <vs> dogs' });
  const file = show(fig);
  mock.restoreAll();
  assert.ok(file && existsSync(file));
  assert.equal(path.dirname(file), plotsDir());
  assert.equal(path.basename(file), 'cats-vs-dogs.html');
  assert.ok(logged.some((l) => l.includes(file)), 'path printed');
  const html = readFileSync(file, 'utf8');
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes('<title>Cats &lt;vs&gt; dogs</title>'));
  // The plotly bundle is inlined (its banner and its global), not fetched.
  assert.ok(html.includes('plotly.js v') && html.includes('window.Plotly = Plotly'));
  assert.ok(html.length > 1_000_000);
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i, 'no external scripts');
  assert.doesNotMatch(html, /src=["']https?:\/\/cdn/i, 'no CDN');
  assert.ok(html.includes('"val_loss"'), 'figure data embedded');
  assert.ok(!/<\/script/i.test(html.slice(html.indexOf('<script'), html.indexOf('window.Plotly = Plotly'))), 'bundle not cut short');
});

test('the same title twice in a run gets a numbered file instead of overwriting', () => {
  const fig: Figure = { data: [], layout: { title: { text: 'Twice' } } };
  const a = show(fig);
  const b = show(fig, { name: 'twice' });
  assert.deepEqual([path.basename(a!), path.basename(b!)], ['twice.html', 'twice-2.html']);
});

test('outside a notebook tables print their text form, DataFrames become tables, strings print as is', () => {
  show(toHtmlTable([{ model: 'VGG16', acc: 0.9 }]));
  show({ columns: ['a'], values: [[1]] });
  show('plain');
  assert.equal(logged[0], 'model  acc\n-----  ---\nVGG16  0.9');
  assert.equal(logged[1], 'a\n-\n1');
  assert.equal(logged[2], 'plain');
});

test('show rejects values it cannot display, naming what it got', () => {
  assert.throws(
    () => show({ foo: 1 } as unknown as string),
    (e: Error) => e instanceof TransferLabError && /show: cannot display object with keys foo; pass a Figure/.test(e.message),
  );
  const pending = Promise.resolve({ data: [], layout: {} });
  assert.throws(() => show(pending as unknown as string), /show: got a Promise; add await/);
});

test('mimeBundle: plotly JSON, HTML fallback (bundle only on request) and a text summary', () => {
  const fig = trainingCurvesFigure(history);
  const plain = mimeBundle(fig);
  assert.deepEqual((plain[PLOTLY_MIME] as Figure).data, fig.data);
  assert.ok(!(plain['text/html'] as string).includes('window.Plotly = Plotly'));
  assert.match(plain['text/html'] as string, /Plotly\.newPlot/);
  assert.equal(plain['text/plain'], '<Figure "Training curves": 2 traces (2 scatter)>');
  assert.ok((mimeBundle(fig, { includePlotly: true })['text/html'] as string).includes('window.Plotly = Plotly'));
  // '<' in figure data cannot close the script element.
  const tricky: Figure = { data: [{ type: 'bar', name: '</script><b>' }], layout: {} };
  assert.ok(!(mimeBundle(tricky)['text/html'] as string).includes('</script><b>'));
});

test('live display outside a notebook: one compact line per update, the file only on close', () => {
  const live = createDisplay();
  const h = { epoch: [0], history: { loss: [0.9], val_loss: [1.0] } };
  live.update(trainingCurvesFigure(h, { title: 'Live' }));
  h.epoch.push(1);
  h.history.loss.push(0.5);
  h.history.val_loss.push(0.75);
  live.update(trainingCurvesFigure(h, { title: 'Live' }));
  assert.deepEqual(logged, ['Live @ 1: loss 0.9000, val_loss 1.0000', 'Live @ 2: loss 0.5000, val_loss 0.7500']);
  assert.ok(!existsSync(path.join(dir, 'live.html')));
  const file = live.close();
  assert.equal(file, path.join(dir, 'live.html'));
  assert.ok(readFileSync(file!, 'utf8').includes('"val_loss"'));
  assert.equal(live.close(), undefined, 'nothing new to write');
});
