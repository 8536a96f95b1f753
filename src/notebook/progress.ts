/**
 * The one progress renderer of the library: a model (steps done of a total, label, timing, a
 * note) with two views of it, `html()` (a bar updated in place inside tslab) and `text()` (one
 * `\r`-rewritten line on a terminal, or a few plain lines, about every 10%, in non-TTY logs such
 * as CI). Feature extraction (transfer/feature_progress.ts), the training log's batch counter
 * (train/callbacks/progress_logger.ts) and downloads (assets/download.ts) all draw through it, so
 * the same call looks the same in every notebook.
 */
import { TransferLabError } from '../errors';
import { escapeHtml } from '../html';
import { getTheme } from '../viz/theme';
import { OutputChannel, notebookRuntime } from './runtime';

/** Where the text renderings go: `process.stdout`, `process.stderr` or a test double. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Number of steps (images, batches); required, >= 0. */
  total: number;
  /** Text before the bar; default ''. */
  label?: string;
  /** Width of the text bar in characters; default 30. */
  width?: number;
  /** Stream for the terminal renderings; default `process.stdout`. */
  stream?: ProgressStream;
  /**
   * 'auto' (default): notebook inside tslab, else 'tty' when the stream is a TTY, else 'lines'.
   * 'notebook': HTML bar updated in place; 'tty': one line rewritten with `\r`;
   * 'lines': a new line only each time another 10% is done, and at the end.
   */
  mode?: 'auto' | 'notebook' | 'tty' | 'lines';
  /** Minimum time between redraws in 'notebook' and 'tty' modes, ms; default 100. */
  minIntervalMs?: number;
  /** How a count of steps is written (e.g. bytes as '12.3 MB'); default the plain number. */
  formatCount?: (n: number) => string;
}

/** Seconds as '42s', '3m05s' or '1h02m'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Progress of a loop with a known number of steps, with elapsed time and an estimate of
 * the time left.
 * @example const bar = new ProgressBar({ total: files.length, label: 'features' });
 *          for (const f of files) { await extract(f); bar.tick(); } bar.done();
 */
export class ProgressBar {
  readonly total: number;
  readonly label: string;
  private readonly width: number;
  private readonly stream: ProgressStream;
  private readonly mode: 'notebook' | 'tty' | 'lines';
  private readonly minIntervalMs: number;
  private readonly formatCount: (n: number) => string;
  private readonly channel?: OutputChannel;
  private readonly start = Date.now();
  private currentValue = 0;
  private lastDraw = -Infinity;
  private lastDecile = -1;
  private finished = false;
  private info = '';

  constructor(opts: ProgressBarOptions) {
    if (!(Number.isFinite(opts?.total) && opts.total >= 0)) {
      throw new TransferLabError(`ProgressBar: total must be a number >= 0, got ${opts?.total}; pass the number of steps.`);
    }
    this.total = opts.total;
    this.label = opts.label ?? '';
    this.width = opts.width ?? 30;
    this.stream = opts.stream ?? process.stdout;
    this.minIntervalMs = opts.minIntervalMs ?? 100;
    this.formatCount = opts.formatCount ?? String;
    const runtime = opts.mode === 'auto' || opts.mode === undefined || opts.mode === 'notebook' ? notebookRuntime() : undefined;
    if (runtime) {
      this.mode = 'notebook';
      this.channel = runtime.channel(true);
    } else if (opts.mode === 'tty' || opts.mode === 'lines') {
      this.mode = opts.mode;
    } else {
      this.mode = this.stream.isTTY ? 'tty' : 'lines';
    }
  }

  /** Steps done so far. */
  get current(): number {
    return this.currentValue;
  }

  /** Advances by `n` steps (default 1); `info` is shown after the numbers (e.g. 'loss 0.31'). */
  tick(n = 1, info?: string): void {
    this.update(this.currentValue + n, info);
  }

  /** Sets the number of steps done. */
  update(current: number, info?: string): void {
    if (this.finished) return;
    this.currentValue = Math.max(0, Math.min(this.total, current));
    if (info !== undefined) this.info = info;
    this.render(false);
  }

