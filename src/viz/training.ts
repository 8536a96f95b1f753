/**
 * Training curves: loss and accuracy per epoch (with their validation twins), side by side,
 * with a marker where fine-tuning started.
 */
import { DataError } from '../errors';
import { axis, baseLayout, Figure, finiteOrNull, font, HistoryLike, Layout, Trace } from './figure';
import { getTheme } from './theme';

/** Options of {@link trainingCurvesFigure}. */
export interface TrainingCurvesOptions {
  /**
   * 1-based number of the first fine-tuning epoch (= number of frozen-base epochs + 1).
   * A dotted vertical line is drawn between epoch `fineTuneEpoch - 1` and `fineTuneEpoch`,
   * labelled "fine-tuning starts". Default: no marker.
   */
  fineTuneEpoch?: number;
  /** Figure title; default 'Training curves'. */
  title?: string;
}

/** Metrics that are not model quality and would squash the accuracy axis. */
const SKIPPED_METRICS = new Set(['lr', 'learning_rate']);

const isLoss = (key: string): boolean => /(^|_)loss$/.test(key);
const baseName = (key: string): string => key.replace(/^val_/, '');

/** Orders keys as train, val per base metric, in first-seen order of the base metric. */
function orderKeys(keys: string[]): { key: string; base: number; val: boolean }[] {
  const bases: string[] = [];
  for (const k of keys) if (!bases.includes(baseName(k))) bases.push(baseName(k));
  const out: { key: string; base: number; val: boolean }[] = [];
  bases.forEach((b, i) => {
    if (keys.includes(b)) out.push({ key: b, base: i, val: false });
    if (keys.includes(`val_${b}`)) out.push({ key: `val_${b}`, base: i, val: true });
  });
  return out;
}

function axisTitleFor(keys: string[]): string {
  const bases = [...new Set(keys.map(baseName))];
  if (bases.every((b) => b === 'acc' || b === 'accuracy')) return 'accuracy';
  return bases.join(', ');
}

/**
 * Plots a training history: loss (left) and accuracy or other metrics (right), train solid,
 * validation dashed, epochs counted from 1.
 * @param history what `model.fit` returns (or any `{epoch, history}`), possibly two phases concatenated.
 * @example show(trainingCurvesFigure(history, { fineTuneEpoch: 6 }));
 */
export function trainingCurvesFigure(history: HistoryLike, opts: TrainingCurvesOptions = {}): Figure {
  const theme = getTheme();
  const metrics = history?.history ?? {};
  const keys = Object.keys(metrics).filter((k) => !SKIPPED_METRICS.has(k) && metrics[k]?.length > 0);
  if (keys.length === 0) {
    throw new DataError(
      `trainingCurvesFigure: history.history has no metric values (keys: ${JSON.stringify(Object.keys(metrics))}); ` +
        'pass the History that model.fit returned after at least one epoch.',
    );
  }
  const { fineTuneEpoch } = opts;
  if (fineTuneEpoch !== undefined && !(Number.isFinite(fineTuneEpoch) && fineTuneEpoch >= 1)) {
    throw new DataError(
      `trainingCurvesFigure: fineTuneEpoch must be a 1-based epoch number >= 1, got ${fineTuneEpoch}.`,
    );
  }

  const panels = [keys.filter(isLoss), keys.filter((k) => !isLoss(k))].filter((p) => p.length > 0);
  const twoPanels = panels.length === 2;
  const data: Trace[] = [];
  let maxEpoch = 1;
  panels.forEach((panelKeys, p) => {
    const suffix = p === 0 ? '' : '2';
    for (const { key, base, val } of orderKeys(panelKeys)) {
      const ys = metrics[key];
      // tfjs epochs are 0-based; a second fit with initialEpoch continues the count.
      const xs = ys.map((_, i) => (history.epoch?.length === ys.length ? history.epoch[i] : i) + 1);
      maxEpoch = Math.max(maxEpoch, ...xs);
      data.push({
        type: 'scatter',
        mode: ys.length > 30 ? 'lines' : 'lines+markers',
        name: key,
        x: xs,
        y: finiteOrNull(ys),
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        line: {
          width: theme.lineWidth,
          color: theme.palette[(base * 2 + (val ? 1 : 0)) % theme.palette.length],
          dash: val ? 'dash' : 'solid',
        },
        marker: { size: theme.markerSize, symbol: val ? 'square' : 'circle' },
        hovertemplate: `epoch %{x}<br>${key} %{y:.4f}<extra></extra>`,
      });
    }
  });

  const layout: Layout = baseLayout(theme, { title: opts.title ?? 'Training curves' });
  const epochAxis = { tick0: 1, dtick: Math.max(1, Math.ceil(maxEpoch / 10)), rangemode: 'normal' };
  const titles = panels.map((keys, p) => (p === 0 && isLoss(keys[0]) ? 'loss' : axisTitleFor(keys)));
  layout.xaxis = axis(theme, 'epoch', { ...epochAxis, domain: twoPanels ? [0, 0.44] : [0, 1], anchor: 'y' });
  layout.yaxis = axis(theme, titles[0], { anchor: 'x' });
  if (twoPanels) {
    layout.xaxis2 = axis(theme, 'epoch', { ...epochAxis, domain: [0.56, 1], anchor: 'y2' });
    layout.yaxis2 = axis(theme, titles[1], { anchor: 'x2' });
  }
  layout.legend = { orientation: 'h', x: 0, y: -0.25, yanchor: 'top', font: font(theme, theme.fontSize) };
  layout.height = Math.round(theme.figureHeight * 1.15);

  if (fineTuneEpoch !== undefined) {
    // Between the last frozen epoch and the first fine-tuning epoch.
    const x = fineTuneEpoch - 0.5;
    const shapes: Record<string, unknown>[] = [];
    const annotations: Record<string, unknown>[] = [];
    panels.forEach((_, p) => {
      const xref = p === 0 ? 'x' : 'x2';
      shapes.push({
        type: 'line',
        xref,
        yref: 'paper',
        x0: x,
        x1: x,
        y0: 0,
        y1: 1,
        line: { color: theme.textColor, width: Math.max(1, theme.lineWidth - 1), dash: 'dot' },
      });
      annotations.push({
        text: 'fine-tuning starts',
        xref,
        yref: 'paper',
        x,
        y: 1,
        xanchor: 'left',
        yanchor: 'top',
        showarrow: false,
        font: font(theme, theme.annotationFontSize),
        bgcolor: 'rgba(255,255,255,0.8)',
      });
    });
    layout.shapes = shapes;
    layout.annotations = annotations;
  }
  return { data, layout };
}
