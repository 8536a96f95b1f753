import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { formatDuration, ProgressBar, track } from '../../src/notebook/progress';
import { FakeTslab, installFakeTslab } from './fake_tslab';

function stream(isTTY: boolean): { write(s: string): void; isTTY: boolean; out: string[] } {
  const out: string[] = [];
  return { isTTY, out, write: (s: string) => void out.push(s) };
}

let fake: FakeTslab | undefined;
afterEach(() => {
  fake?.uninstall();
  fake = undefined;
});

test('non-TTY logs get at most one line per 10% (no spam in CI)', () => {
  const s = stream(false);
  const bar = new ProgressBar({ total: 1000, label: 'features', stream: s, width: 10 });
  for (let i = 0; i < 1000; i++) bar.tick();
  bar.done();
  bar.done();
  assert.ok(s.out.length <= 11, `${s.out.length} lines`);
  assert.ok(s.out.every((l) => l.endsWith('\n') && !l.includes('\r')));
  assert.match(s.out.at(-1)!, /^features \[##########\] 1000\/1000 100% \S+\n$/);
});

test('a TTY gets one line rewritten with \\r, throttled, ending with a newline', () => {
  const s = stream(true);
  const bar = new ProgressBar({ total: 50, stream: s, width: 4, minIntervalMs: 60_000 });
  for (let i = 0; i < 50; i++) bar.tick(1, `img ${i}`);
  bar.done('ok');
  assert.equal(s.out.length, 2, 'first draw, then the final one');
  assert.ok(s.out.every((l) => l.startsWith('\r')));
  assert.ok(s.out[1].endsWith('\n'));
  assert.match(s.out[1], /\[####\] 50\/50 100% \S+ ok/);
});

test('text shows counts, percentage and the time left while running', () => {
  const bar = new ProgressBar({ total: 4, label: 'decode', width: 4, stream: stream(false) });
  bar.update(1, 'a.jpg');
  assert.match(bar.text(), /^decode \[#---\] 1\/4 25% \S+<\S+ a\.jpg$/);
  assert.throws(() => new ProgressBar({ total: -1 }), /ProgressBar: total must be a number >= 0, got -1/);
});

test('in a notebook the HTML bar is one output updated in place', () => {
  fake = installFakeTslab();
  const bar = new ProgressBar({ total: 3, label: '<b>x</b>', minIntervalMs: 0 });
  bar.tick();
  bar.tick();
  bar.done();
  assert.equal(fake.sent.length, 3);
  assert.ok(fake.sent.every((m) => m.displayId === fake!.sent[0].displayId));
  assert.deepEqual(fake.sent.map((m) => m.update), [false, true, true]);
  const last = fake.sent[2].data;
  assert.match(last['text/html'] as string, /width:100\.0%/);
  assert.ok((last['text/html'] as string).includes('&lt;b&gt;x&lt;/b&gt;'));
  assert.match(last['text/plain'] as string, /3\/3 100%/);
});

test('track yields every item and completes the bar', async () => {
  const s = stream(false);
  const seen: number[] = [];
  for await (const x of track([1, 2, 3], { stream: s, label: 't' })) seen.push(x);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.match(s.out.at(-1)!, /3\/3 100%/);
});

test('durations read naturally', () => {
  assert.equal(formatDuration(3.21), '3.2s');
  assert.equal(formatDuration(42), '42s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(3720), '1h02m');
});

test('formatCount writes the counts in the text and HTML views (downloads count MB)', () => {
  const s = stream(false);
  const bar = new ProgressBar({ total: 3_000_000, label: 'w.bin', width: 4, stream: s, formatCount: (n) => `${(n / 1e6).toFixed(1)} MB` });
  bar.update(1_500_000);
  assert.match(bar.text(), /^w\.bin \[##--\] 1\.5 MB\/3\.0 MB 50% /);
  assert.match(bar.html(), /1\.5 MB\/3\.0 MB \(50%\)/);
});
