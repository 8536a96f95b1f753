/**
 * Layout of a grid of small plots (image tiles, filters, activation maps): one pair of hidden
 * axes per tile, sized in pixels so tiles stay square and their titles have room.
 */
import { baseLayout, font, Layout, plotlyText, textWidth } from './figure';
import { Theme } from './theme';

/** What {@link tileGrid} needs. */
export interface TileGridSpec {
  count: number;
  columns: number;
  /** Edge of one tile in px (tiles are square boxes; images keep their aspect inside). */
  tileSize: number;
  /** Text lines reserved above each tile for its title; 0 for none. */
  titleLines: number;
  /**
   * Width in px of the widest title line (see {@link textWidth}); columns widen to fit it, up to
   * their share of `maxWidth` (wrap longer titles with {@link wrapTitle}). Default 0.
   */
  titleWidth?: number;
  /** Figure title; default none. */
  title?: string;
  /** Width the whole grid should not exceed, in px; tiles shrink to fit. Default 1150. */
  maxWidth?: number;
}

/** Axis references of one tile and where its title goes (paper coordinates). */
export interface Tile {
  /** Trace axis names, e.g. 'x3' / 'y3'. */
  xaxis: string;
  yaxis: string;
  titleX: number;
  titleY: number;
}

/** Default columns for n tiles: roughly square, between 3 and 8 wide. */
export function defaultColumns(n: number): number {
  return Math.max(1, Math.min(n, 8, Math.max(3, Math.ceil(Math.sqrt(n)))));
}

/** Builds the layout (size, margins, one hidden axis pair per tile) of a tile grid. */
export function tileGrid(theme: Theme, spec: TileGridSpec): { layout: Layout; tiles: Tile[] } {
  const columns = Math.max(1, Math.min(spec.columns, spec.count));
  const rows = Math.ceil(spec.count / columns);
  const gap = Math.round(theme.fontSize * 0.8);
  const maxWidth = spec.maxWidth ?? 1150;
  const tile = Math.max(24, Math.min(spec.tileSize, Math.floor(maxWidth / columns) - gap));
  const titlePx = spec.titleLines > 0 ? Math.ceil(spec.titleLines * theme.annotationFontSize * 1.3) + 4 : 0;
  // A title wider than its tile would be clipped at both ends by the figure's edge: widen the column.
  const colW = Math.max(tile, Math.min(spec.titleWidth ?? 0, Math.floor(maxWidth / columns) - gap)) + gap;
  const rowH = tile + titlePx + gap;
  const plotW = columns * colW;
  const plotH = rows * rowH;
  const margin = { l: 8, r: 8, b: 8, t: spec.title ? Math.round(theme.titleFontSize * 2.4) : 8 };

  const layout = baseLayout(theme, { title: spec.title, showLegend: false });
  layout.margin = margin;
  layout.width = plotW + margin.l + margin.r;
  layout.height = plotH + margin.t + margin.b;
  const tiles: Tile[] = [];
  for (let i = 0; i < spec.count; i++) {
    const r = Math.floor(i / columns);
    const c = i % columns;
    const k = i === 0 ? '' : String(i + 1);
    const left = c * colW + (colW - tile) / 2;
    const top = r * rowH + titlePx + gap / 2;
    const x0 = left / plotW;
    const x1 = (left + tile) / plotW;
    const y1 = 1 - top / plotH;
    const y0 = 1 - (top + tile) / plotH;
    layout[`xaxis${k}`] = { domain: [x0, x1], anchor: `y${k}`, visible: false, constrain: 'domain' };
    layout[`yaxis${k}`] = {
      domain: [y0, y1],
      anchor: `x${k}`,
      visible: false,
      constrain: 'domain',
      scaleanchor: `x${k}`,
      autorange: 'reversed',
    };
    tiles.push({ xaxis: `x${k}`, yaxis: `y${k}`, titleX: (x0 + x1) / 2, titleY: y1 });
  }
  return { layout, tiles };
}

/** Title annotation placed just above a tile. */
export function tileTitle(theme: Theme, tile: Tile, text: string, color?: string): Record<string, unknown> {
  return {
    text: plotlyText(text),
    xref: 'paper',
    yref: 'paper',
    x: tile.titleX,
    y: tile.titleY,
    xanchor: 'center',
    yanchor: 'bottom',
    showarrow: false,
    font: font(theme, theme.annotationFontSize, color ?? theme.textColor),
  };
}

/** Width a tile title may take in a grid of `columns` columns no wider than `maxWidth` (default 1150) px. */
export function maxTitleWidth(theme: Theme, columns: number, maxWidth = 1150): number {
  return Math.floor(maxWidth / Math.max(1, columns)) - Math.round(theme.fontSize * 0.8);
}

/**
 * Breaks each line of `text` that is wider than `maxPx` at the last '/', '_', '-' or space that
 * fits (or anywhere, when none does), so a long file name becomes two or three lines, not a
 * clipped one. Existing line breaks are kept.
 */
export function wrapTitle(text: string, maxPx: number, fontSize: number): string {
  const out: string[] = [];
  for (let line of text.split('\n')) {
    while (textWidth(line, fontSize) > maxPx) {
      const chars = [...line];
      let fit = 1;
      while (fit < chars.length && textWidth(chars.slice(0, fit + 1).join(''), fontSize) <= maxPx) fit++;
      let cut = fit;
      for (let i = fit; i > 0; i--) {
        if ('/_- '.includes(chars[i - 1])) {
          cut = i;
          break;
        }
      }
      out.push(chars.slice(0, cut).join('').trimEnd());
      line = chars.slice(cut).join('');
    }
    out.push(line);
  }
  return out.join('\n');
}
