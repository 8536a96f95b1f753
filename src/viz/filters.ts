/**
 * What a convolutional network looks at: first-layer filters as colour tiles, and activation
 * maps of a few channels as heatmaps (early layers: edges and colours; later: parts).
 */
import { DataError } from '../errors';
import { Figure, Trace } from './figure';
import { defaultColumns, tileGrid, tileTitle } from './grid';
import { getTheme } from './theme';

/** Options of {@link filterGridFigure}. */
export interface FilterGridOptions {
  /** Show at most this many filters (the first ones); default 32. */
  max?: number;
  /** Tiles per row; default 8 (fewer when there are fewer filters). */
  columns?: number;
  /** Figure title; default 'First-layer filters'. */
  title?: string;
}

/**
 * Conv kernels `[kh, kw, cin, cout]` (tfjs / Keras layout, `layer.getWeights()[0]`) as one
 * small image per output filter, each min-max normalised on its own so its pattern shows.
 * With 3 input channels tiles are RGB; otherwise the mean over input channels in grey.
 * @example const [k] = model.getLayer('conv1').getWeights(); show(filterGridFigure({ data: await k.data() as Float32Array, shape: k.shape as [number, number, number, number] }));
 */
export function filterGridFigure(
  weights: { data: Float32Array; shape: [number, number, number, number] },
  opts: FilterGridOptions = {},
): Figure {
  const { data, shape } = weights;
  if (!Array.isArray(shape) || shape.length !== 4 || data.length !== shape.reduce((a, b) => a * b, 1)) {
    throw new DataError(
      `filterGridFigure: weights.shape must be [kh, kw, cin, cout] matching data (${data.length} values), got ${JSON.stringify(shape)}.`,
    );
  }
  const [kh, kw, cin, cout] = shape;
  const count = Math.min(cout, opts.max ?? 32);
  const theme = getTheme();
  const { layout, tiles } = tileGrid(theme, {
    count,
    columns: opts.columns ?? Math.min(8, count),
    tileSize: Math.round(theme.tileSize * 0.55),
    titleLines: 1,
    title: opts.title ?? 'First-layer filters',
  });
  const at = (i: number, j: number, c: number, o: number): number => data[((i * kw + j) * cin + c) * cout + o];
  const data2: Trace[] = [];
  const annotations: Record<string, unknown>[] = [];
  for (let o = 0; o < count; o++) {
    const rgb = cin === 3;
    const values: number[][][] = [];
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < kh; i++) {
      const row: number[][] = [];
      for (let j = 0; j < kw; j++) {
        let px: number[];
        if (rgb) px = [0, 1, 2].map((c) => at(i, j, c, o));
        else {
          let s = 0;
          for (let c = 0; c < cin; c++) s += at(i, j, c, o);
          px = [s / cin];
        }
        for (const v of px) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        row.push(px);
      }
      values.push(row);
    }
    const scale = max > min ? 255 / (max - min) : 0;
    const z = values.map((row) =>
      row.map((px) => {
        const scaled = px.map((v) => Math.round((v - min) * scale));
        return rgb ? scaled : [scaled[0], scaled[0], scaled[0]];
      }),
    );
    data2.push({ type: 'image', z, colormodel: 'rgb', xaxis: tiles[o].xaxis, yaxis: tiles[o].yaxis, hoverinfo: 'skip' });
    annotations.push(tileTitle(theme, tiles[o], `#${o}`));
  }
  layout.annotations = annotations;
  return { data: data2, layout };
}

/** Options of {@link activationMapsFigure}. */
export interface ActivationMapsOptions {
  /** How many channels to show: the most active ones (highest mean), in channel order; default 8. */
  channels?: number;
  /** Figure title; default 'Activation maps'. */
  title?: string;
  /** Tiles per row; default roughly square. */
  columns?: number;
}

/**
 * Heatmaps of a few channels of one activation tensor `[h, w, c]` (or `[1, h, w, c]`), each
 * scaled on its own, titled with its channel index.
 * @example const act = truncated.predict(x) as tf.Tensor; show(activationMapsFigure({ data: await act.data() as Float32Array, shape: act.shape.slice(1) as [number, number, number] }, { title: 'block1_conv2' }));
 */
export function activationMapsFigure(
  maps: { data: Float32Array; shape: number[] },
  opts: ActivationMapsOptions = {},
): Figure {
  const shape = maps.shape.length === 4 && maps.shape[0] === 1 ? maps.shape.slice(1) : maps.shape;
  if (shape.length !== 3 || maps.data.length !== shape[0] * shape[1] * shape[2]) {
    throw new DataError(
      `activationMapsFigure: maps.shape must be [h, w, c] (or [1, h, w, c]) matching data (${maps.data.length} values), ` +
        `got ${JSON.stringify(maps.shape)}; pass one image's activations.`,
    );
  }
  const [h, w, c] = shape;
  const means = new Float64Array(c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) means[k] += maps.data[i * c + k];
  const wanted = Math.max(1, Math.min(c, opts.channels ?? 8));
  const chosen = [...means.keys()]
    .sort((a, b) => means[b] - means[a] || a - b)
    .slice(0, wanted)
    .sort((a, b) => a - b);

  const theme = getTheme();
  const { layout, tiles } = tileGrid(theme, {
    count: chosen.length,
    columns: opts.columns ?? defaultColumns(chosen.length),
    tileSize: theme.tileSize,
    titleLines: 1,
    title: opts.title ?? 'Activation maps',
  });
  const data: Trace[] = [];
  const annotations: Record<string, unknown>[] = [];
  chosen.forEach((k, t) => {
    const z: number[][] = [];
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < h; i++) {
      const row: number[] = [];
      for (let j = 0; j < w; j++) {
        const v = maps.data[(i * w + j) * c + k];
        row.push(v);
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      z.push(row);
    }
    data.push({
      type: 'heatmap',
      z,
      zmin: min,
      zmax: max > min ? max : min + 1,
      colorscale: 'Viridis',
      showscale: false,
      xaxis: tiles[t].xaxis,
      yaxis: tiles[t].yaxis,
      hovertemplate: `channel ${k}<br>(%{y}, %{x}) %{z:.3f}<extra></extra>`,
    });
    annotations.push(tileTitle(theme, tiles[t], `channel ${k}`));
  });
  layout.annotations = annotations;
  return { data, layout };
}
