/**
 * The plotly figure type every builder returns, and the layout pieces they share so all
 * figures look alike under the current theme.
 */
import { escapeHtml } from '../html';
import { Theme } from './theme';

/** One plotly trace (`{type: 'scatter', x, y, ...}`), plain JSON. */
export type Trace = Record<string, unknown>;
/** A plotly layout object, plain JSON. */
export type Layout = Record<string, unknown>;

/**
 * A plotly figure as plain data: what `Plotly.newPlot(div, data, layout)` takes and what the
 * `application/vnd.plotly.v1+json` MIME type carries. Show it with `show()` from src/notebook.
 */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** The part of a tfjs `History` (returned by `model.fit`) the training-curve plot reads. */
export interface HistoryLike {
  /** 0-based epoch indices, as tfjs and Keras record them. */
  epoch: number[];
  /** Metric name -> one value per epoch (`loss`, `val_loss`, `acc`, `val_acc`, ...). */
  history: Record<string, number[]>;
}

/** Options shared by the layout helpers. */
export interface BaseLayoutOptions {
  /** Figure title; default none. */
  title?: string;
  /** Height in px; default `theme.figureHeight`. */
  height?: number;
  /** Width in px; default none (the figure fills its container). */
  width?: number;
  /** Show the legend; default true. */
  showLegend?: boolean;
}

/** Font object for a given size in the theme's family and colour. */
export function font(theme: Theme, size: number, color: string = theme.textColor): Record<string, unknown> {
  return { family: theme.fontFamily, size, color };
}

/**
 * Escapes text for plotly's HTML-like labels (titles, annotations, tick texts) so a class
 * name such as `a<b` shows as typed (plotly decodes the entities); newlines become line breaks.
 */
export function plotlyText(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

/**
 * Estimated width in px of one line of text at `fontSize`: about 0.6 em per Latin character (a
 * little more than Arial's average, so estimates err on the roomy side) and 1 em per CJK or
 * other full-width character. Used to size margins and tile columns before the browser measures.
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.6;
  return Math.ceil(em * fontSize);
}

/** Layout fields every figure gets from the theme: fonts, colours, margins, title. */
export function baseLayout(theme: Theme, opts: BaseLayoutOptions = {}): Layout {
  const layout: Layout = {
    font: font(theme, theme.fontSize),
    paper_bgcolor: theme.backgroundColor,
    plot_bgcolor: theme.backgroundColor,
    colorway: [...theme.palette],
    height: opts.height ?? theme.figureHeight,
    showlegend: opts.showLegend ?? true,
    legend: { font: font(theme, theme.fontSize) },
    hoverlabel: { font: { family: theme.fontFamily, size: theme.fontSize } },
    margin: { t: opts.title ? Math.round(theme.titleFontSize * 2.6) : 20, r: 20, b: 20, l: 20 },
  };
  if (opts.width !== undefined) layout.width = opts.width;
  if (opts.title) {
    layout.title = { text: plotlyText(opts.title), font: font(theme, theme.titleFontSize), x: 0.02, xanchor: 'left' };
  }
  return layout;
}

/** A visible axis with a title, in the theme's fonts and grid colour. */
export function axis(theme: Theme, title?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const titled = title ? { title: { text: plotlyText(title), font: font(theme, theme.axisTitleFontSize) } } : {};
  return {
    ...titled,
    tickfont: font(theme, theme.tickFontSize),
    gridcolor: theme.gridColor,
    gridwidth: theme.name === 'projector' ? 2 : 1,
    linecolor: theme.textColor,
    linewidth: theme.name === 'projector' ? 2 : 1,
    showline: true,
    zeroline: false,
    automargin: true,
    ...extra,
  };
}

/** Replaces non-finite numbers with null, which plotly draws as a gap instead of failing. */
export function finiteOrNull(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}
