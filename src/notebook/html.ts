/**
 * HTML renderings of a figure that need no network: the plotly.js bundle from
 * node_modules/plotly.js-dist-min is inlined, never loaded from a CDN.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Figure } from '../viz/figure';
import { escapeHtml } from '../html';
import { getTheme } from '../viz/theme';

/** Event the inlined bundle fires once `window.Plotly` exists, for figures rendered before it. */
const READY_EVENT = 'transfer-lab-plotly-ready';

let bundleSource: string | undefined;

/** plotly.min.js from node_modules (read once, lazily). */
export function plotlySource(): string {
  bundleSource ??= readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
  return bundleSource;
}

/**
 * Makes JS safe inside an inline `<script>` element: a literal `</script` would end it.
 * `<\/` means the same inside strings and regexes (`/` is an escapable syntax character).
 */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON that can sit inside `<script>`: `<`, U+2028 and U+2029 are escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** `<script>` carrying the whole plotly.js bundle; announces itself with {@link READY_EVENT}. */
export function plotlyScriptTag(): string {
  return (
    '<script type="text/javascript">/* plotly.js inlined by transfer-lab (no CDN) */\n' +
    `${scriptSafe(plotlySource())}\n</script>\n` +
    `<script type="text/javascript">window.dispatchEvent(new Event(${JSON.stringify(READY_EVENT)}));</script>\n`
  );
}

/** Plotly config shared by every rendering. */
const PLOT_CONFIG = { responsive: true, displaylogo: false };

/** Image grids get no toolbar: zooming a photo tile is of no use and the bar covers tile titles. */
export function plotConfig(fig: Figure): Record<string, unknown> {
  const imagesOnly = fig.data.length > 0 && fig.data.every((t) => t.type === 'image');
  return imagesOnly ? { ...PLOT_CONFIG, displayModeBar: false } : PLOT_CONFIG;
}

/** Title of a figure as plain text ('' when it has none). */
export function figureTitle(fig: Figure): string {
  const title = fig.layout.title as { text?: unknown } | string | undefined;
  const text = typeof title === 'string' ? title : typeof title?.text === 'string' ? title.text : '';
  return text.replace(/<br>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * A `<div>` and the script that draws the figure into it. Without `includePlotly` it relies on
 * an earlier output having loaded plotly.js (or waits for it), and says so if it never comes.
 */
export function figureHtml(fig: Figure, opts: { includePlotly: boolean }): string {
  const id = `tl-plot-${randomBytes(6).toString('hex')}`;
  const height = typeof fig.layout.height === 'number' ? `${fig.layout.height}px` : '420px';
  const width = typeof fig.layout.width === 'number' ? `${fig.layout.width}px` : '100%';
  const spec = scriptJson({ data: fig.data, layout: fig.layout, config: plotConfig(fig) });
  const missing =
    'This figure needs plotly.js, which the first figure of the notebook carries. ' +
    'Run the notebook from the top (Restart &amp; Run All) to see it.';
  return (
    (opts.includePlotly ? plotlyScriptTag() : '') +
    `<div id="${id}" class="transfer-lab-plot" style="width:${width};max-width:100%;height:${height}"></div>\n` +
    '<script type="text/javascript">(function () {\n' +
    `  var spec = ${spec};\n` +
    `  var el = document.getElementById(${JSON.stringify(id)});\n` +
    '  var drawn = false;\n' +
    '  function draw() { if (drawn || !el) return; drawn = true; window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); }\n' +
    '  if (window.Plotly) { draw(); return; }\n' +
    `  window.addEventListener(${JSON.stringify(READY_EVENT)}, draw);\n` +
    `  setTimeout(function () { if (!drawn && el) el.innerHTML = '<p style="color:#b00">${missing}</p>'; }, 15000);\n` +
    '})();</script>\n'
  );
}

/** A complete HTML page with plotly.js inlined: opens offline in any browser. */
export function figurePage(fig: Figure): string {
  const title = figureTitle(fig) || 'transfer-lab figure';
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<title>${escapeHtml(title)}</title>\n</head>\n` +
    // The page's own text (e.g. the missing-plotly note) in the theme's CJK-capable font stack.
    `<body style="margin:16px;font-family:${escapeHtml(getTheme().fontFamily)}">\n` +
    figureHtml(fig, { includePlotly: true }) +
    '</body>\n</html>\n'
  );
}

/** One-line text description of a figure for `text/plain` outputs and logs. */
export function figureSummary(fig: Figure): string {
  const types = new Map<string, number>();
  for (const t of fig.data) types.set(String(t.type ?? 'scatter'), (types.get(String(t.type ?? 'scatter')) ?? 0) + 1);
  const kinds = [...types].map(([k, n]) => (n > 1 ? `${n} ${k}` : k)).join(', ');
  const title = figureTitle(fig);
  return `<Figure${title ? ` "${title}"` : ''}: ${fig.data.length} trace${fig.data.length === 1 ? '' : 's'} (${kinds})>`;
}
