import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderBoardPage } from '../../../src/classroom/board/page';
import { ClassResult } from '../../../src/classroom/board/results';
import { accuracyDotPlot, boardView } from '../../../src/classroom/board/view';
import { renderSamplePage, sampleResults } from './sample_board';

const at = (s: number): string => new Date(Date.parse('2026-12-03T10:00:00Z') + s * 1000).toISOString();
const r = (student: string, strategy: string, valAccuracy: number, t: number, backend = 'wasm'): ClassResult =>
  ({ student, dataset: 'ants/bees', strategy, valAccuracy, seconds: 40.4, backend, postedAt: at(t) });

test('the table has one row per student, newest poster first, one column per dataset + strategy', () => {
  const view = boardView([r('amy', 'feature extraction', 0.9, 0), r('ben', 'feature extraction', 0.8, 10),
    r('amy', 'fine-tuning', 0.925, 20)], 3);
  assert.deepEqual([view.version, view.students, view.results, view.backends], [3, 2, 3, ['wasm']]);
  const headers = [...view.tableHtml.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
  assert.deepEqual(headers, ['student', 'ants/bees · feature extraction', 'ants/bees · fine-tuning', 'posted']);
  const rows = [...view.tableHtml.matchAll(/<tr>(.*?)<\/tr>/g)]
    .map((m) => [...m[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]))
    .filter((cells) => cells.length > 0); // the header row has <th> cells only
  assert.deepEqual(rows.map((cells) => cells.slice(0, 3)), [
    ['amy', '90.0%  40 s', '92.5%  40 s'],
    ['ben', '80.0%  40 s', ''],
  ]);
});

test('a backend column appears only when the class ran on more than one backend', () => {
  const view = boardView([r('amy', 'x', 0.9, 0, 'wasm'), r('ben', 'x', 0.8, 1, 'tensorflow')], 2);
  assert.deepEqual(view.backends, ['tensorflow', 'wasm']);
  assert.match(view.tableHtml, />backend<\/th>/);
});

test('the plot: a row per dataset + strategy, a dot per student, and the class median per row', () => {
  const fig = accuracyDotPlot([r('amy', 'a', 0.9, 0), r('ben', 'a', 0.7, 1), r('cy', 'a', 0.8, 2), r('amy', 'b', 0.6, 3)]);
  assert.deepEqual(fig.data.map((t) => t.name), ['ants/bees · a', 'ants/bees · b', 'class median']);
  assert.deepEqual(fig.data[0].x, [0.9, 0.7, 0.8]);
  assert.deepEqual(fig.data[0].text, ['amy', 'ben', 'cy']);
  assert.deepEqual(fig.data[2].x, [0.8, 0.6]);
  assert.deepEqual(fig.data[2].y, [1, 0]);
  const yaxis = fig.layout.yaxis as { ticktext: string[]; tickvals: number[] };
  assert.deepEqual(yaxis.ticktext, ['ants/bees · a', 'ants/bees · b']);
  assert.equal((fig.layout.xaxis as { tickformat: string }).tickformat, '.0%');
});

test('an empty board says how results arrive and has no figure', () => {
  const view = boardView([], 0);
  assert.equal(view.figure, null);
  assert.equal(view.tableHtml, '');
  const page = renderBoardPage(view, { plotlyUrl: '/p.js', viewUrl: '/v' });
  assert.match(page, /No results yet\. They appear here when a notebook 05 finishes\./);
});

test('names are escaped in the table and cannot end the page script', () => {
  const evil = '</script><img src=x onerror=alert(1)>';
  const view = boardView([r(evil, 'fine-tuning', 0.5, 0)], 1);
  assert.ok(!view.tableHtml.includes('<img'), view.tableHtml);
  const page = renderBoardPage(view, { plotlyUrl: '/p.js', viewUrl: '/v', viewer: evil });
  assert.equal(page.split('</script>').length - 1, 3, 'only the page\'s own three script elements close');
  assert.ok(!page.includes('<img src=x'), 'viewer name escaped');
});

test('headless chromium draws the page offline: plotly from node_modules, the plot and every student', { timeout: 120_000 }, (t) => {
  if (spawnSync('chromium', ['--version']).status !== 0) {
    t.skip('Debian chromium is not installed');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-board-dom-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-board-chromium-'));
  try {
    const html = path.join(dir, 'board.html');
    fs.writeFileSync(html, renderSamplePage(sampleResults(12)));
    const run = spawnSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      '--window-size=1600,900', '--virtual-time-budget=5000', '--dump-dom', pathToFileURL(html).toString()],
    { encoding: 'utf8', timeout: 100_000, maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr.slice(-500));
    const dom = run.stdout;
    assert.match(dom, /class="main-svg"/, 'plotly drew an SVG');
    assert.match(dom, /12 students, 28 results, all on wasm/);
    for (const name of ['student01', '张伟', '李娜', 'student11']) assert.ok(dom.includes(`>${name}</td>`), name);
    assert.match(dom, /class median/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
