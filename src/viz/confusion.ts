/**
 * Confusion matrix heatmap: rows are true classes, columns predicted classes, every cell
 * annotated with its count (and row percentage when normalised).
 */
import { DataError } from '../errors';
import { axis, baseLayout, Figure, font, plotlyText, textWidth } from './figure';
import { colorscaleBrightness, getTheme, plotlyColorscale, type Theme } from './theme';

/** Options of {@link confusionMatrixFigure}. */
export interface ConfusionMatrixOptions {
  /** Colour by the fraction of each true class (row) instead of raw counts; default false. */
  normalize?: boolean;
  /** Figure title; default 'Confusion matrix'. */
  title?: string;
}

/**
 * Plots `matrix[trueClass][predictedClass]` counts as an annotated heatmap.
 * @example show(confusionMatrixFigure(cm, ['ants', 'bees'], { normalize: true }));
 */
export function confusionMatrixFigure(
  matrix: number[][],
  classNames: string[],
  opts: ConfusionMatrixOptions = {},
): Figure {
  const n = classNames.length;
  if (n === 0 || matrix.length !== n || matrix.some((row) => !Array.isArray(row) || row.length !== n)) {
    throw new DataError(
      `confusionMatrixFigure: matrix must be ${n}x${n} to match classNames (${n} names), got ` +
        `${matrix.length}x${matrix.map((r) => r?.length).join('/')}; rows are true classes, columns predictions.`,
    );
  }
  const theme = getTheme();
  const normalize = opts.normalize ?? false;
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const z = matrix.map((row, i) => row.map((v) => (normalize ? (rowSums[i] > 0 ? v / rowSums[i] : 0) : v)));
  const zmax = normalize ? 1 : Math.max(1, ...matrix.flat());
  const names = classNames.map(plotlyText);

  // Cells shrink for many classes; keep the count text inside its cell.
  const cell = Math.max(28, Math.min(110, Math.round((theme.figureHeight * 1.45) / n)));
  const textSize = Math.max(9, Math.min(theme.annotationFontSize, Math.round(cell * (normalize ? 0.28 : 0.4))));
  const annotations: Record<string, unknown>[] = [];
  matrix.forEach((row, i) =>
    row.forEach((count, j) => {
      const dark = colorscaleBrightness(theme.colorscale, z[i][j] / zmax) < 0.55;
      annotations.push({
        x: names[j],
        y: names[i],
        xref: 'x',
        yref: 'y',
        text: normalize ? `${count}<br>${(z[i][j] * 100).toFixed(0)}%` : String(count),
        showarrow: false,
        // Light text on the dark end of the scale keeps contrast on a projector.
        font: font(theme, textSize, dark ? '#ffffff' : theme.textColor),
      });
    }),
  );

  const layout = baseLayout(theme, { title: opts.title ?? 'Confusion matrix', showLegend: false });
  const margin = confusionMargins(classNames, theme, n > 4 ? 40 : 0, (layout.margin as { t: number }).t);
  // The axis titles sit `standoff` px beyond the tick labels, inside margins sized for the longest
  // class name: plotly's automargin alone let "true label" run into names such as "fritillary".
  const title = (text: string): Record<string, unknown> => ({ text, font: font(theme, theme.axisTitleFontSize), standoff: margin.standoff });
  layout.xaxis = axis(theme, 'predicted label', { type: 'category', tickangle: -margin.tickAngle, showgrid: false, title: title('predicted label') });
  layout.yaxis = axis(theme, 'true label', { type: 'category', autorange: 'reversed', showgrid: false, scaleanchor: 'x', title: title('true label') });
  layout.annotations = annotations;
  layout.margin = { t: margin.t, r: margin.r, b: margin.b, l: margin.l };
  layout.height = Math.max(theme.figureHeight, n * cell + margin.t + margin.b);
  layout.width = Math.max(theme.figureHeight, n * cell + margin.l + margin.r);
  return {
    data: [
      {
        type: 'heatmap',
        z,
        x: names,
        y: names,
        zmin: 0,
        zmax,
        colorscale: plotlyColorscale(theme),
        colorbar: {
          title: { text: normalize ? 'fraction' : 'count', side: 'right', font: font(theme, theme.axisTitleFontSize) },
          tickfont: font(theme, theme.tickFontSize),
          thickness: Math.round(theme.fontSize * 1.4),
        },
        customdata: matrix,
        hovertemplate: 'true %{y}<br>predicted %{x}<br>count %{customdata}<extra></extra>',
      },
    ],
    layout,
  };
}

/** Margins of a confusion matrix, in px, and how its tick labels and axis titles are placed. */
export interface ConfusionMargins {
  t: number;
  r: number;
  b: number;
  l: number;
  /** Angle of the column (predicted) labels, degrees clockwise from horizontal: 0 or 40. */
  tickAngle: number;
  /** Gap in px between the tick labels and the axis title. */
  standoff: number;
}

/**
 * Margins that fit the longest class name beside (rows) and under (columns, rotated by
 * `tickAngle` degrees) the matrix, plus the axis title beyond it, plus the colour bar on the right.
 */
export function confusionMargins(classNames: string[], theme: Theme, tickAngle: number, top: number): ConfusionMargins {
  const longest = Math.max(...classNames.map((name) => Math.max(...name.split(/\r?\n/).map((line) => textWidth(line, theme.tickFontSize)))));
  const tickPad = 10; // plotly's tick mark and the gap between tick and label
  const standoff = Math.round(theme.axisTitleFontSize * 0.6);
  const titleRoom = Math.ceil(theme.axisTitleFontSize * 1.4);
  const rad = (tickAngle * Math.PI) / 180;
  const under = Math.ceil(longest * Math.sin(rad) + theme.tickFontSize * Math.cos(rad) * 1.2);
  const colorbar = Math.round(theme.fontSize * 1.4) + 3 * theme.tickFontSize + titleRoom + 30;
  return {
    t: top,
    r: colorbar,
    b: under + tickPad + standoff + titleRoom,
    l: longest + tickPad + standoff + titleRoom,
    tickAngle,
    standoff,
  };
}
