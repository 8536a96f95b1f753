/**
 * Plot themes shared by every figure builder: `default` for a laptop screen and
 * `projector` for the classroom (large fonts, thick lines, high contrast, colour-blind-safe).
 * The theme is read when a figure is built, so call `setTheme` before building figures.
 */
import { TransferLabError } from '../errors';

/** Names accepted by {@link setTheme}. */
export type ThemeName = 'default' | 'projector';

/** Everything a figure builder needs to know about looks. Sizes are CSS pixels. */
export interface Theme {
  readonly name: ThemeName;
  readonly fontFamily: string;
  /** Body text: legends, hover labels. */
  readonly fontSize: number;
  /** Figure titles. */
  readonly titleFontSize: number;
  /** Axis titles. */
  readonly axisTitleFontSize: number;
  /** Tick labels. */
  readonly tickFontSize: number;
  /** Text placed on the plot: tile titles, matrix counts, marker labels. */
  readonly annotationFontSize: number;
  readonly lineWidth: number;
  readonly markerSize: number;
  readonly textColor: string;
  readonly backgroundColor: string;
  readonly gridColor: string;
  /** Categorical colours, in the order series get them. Both palettes are colour-blind-safe. */
  readonly palette: readonly string[];
  /** Marker symbols per series, so classes differ in shape too (colour-blind / greyscale projectors). */
  readonly symbols: readonly string[];
  /** Sequential colour scale for confusion matrices: plotly `[fraction, colour]` stops, light to dark or dark to light. */
  readonly colorscale: readonly (readonly [number, string])[];
  /** Colour of a tile border marked 'ok' (correct prediction). */
  readonly okColor: string;
  /** Colour of a tile border marked 'bad' (misclassified). */
  readonly badColor: string;
  /** Default height of a single-row chart. */
  readonly figureHeight: number;
  /** Edge length of one image tile in a grid. */
  readonly tileSize: number;
}

// Paul Tol's "bright" scheme: distinct for all common colour-vision deficiencies.
const TOL_BRIGHT = ['#4477AA', '#EE6677', '#228833', '#CCBB44', '#66CCEE', '#AA3377', '#BBBBBB'];
// Okabe & Ito: the standard colour-blind-safe set; ordered so the first colours contrast best on white.
const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];
// ColorBrewer "Blues" (light -> dark) and matplotlib "viridis" (dark -> light), as hex stops.
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
const stops = (colors: string[]): readonly (readonly [number, string])[] =>
  Object.freeze(colors.map((c, i) => Object.freeze([i / (colors.length - 1), c] as const)));
/**
 * Fonts with Chinese glyphs, tried after the Latin ones so Latin text keeps its look while key
 * terms such as 迁移学习 render in a matching sans-serif on every classroom OS: Noto Sans CJK /
 * Source Han Sans (Linux, `apt install fonts-noto-cjk`), Microsoft YaHei (Windows), PingFang
 * (macOS), WenQuanYi Micro Hei (older Linux).
 */
export const CJK_FONT_FAMILIES: readonly string[] = Object.freeze([
  'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'WenQuanYi Micro Hei',
]);

/** A CSS / plotly font-family list: the given Latin fonts, then {@link CJK_FONT_FAMILIES}, then sans-serif. */
export function fontStack(latin: readonly string[]): string {
  const quote = (f: string): string => (/\s/.test(f) ? `"${f}"` : f);
  return [...latin, ...CJK_FONT_FAMILIES].map(quote).concat('sans-serif').join(', ');
}

const SYMBOLS = ['circle', 'square', 'diamond', 'triangle-up', 'x', 'cross', 'triangle-down', 'star'];

const THEMES: Record<ThemeName, Theme> = {
  default: Object.freeze({
    name: 'default',
    fontFamily: fontStack(['Helvetica Neue', 'Arial']),
    fontSize: 13,
    titleFontSize: 17,
    axisTitleFontSize: 14,
    tickFontSize: 12,
    annotationFontSize: 12,
    lineWidth: 2,
    markerSize: 7,
    textColor: '#222222',
    backgroundColor: '#ffffff',
    gridColor: '#e5e5e5',
    palette: Object.freeze([...TOL_BRIGHT]),
    symbols: Object.freeze([...SYMBOLS]),
    colorscale: stops(BLUES),
    okColor: '#4477AA',
    badColor: '#EE6677',
    figureHeight: 380,
    tileSize: 150,
  }),
  projector: Object.freeze({
    name: 'projector',
    fontFamily: fontStack(['Arial']),
    fontSize: 22,
    titleFontSize: 30,
    axisTitleFontSize: 24,
    tickFontSize: 20,
    annotationFontSize: 20,
    lineWidth: 5,
    markerSize: 13,
    textColor: '#000000',
    backgroundColor: '#ffffff',
    gridColor: '#b0b0b0',
    palette: Object.freeze([...OKABE_ITO]),
    symbols: Object.freeze([...SYMBOLS]),
    colorscale: stops(VIRIDIS),
    okColor: '#0072B2',
    badColor: '#D55E00',
    figureHeight: 540,
    tileSize: 220,
  }),
};

let current: Theme = THEMES.default;

/**
 * Selects the look of every figure built afterwards.
 * @param name 'default' (screen) or 'projector' (fonts >= 20px, thick lines, high contrast).
 * @example setTheme('projector'); show(trainingCurvesFigure(history));
 */
export function setTheme(name: ThemeName): void {
  const theme = THEMES[name];
  if (!theme) {
    throw new TransferLabError(
      `setTheme: unknown theme ${JSON.stringify(name)}; use one of ${Object.keys(THEMES).join(', ')}.`,
    );
  }
  current = theme;
}

/** The theme figure builders use now (frozen; change it with {@link setTheme}). */
export function getTheme(): Theme {
  return current;
}

/** Colour of the i-th series in the current theme (wraps around the palette). */
export function seriesColor(i: number, theme: Theme = current): string {
  return theme.palette[i % theme.palette.length];
}

/** Perceived brightness (0 dark .. 1 light) of the colour at fraction `t` of a colour scale. */
export function colorscaleBrightness(scale: readonly (readonly [number, string])[], t: number): number {
  const x = Math.min(1, Math.max(0, t));
  let i = 1;
  while (i < scale.length - 1 && scale[i][0] < x) i++;
  const [t0, c0] = scale[i - 1];
  const [t1, c1] = scale[i];
  const f = t1 > t0 ? (x - t0) / (t1 - t0) : 0;
  const rgb = (c: string): number[] => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16));
  const [a, b] = [rgb(c0), rgb(c1)];
  const mix = a.map((v, k) => v + (b[k] - v) * f);
  return (0.299 * mix[0] + 0.587 * mix[1] + 0.114 * mix[2]) / 255;
}

/** The theme's colour scale as plotly expects it (mutable copies). */
export function plotlyColorscale(theme: Theme = current): [number, string][] {
  return theme.colorscale.map(([t, c]) => [t, c]);
}
