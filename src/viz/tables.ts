/**
 * Tables for results (strategy comparison, model zoo, classification report): an HTML form
 * for notebooks and an aligned plain-text form for terminals, built from the same cells.
 */
import { escapeHtml } from '../html';
import { getTheme } from './theme';

/** Re-exported for older imports; the one definition is src/html.ts. */
export { escapeHtml };

/** A table in two renderings; `show()` picks the one the output supports. */
export interface HtmlTable {
  /** Self-contained `<table>` markup, every cell escaped. */
  html: string;
  /** Aligned plain text (numbers right-aligned, strings left-aligned). */
  text: string;
}

/** Anything with danfojs' DataFrame shape: column names and a row-major 2-D `values`. */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
}

/** How to format one column: a function, 'percent' (0.853 -> 85.3%), 'integer', or a number of decimals. */
export type ColumnFormat = ((value: unknown) => string) | 'percent' | 'integer' | number;

/** Options of {@link toHtmlTable}. */
export interface TableOptions {
  /** Caption shown above the table; default none. */
  caption?: string;
  /** Which columns, in which order; default every key, in first-seen order. */
  columns?: string[];
  /** Per-column formats; default numbers with up to 4 significant digits after the point. */
  format?: Record<string, ColumnFormat>;
}

/** Default cell formatting: readable numbers, never `[object Object]`. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    return Math.abs(value) >= 1000 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) {
    const n = (value as ArrayBufferView & { length?: number }).length; // typed arrays have one, a DataView not
    return `${value.constructor.name}(${n ?? value.byteLength})`;
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, 6).map(formatCell).join(', ');
    return value.length > 6 ? `[${shown}, … ${value.length} items]` : `[${shown}]`;
  }
  const obj = value as { shape?: unknown; dtype?: unknown };
  if (Array.isArray(obj.shape) && typeof obj.dtype === 'string') return `Tensor ${JSON.stringify(obj.shape)} ${obj.dtype}`;
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = Object.prototype.toString.call(value);
  }
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function applyFormat(value: unknown, format: ColumnFormat | undefined): string {
  if (format === undefined) return formatCell(value);
  if (typeof format === 'function') return format(value);
  if (typeof value !== 'number') return formatCell(value);
  if (format === 'percent') return `${(value * 100).toFixed(1)}%`;
  if (format === 'integer') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(format);
}


/** Terminal columns a string occupies: East Asian wide characters (Chinese class names) count 2. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

function isDataFrameLike(x: unknown): x is DataFrameLike {
  const o = x as DataFrameLike;
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Array.isArray(o.columns) && Array.isArray(o.values);
}

/** Rows of a DataFrame-like object as records keyed by column name. */
function frameRows(df: DataFrameLike): Record<string, unknown>[] {
  const values = df.values.length > 0 && !Array.isArray(df.values[0]) ? df.values.map((v) => [v]) : df.values;
  return (values as unknown[][]).map((row) => Object.fromEntries(df.columns.map((c, i) => [c, row[i]])));
}

/**
 * Builds a table from records (or a danfojs DataFrame) in HTML and aligned text.
 * @example show(toHtmlTable(results, { caption: 'Accuracy by strategy', format: { accuracy: 'percent' } }));
 */
export function toHtmlTable(rows: Record<string, unknown>[] | DataFrameLike, opts: TableOptions = {}): HtmlTable {
  const records = isDataFrameLike(rows) ? frameRows(rows) : rows;
  const columns = opts.columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cells = records.map((r) => columns.map((c) => applyFormat(r[c], opts.format?.[c])));
  // A column is numeric (right-aligned) when every present value is a number.
  const numeric = columns.map((c) => {
    const present = records.map((r) => r[c]).filter((v) => v !== null && v !== undefined);
    return present.length > 0 && present.every((v) => typeof v === 'number' || typeof v === 'bigint');
  });

  const widths = columns.map((c, j) => Math.max(displayWidth(c), ...cells.map((row) => displayWidth(row[j]))));
  const line = (values: string[]): string => values.map((v, j) => pad(v, widths[j], numeric[j])).join('  ').trimEnd();
  const textLines = [
    ...(opts.caption ? [opts.caption] : []),
    line(columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ];

  const theme = getTheme();
  const fontSize = theme.name === 'projector' ? theme.fontSize : 14;
  const align = (j: number): string => (numeric[j] ? 'right' : 'left');
  const cellStyle = (j: number): string => `padding:4px 10px;text-align:${align(j)}`;
  const html = [
    `<table class="transfer-lab-table" style="border-collapse:collapse;font-size:${fontSize}px;font-family:${escapeHtml(theme.fontFamily)}">`,
    opts.caption
      ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(opts.caption)}</caption>`
      : '',
    '<thead><tr>',
    ...columns.map((c, j) => `<th style="${cellStyle(j)};border-bottom:2px solid ${theme.textColor}">${escapeHtml(c)}</th>`),
    '</tr></thead><tbody>',
    ...cells.map(
      (row) => `<tr>${row.map((v, j) => `<td style="${cellStyle(j)};border-bottom:1px solid ${theme.gridColor}">${escapeHtml(v)}</td>`).join('')}</tr>`,
    ),
    '</tbody></table>',
  ].join('');
  return { html, text: textLines.join('\n') };
}
