/**
 * Generic charts with the shared theme: bars (accuracy per strategy) and labelled scatter
 * plots (model size vs accuracy, 2-D projections coloured by class).
 */
import { DataError } from '../errors';
import { axis, baseLayout, Figure, font, plotlyText, Trace } from './figure';
import { getTheme } from './theme';

/** Options of {@link barFigure}. */
export interface BarOptions {
  /** Figure title; default none. */
  title?: string;
  /** Category axis title; default none. */
  xTitle?: string;
  /** Value axis title; default none. */
  yTitle?: string;
  /** Values are fractions shown as percentages (0.853 -> '85.3%'); default false. */
  percent?: boolean;
  /** Horizontal bars (long labels read better); default false. */
  horizontal?: boolean;
  /** Value axis range [min, max]; default automatic. */
  range?: [number, number];
}

function formatValue(v: number, percent: boolean): string {
  if (!Number.isFinite(v)) return '';
  if (percent) return `${(v * 100).toFixed(1)}%`;
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}

/**
 * Bar chart with the value written on each bar. `values` is one series, or several
 * (`{frozen: [...], 'fine-tuned': [...]}`) drawn as grouped bars with a legend.
 * @example show(barFigure(['scratch', 'frozen', 'fine-tuned'], [0.61, 0.88, 0.93], { percent: true }));
 */
export function barFigure(labels: string[], values: number[] | Record<string, number[]>, opts: BarOptions = {}): Figure {
  const series: [string, number[]][] = Array.isArray(values) ? [['', values]] : Object.entries(values);
  for (const [name, vs] of series) {
    if (vs.length !== labels.length) {
      throw new DataError(
        `barFigure: series ${JSON.stringify(name || 'values')} has ${vs.length} values for ${labels.length} labels; give one value per label.`,
      );
    }
  }
  const theme = getTheme();
  const percent = opts.percent ?? false;
  const names = labels.map(plotlyText);
  const data: Trace[] = series.map(([name, vs], s) => ({
    type: 'bar',
    name: name || undefined,
    orientation: opts.horizontal ? 'h' : 'v',
    x: opts.horizontal ? vs : names,
    y: opts.horizontal ? names : vs,
    text: vs.map((v) => formatValue(v, percent)),
    textposition: 'outside',
    cliponaxis: false,
    textfont: font(theme, theme.annotationFontSize),
    marker: { color: theme.palette[s % theme.palette.length], line: { color: theme.textColor, width: 1 } },
  }));
  const valueAxis = axis(theme, opts.yTitle, {
    ...(percent ? { tickformat: '.0%' } : {}),
    ...(opts.range ? { range: opts.range } : { rangemode: 'tozero' }),
  });
  const categoryAxis = axis(theme, opts.xTitle, { type: 'category', showgrid: false });
  const layout = baseLayout(theme, { title: opts.title, showLegend: series.length > 1 });
  layout.xaxis = opts.horizontal ? valueAxis : categoryAxis;
  layout.yaxis = opts.horizontal ? { ...categoryAxis, autorange: 'reversed' } : valueAxis;
  layout.barmode = 'group';
  return { data, layout };
}

/** One point of {@link scatterFigure}. */
export interface ScatterPoint {
  x: number;
  y: number;
  /** Text written next to the point (e.g. the model name). */
  label?: string;
  /** Series the point belongs to (e.g. its class): one colour, marker shape and legend entry per group. */
  group?: string;
}

/** Options of {@link scatterFigure}. */
export interface ScatterOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Logarithmic x axis (parameter counts); default false. */
  logX?: boolean;
  /** Logarithmic y axis; default false. */
  logY?: boolean;
  /** Write labels beside points; default true when points have labels and there are at most 40. */
  showLabels?: boolean;
  /** Legend order of groups; default first-seen order. */
  groups?: string[];
  /** y axis as percentages (values are fractions); default false. */
  percentY?: boolean;
  /** Marker opacity; default 0.85. */
  opacity?: number;
}

/**
 * Scatter plot with optional labels and groups (one legend entry per group).
 * @example show(scatterFigure(models.map(m => ({ x: m.params, y: m.acc, label: m.name })), { logX: true }));
 */
export function scatterFigure(points: ScatterPoint[], opts: ScatterOptions = {}): Figure {
  const theme = getTheme();
  const groups = opts.groups ? [...opts.groups] : [];
  for (const p of points) if (!groups.includes(p.group ?? '')) groups.push(p.group ?? '');
  const hasLabels = points.some((p) => p.label);
  const showLabels = opts.showLabels ?? (hasLabels && points.length <= 40);
  const data: Trace[] = groups
    .map((g, i) => {
      const ps = points.filter((p) => (p.group ?? '') === g);
      return {
        type: 'scatter',
        mode: showLabels ? 'markers+text' : 'markers',
        name: g ? plotlyText(g) : undefined,
        x: ps.map((p) => p.x),
        y: ps.map((p) => p.y),
        text: hasLabels ? ps.map((p) => plotlyText(p.label ?? '')) : undefined,
        textposition: 'top center',
        textfont: font(theme, theme.annotationFontSize),
        opacity: opts.opacity ?? 0.85,
        marker: {
          size: theme.markerSize + 2,
          color: theme.palette[i % theme.palette.length],
          symbol: theme.symbols[i % theme.symbols.length],
          line: { color: theme.backgroundColor, width: 1 },
        },
        cliponaxis: false,
      } as Trace;
    })
    .filter((t) => (t.x as number[]).length > 0);
  const layout = baseLayout(theme, { title: opts.title, showLegend: groups.length > 1 });
  layout.xaxis = axis(theme, opts.xTitle, opts.logX ? { type: 'log' } : {});
  layout.yaxis = axis(theme, opts.yTitle, {
    ...(opts.logY ? { type: 'log' } : {}),
    ...(opts.percentY ? { tickformat: '.0%' } : {}),
  });
  return { data, layout };
}
