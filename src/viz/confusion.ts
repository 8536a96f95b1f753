/**
 * Confusion matrix heatmap: rows are true classes, columns predicted classes, every cell
 * annotated with its count (and row percentage when normalised).
 */
import { DataError } from '../errors';
import { axis, baseLayout, Figure, font, plotlyText } from './figure';
import { colorscaleBrightness, getTheme, plotlyColorscale } from './theme';

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
  layout.xaxis = axis(theme, 'predicted label', { type: 'category', tickangle: n > 4 ? -40 : 0, showgrid: false });
  layout.yaxis = axis(theme, 'true label', { type: 'category', autorange: 'reversed', showgrid: false, scaleanchor: 'x' });
  layout.annotations = annotations;
  layout.height = Math.max(theme.figureHeight, n * cell + 220);
  layout.width = Math.max(theme.figureHeight, n * cell + 260);
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
