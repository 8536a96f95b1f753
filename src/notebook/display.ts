/**
 * `show()` and live displays: rich MIME bundles inside a tslab notebook, readable text and
 * self-contained HTML files in a terminal. The only module (with runtime.ts) that knows
 * whether it runs in a notebook.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TransferLabError } from '../errors';
import type { Figure } from '../viz/figure';
import { DataFrameLike, HtmlTable, toHtmlTable } from '../viz/tables';
import { figureHtml, figurePage, figureSummary, figureTitle, plotConfig, plotlyScriptTag } from './html';
import { MimeBundle, notebookRuntime } from './runtime';

/** What `show()` and `LiveDisplay.update()` accept. A DataFrame is shown as a table. */
export type Displayable = Figure | HtmlTable | string | DataFrameLike;

/** MIME type of plotly figures (JupyterLab, Notebook 7 with plotly, VS Code render it natively). */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Whether code runs inside a tslab notebook kernel (false in node, tsx, tests and CI scripts). */
export function isNotebook(): boolean {
  return notebookRuntime() !== undefined;
}

// Whether this kernel session already sent plotly.js in an output (one copy per notebook).
let plotlyEmitted = false;

/**
 * Makes the next figure carry plotly.js again. Needed only if the output that carried it was
 * cleared without restarting the kernel (figures below would otherwise find no plotly.js
 * when the notebook is reopened or exported).
 */
export function resetPlotlyBundle(): void {
  plotlyEmitted = false;
}

/** True for `{data: [...], layout: {...}}`. */
export function isFigure(x: unknown): x is Figure {
  const f = x as Figure;
  return typeof x === 'object' && x !== null && Array.isArray(f.data) && typeof f.layout === 'object' && f.layout !== null;
}

function isHtmlTable(x: unknown): x is HtmlTable {
  const t = x as HtmlTable;
  return typeof x === 'object' && x !== null && typeof t.html === 'string' && typeof t.text === 'string';
}

function isDataFrameLike(x: unknown): x is DataFrameLike {
  const d = x as DataFrameLike;
  return typeof x === 'object' && x !== null && Array.isArray(d.columns) && Array.isArray(d.values);
}

/** Normalises input to a figure, a table or a string; rejects anything else with a clear message. */
function normalise(x: Displayable, fn: string): Figure | HtmlTable | string {
  if (typeof x === 'string' || isFigure(x) || isHtmlTable(x)) return x;
  if (isDataFrameLike(x)) return toHtmlTable(x);
  if (typeof (x as { then?: unknown })?.then === 'function') {
    throw new TransferLabError(
      `${fn}: got a Promise; add await, e.g. ${fn}(await imageGridFigure(images)) (image grids are async).`,
    );
  }
  const got = x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? `object with keys ${Object.keys(x as object).join(', ')}` : typeof x;
  throw new TransferLabError(
    `${fn}: cannot display ${got}; pass a Figure (from src/viz), an HtmlTable (toHtmlTable(rows)), a DataFrame or a string.`,
  );
}

/**
 * The MIME bundle a notebook output gets. Figure: plotly JSON + self-contained HTML (with
 * plotly.js inlined when `includePlotly`) + a text summary. Table: HTML + text. String: text.
 */
export function mimeBundle(x: Figure | HtmlTable | string, opts: { includePlotly?: boolean } = {}): MimeBundle {
  if (typeof x === 'string') return { 'text/plain': x };
  if (isFigure(x)) {
    return {
      [PLOTLY_MIME]: { data: x.data, layout: x.layout, config: plotConfig(x) },
      'text/html': figureHtml(x, { includePlotly: opts.includePlotly ?? false }),
      'text/plain': figureSummary(x),
    };
  }
  return { 'text/html': x.html, 'text/plain': x.text };
}

/** Folder for figure files outside a notebook: env TRANSFER_LAB_PLOTS_DIR, else ./build/plots. */
export function plotsDir(): string {
  return path.resolve(process.env.TRANSFER_LAB_PLOTS_DIR || path.join('build', 'plots'));
}

const usedNames = new Map<string, number>();

function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'figure'
  );
}

