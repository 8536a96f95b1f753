/**
 * 2-D PCA projections, to compare how well classes separate in raw pixels vs in pretrained
 * features ("the network already sorted them").
 */
import { DataError } from '../errors';
import { scatterFigure } from './charts';
import { Figure } from './figure';

/** Result of {@link pca2d}. */
export interface PcaResult {
  /** Each input row projected on the two principal components. */
  points: [number, number][];
  /** The two principal directions (unit vectors in input space); the largest-magnitude entry of each is positive. */
  components: [number[], number[]];
  /** Variance along each component (divided by n - 1). */
  explainedVariance: [number, number];
  /** Share of the total variance each component explains (0..1). */
  explainedVarianceRatio: [number, number];
  /** Column means subtracted before projecting. */
  mean: number[];
}

type Row = ArrayLike<number>;

function dot(a: Row, b: Row): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** Row-by-row dot product, kept separate so this hot loop only ever sees the input's array type (stays fast in V8). */
function rowDot(a: Row, b: Row): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** Deterministic pseudo-random numbers (mulberry32) for the start vectors. */
function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; eigenvalues descending. */
function jacobiEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const p = a.length;
  const m = a.map((r) => [...r]);
  const v: number[][] = m.map((_, i) => m.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) off += m[i][j] * m[i][j];
    if (off < 1e-30) break;
    for (let i = 0; i < p; i++) {
      for (let j = i + 1; j < p; j++) {
        if (Math.abs(m[i][j]) < 1e-300) continue;
        const theta = (m[j][j] - m[i][i]) / (2 * m[i][j]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const mki = m[k][i];
          const mkj = m[k][j];
          m[k][i] = c * mki - s * mkj;
          m[k][j] = s * mki + c * mkj;
        }
        for (let k = 0; k < p; k++) {
          const mik = m[i][k];
          const mjk = m[j][k];
          m[i][k] = c * mik - s * mjk;
          m[j][k] = s * mik + c * mjk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k][i];
          const vkj = v[k][j];
          v[k][i] = c * vki - s * vkj;
          v[k][j] = s * vki + c * vkj;
        }
      }
    }
  }
  const order = m.map((_, i) => i).sort((x, y) => m[y][y] - m[x][x]);
  return { values: order.map((i) => m[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}

/** Orthonormalises columns in place (modified Gram-Schmidt); refills collapsed columns deterministically. */
function orthonormalize(cols: Float64Array[], rand: () => number): void {
  for (let j = 0; j < cols.length; j++) {
    for (let attempt = 0; attempt < 3; attempt++) {
      for (let i = 0; i < j; i++) {
        const d = dot(cols[i], cols[j]);
        for (let k = 0; k < cols[j].length; k++) cols[j][k] -= d * cols[i][k];
      }
      const norm = Math.sqrt(dot(cols[j], cols[j]));
      if (norm > 1e-12) {
        for (let k = 0; k < cols[j].length; k++) cols[j][k] /= norm;
        break;
      }
      for (let k = 0; k < cols[j].length; k++) cols[j][k] = rand();
    }
  }
}

/** Top eigenpairs of a symmetric PSD matrix by subspace iteration with Rayleigh-Ritz. */
function topEigen(a: Float64Array[], count: number): { values: number[]; vectors: Float64Array[] } {
  const m = a.length;
  const p = Math.min(m, count + 2);
  const rand = prng(20240611);
  let q = Array.from({ length: p }, () => Float64Array.from({ length: m }, rand));
  orthonormalize(q, rand);
  const scale = Math.max(...a.map((row, i) => Math.abs(row[i])), 1e-300);
  let values: number[] = [];
  let vectors: Float64Array[] = [];
  for (let it = 0; it < 2000; it++) {
    const z = q.map((col) => Float64Array.from(a, (row) => dot(row, col)));
    const b = q.map((qi) => z.map((zj) => dot(qi, zj)));
    const eig = jacobiEigen(b);
    values = eig.values;
    vectors = eig.vectors.map((w) => {
      const out = new Float64Array(m);
      w.forEach((wi, i) => {
        for (let k = 0; k < m; k++) out[k] += wi * q[i][k];
      });
      return out;
    });
    let residual = 0;
    for (let c = 0; c < Math.min(count, p); c++) {
      const av = Float64Array.from(a, (row) => dot(row, vectors[c]));
      let r = 0;
      for (let k = 0; k < m; k++) r += (av[k] - values[c] * vectors[c][k]) ** 2;
      residual = Math.max(residual, Math.sqrt(r));
    }
    if (residual <= 1e-10 * scale) break;
    orthonormalize(z, rand);
    q = z;
  }
  return { values: values.slice(0, count), vectors: vectors.slice(0, count) };
}

/**
 * Principal component analysis down to 2-D, deterministic (no random restarts, fixed sign).
 * Works on the smaller of the covariance (d x d) and Gram (n x n) matrices, so it costs about
 * n * d * min(n, d) operations: downsample raw images (e.g. to 32x32) before projecting pixels.
 * @param rows one feature vector per sample, all the same length.
 * @example const pca = pca2d(features); show(projectionFigure(pca, labels, classNames, 'Pretrained features'));
 */
export function pca2d(rows: Float32Array[] | number[][]): PcaResult {
  const n = rows.length;
  const d = n > 0 ? rows[0].length : 0;
  if (n === 0 || d === 0) {
    throw new DataError(`pca2d: need at least one non-empty row, got ${n} rows of length ${d}.`);
  }
  const bad = rows.findIndex((r) => r.length !== d);
  if (bad >= 0) {
    throw new DataError(`pca2d: row ${bad} has ${rows[bad].length} values but row 0 has ${d}; all rows must be the same length.`);
  }
  const mean = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) mean[k] += r[k];
  for (let k = 0; k < d; k++) mean[k] /= n;

  let total = 0;
  for (const r of rows) for (let k = 0; k < d; k++) total += (r[k] - mean[k]) ** 2;

  let components: Float64Array[];
  let values: number[];
  if (d <= n) {
    // Covariance (scatter) matrix d x d.
    const cov = Array.from({ length: d }, () => new Float64Array(d));
    const centred = new Float64Array(d);
    for (const r of rows) {
      for (let k = 0; k < d; k++) centred[k] = r[k] - mean[k];
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) cov[i][j] += centred[i] * centred[j];
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[j][i] = cov[i][j];
    ({ values, vectors: components } = topEigen(cov, 2));
  } else {
    // Gram matrix n x n of centred rows: x_i.x_j - x_i.mu - x_j.mu + mu.mu.
    const am = rows.map((r) => dot(r, mean));
    const mm = dot(mean, mean);
    const gram = Array.from({ length: n }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const g = rowDot(rows[i], rows[j]) - am[i] - am[j] + mm;
        gram[i][j] = g;
        gram[j][i] = g;
      }
    }
    const eig = topEigen(gram, 2);
    values = eig.values;
    // Component v = Xc^T u, normalised.
    components = eig.vectors.map((u) => {
      const v = new Float64Array(d);
      let usum = 0;
      rows.forEach((r, i) => {
        usum += u[i];
        for (let k = 0; k < d; k++) v[k] += u[i] * r[k];
      });
      for (let k = 0; k < d; k++) v[k] -= usum * mean[k];
      const norm = Math.sqrt(dot(v, v));
      if (norm > 0) for (let k = 0; k < d; k++) v[k] /= norm;
      return v;
    });
  }
  while (components.length < 2) {
    components.push(new Float64Array(d));
    values.push(0);
  }
  for (const v of components) {
    // Deterministic sign: the largest-magnitude loading is positive.
    let best = 0;
    for (let k = 1; k < d; k++) if (Math.abs(v[k]) > Math.abs(v[best]) + 1e-12) best = k;
    if (v[best] < 0) for (let k = 0; k < d; k++) v[k] = -v[k] || 0;
  }
  const muDot = components.map((v) => dot(mean, v));
  const points = rows.map((r) => [dot(r, components[0]) - muDot[0], dot(r, components[1]) - muDot[1]] as [number, number]);
  const clean = (x: number): number => (x > 0 ? x : 0);
  return {
    points,
    components: [Array.from(components[0]), Array.from(components[1])],
    explainedVariance: [clean(values[0]) / Math.max(1, n - 1), clean(values[1]) / Math.max(1, n - 1)],
    explainedVarianceRatio: total > 0 ? [clean(values[0]) / total, clean(values[1]) / total] : [0, 0],
    mean: Array.from(mean),
  };
}

/**
 * Scatter of 2-D points coloured (and shaped) by class, with a legend. Pass a {@link PcaResult}
 * to get the explained variance in the axis titles.
 * @param labels class index of each point, into `classNames`.
 */
export function projectionFigure(
  points: PcaResult | [number, number][],
  labels: ArrayLike<number>,
  classNames: string[],
  title?: string,
): Figure {
  const pts = Array.isArray(points) ? points : points.points;
  if (pts.length !== labels.length) {
    throw new DataError(`projectionFigure: ${pts.length} points but ${labels.length} labels; give one class index per point.`);
  }
  const ratio = Array.isArray(points) ? undefined : points.explainedVarianceRatio;
  const axisTitle = (i: number): string =>
    ratio ? `PC ${i + 1} (${(ratio[i] * 100).toFixed(1)}% of variance)` : `component ${i + 1}`;
  return scatterFigure(
    pts.map(([x, y], i) => ({ x, y, group: classNames[labels[i]] ?? `class ${labels[i]}` })),
    { title, xTitle: axisTitle(0), yTitle: axisTitle(1), groups: [...classNames], showLabels: false, opacity: 0.75 },
  );
}