  /** Marks the loop complete (fills the bar) and ends the line. Safe to call twice. */
  done(info?: string): void {
    if (this.finished) return;
    this.currentValue = this.total;
    if (info !== undefined) this.info = info;
    this.render(true);
    this.finished = true;
  }

  /** The text rendering, e.g. `features [#######-------] 120/500 24% 3.1s<9.8s`. */
  text(): string {
    const frac = this.total > 0 ? this.currentValue / this.total : 1;
    const filled = Math.round(frac * this.width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}]`;
    return [this.label, bar, this.counts(), `${Math.floor(frac * 100)}%`, this.timing(), this.info]
      .filter((s) => s !== '')
      .join(' ');
  }

  /** The HTML rendering shown in a notebook. */
  html(): string {
    const theme = getTheme();
    const frac = this.total > 0 ? this.currentValue / this.total : 1;
    const size = theme.name === 'projector' ? theme.fontSize : 14;
    const barW = theme.name === 'projector' ? 420 : 280;
    const color = this.finished || frac >= 1 ? theme.palette[2] : theme.palette[0];
    const label = this.label ? `<span style="margin-right:8px">${escapeHtml(this.label)}</span>` : '';
    const details = `${escapeHtml(this.counts())} (${Math.floor(frac * 100)}%) ${this.timing()} ${escapeHtml(this.info)}`;
    return (
      `<div class="transfer-lab-progress" style="font-family:${escapeHtml(theme.fontFamily)};font-size:${size}px;color:${theme.textColor};line-height:1.6">` +
      label +
      `<span style="display:inline-block;vertical-align:middle;width:${barW}px;height:${Math.round(size * 0.8)}px;background:#e0e0e0;border:1px solid #888;border-radius:3px">` +
      `<span style="display:block;height:100%;width:${(frac * 100).toFixed(1)}%;background:${color}"></span></span>` +
      `<span style="margin-left:8px">${details.trim()}</span></div>`
    );
  }

  private counts(): string {
    return `${this.formatCount(this.currentValue)}/${this.formatCount(this.total)}`;
  }

  private timing(): string {
    const elapsed = (Date.now() - this.start) / 1000;
    if (this.currentValue >= this.total || this.currentValue === 0) return formatDuration(elapsed);
    const left = (elapsed / this.currentValue) * (this.total - this.currentValue);
    return `${formatDuration(elapsed)}<${formatDuration(left)}`;
  }

  private render(final: boolean): void {
    const now = Date.now();
    if (this.mode === 'lines') {
      const decile = this.total > 0 ? Math.floor((this.currentValue / this.total) * 10) : 10;
      // At most ~11 lines per bar: each 10% step, and the final line once.
      if (decile <= this.lastDecile && !final) return;
      if (final && this.lastDecile === 10) return;
      this.lastDecile = decile;
      this.stream.write(`${this.text()}\n`);
      return;
    }
    if (!final && now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    if (this.mode === 'notebook') {
      this.channel?.publish({ 'text/html': this.html(), 'text/plain': this.text() });
    } else {
      // \x1b[K clears what a longer previous line left behind.
      this.stream.write(`\r${this.text()}\x1b[K${final ? '\n' : ''}`);
    }
  }
}

/**
 * Runs through `items` while showing a {@link ProgressBar}, like Python's tqdm.
 * @example for await (const file of track(files, { label: 'decode' })) { ... }
 */
export async function* track<T>(
  items: Iterable<T> | AsyncIterable<T>,
  opts: Omit<ProgressBarOptions, 'total'> & { total?: number } = {},
): AsyncGenerator<T> {
  const total = opts.total ?? (Array.isArray(items) ? items.length : undefined);
  if (total === undefined) {
    throw new TransferLabError('track: cannot tell how many items there are; pass opts.total or an array.');
  }
  const bar = new ProgressBar({ ...opts, total });
  for await (const item of items) {
    yield item;
    bar.tick();
  }
  bar.done();
}