/** Writes a figure as a self-contained HTML page and returns its path. */
export function writeFigureFile(fig: Figure, name?: string): string {
  const base = slug(name ?? figureTitle(fig));
  // Same title twice in one run gets -2, -3...; a new run overwrites (no pile-up of old plots).
  const n = (usedNames.get(base) ?? 0) + 1;
  usedNames.set(base, n);
  const dir = plotsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${n === 1 ? base : `${base}-${n}`}.html`);
  writeFileSync(file, figurePage(fig));
  return file;
}

/** Options of {@link show}. */
export interface ShowOptions {
  /** Outside a notebook: file name (without .html) for a figure; default from its title. */
  name?: string;
}

/**
 * Displays a figure, table, DataFrame or text. In a notebook: one rich output. In a terminal:
 * text is printed, a figure is written to an HTML file whose path is printed and returned.
 * @example show(trainingCurvesFigure(history));
 */
export function show(x: Displayable, opts: ShowOptions = {}): string | undefined {
  const value = normalise(x, 'show');
  const runtime = notebookRuntime();
  if (runtime) {
    const includePlotly = isFigure(value) && !plotlyEmitted;
    runtime.channel(false).publish(mimeBundle(value, { includePlotly }));
    if (includePlotly) plotlyEmitted = true;
    return undefined;
  }
  if (typeof value === 'string') console.log(value);
  else if (isHtmlTable(value)) console.log(value.text);
  else {
    const file = writeFigureFile(value, opts.name);
    console.log(`${figureSummary(value)} written to ${file}`);
    return file;
  }
  return undefined;
}

/** An output that each `update` replaces in place: live training curves, status lines. */
export interface LiveDisplay {
  /** Replaces the shown content. Outside a notebook prints one compact line per call. */
  update(x: Displayable): void;
  /** Ends the display; outside a notebook writes the last figure to an HTML file and returns its path. */
  close(): string | undefined;
}

/** Last y of each named trace: 'Training curves @ 3: loss 0.4123, val_loss 0.5012'. */
function compactLine(fig: Figure): string {
  const parts: string[] = [];
  let at: unknown;
  for (const t of fig.data) {
    const ys = t.y as unknown[] | undefined;
    const last = Array.isArray(ys) ? ys.length - 1 : -1;
    if (!t.name || last < 0 || typeof ys?.[last] !== 'number') continue;
    at ??= (t.x as unknown[] | undefined)?.[last];
    parts.push(`${String(t.name)} ${(ys[last] as number).toFixed(4)}`);
  }
  if (parts.length === 0) return figureSummary(fig);
  const title = figureTitle(fig) || 'figure';
  return `${title}${at !== undefined ? ` @ ${String(at)}` : ''}: ${parts.join(', ')}`;
}

/**
 * Creates a display that updates in place (tslab `newDisplay`), e.g. a training curve redrawn
 * each epoch. Call `close()` at the end so the terminal fallback writes the final figure.
 * @example const live = createDisplay(); for (...) live.update(trainingCurvesFigure(h)); live.close();
 */
export function createDisplay(): LiveDisplay {
  const runtime = notebookRuntime();
  if (runtime) {
    const channel = runtime.channel(true);
    return {
      update(x: Displayable): void {
        const value = normalise(x, 'LiveDisplay.update');
        if (isFigure(value) && !plotlyEmitted) {
          // A separate, never-replaced output carries plotly.js: replacing this display's
          // content would otherwise drop the script from the saved notebook.
          runtime.channel(false).publish({ 'text/html': plotlyScriptTag(), 'text/plain': '' });
          plotlyEmitted = true;
        }
        channel.publish(mimeBundle(value));
      },
      close: () => undefined,
    };
  }
  let lastFigure: Figure | undefined;
  return {
    update(x: Displayable): void {
      const value = normalise(x, 'LiveDisplay.update');
      if (typeof value === 'string') console.log(value);
      else if (isHtmlTable(value)) console.log(value.text);
      else {
        lastFigure = value;
        console.log(compactLine(value));
      }
    },
    close(): string | undefined {
      if (!lastFigure) return undefined;
      const file = writeFigureFile(lastFigure);
      console.log(`${figureSummary(lastFigure)} written to ${file}`);
      lastFigure = undefined;
      return file;
    },
  };
}
