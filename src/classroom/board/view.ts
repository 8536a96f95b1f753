/**
 * What the projector shows, built from the latest results with the course's own figure and table
 * builders (src/viz) in the projector theme: a dot plot of the class's validation accuracies, one
 * row per dataset + strategy and one dot per student, and the results table, newest first.
 */
import { scatterFigure } from '../../viz/charts';
import { Figure, font } from '../../viz/figure';
import { toHtmlTable } from '../../viz/tables';
import { getTheme } from '../../viz/theme';
import { ClassResult } from './results';

/** Everything the page redraws when a result arrives. */
export interface BoardView {
  /** Results ever posted; the page redraws only when this changes. */
  version: number;
  /** Distinct students with at least one result. */
  students: number;
  /** Latest results shown (one per student + dataset + strategy). */
  results: number;
  /** The results table, newest first (escaped HTML from `toHtmlTable`). */
  tableHtml: string;
  /** The dot plot, or null before the first result. */
  figure: Figure | null;
}

/** Points above which the dots lose their name labels (they would overlap on a projector). */
const MAX_LABELLED_POINTS = 16;

/** Row label of a result in the plot. */
export function rowLabel(r: Pick<ClassResult, 'dataset' | 'strategy'>): string {
  return `${r.dataset} · ${r.strategy}`;
}

/** Builds the page's table and plot from the latest results (any order). */
export function boardView(latest: ClassResult[], version: number): BoardView {
  const newestFirst = [...latest].sort((a, b) => b.postedAt.localeCompare(a.postedAt));
  const table = toHtmlTable(
    newestFirst.map((r) => ({
      student: r.student,
      dataset: r.dataset,
      strategy: r.strategy,
      'val accuracy': r.valAccuracy,
      seconds: r.seconds,
      backend: r.backend,
      posted: clockTime(r.postedAt),
    })),
    {
      columns: ['student', 'dataset', 'strategy', 'val accuracy', 'seconds', 'backend', 'posted'],
      format: { 'val accuracy': 'percent', seconds: 0 },
    },
  );
  return {
    version,
    students: new Set(latest.map((r) => r.student)).size,
    results: latest.length,
    tableHtml: latest.length > 0 ? table.html : '',
    figure: latest.length > 0 ? accuracyDotPlot(latest) : null,
  };
}

/**
 * One row per dataset + strategy (first posted on top), a dot per student at their validation
 * accuracy, and a tall bar at the row's median so the class's typical result reads at a glance.
 */
export function accuracyDotPlot(latest: ClassResult[]): Figure {
  const theme = getTheme();
  const rows: string[] = [];
  for (const r of [...latest].sort((a, b) => a.postedAt.localeCompare(b.postedAt))) {
    if (!rows.includes(rowLabel(r))) rows.push(rowLabel(r));
  }
  const students = [...new Set(latest.map((r) => r.student))].sort();
  // Spread the dots of one row vertically by student so equal accuracies do not hide each other.
  const jitter = (student: string): number =>
    students.length <= 1 ? 0 : (students.indexOf(student) / (students.length - 1) - 0.5) * 0.5;
  const y = (r: ClassResult): number => rows.length - 1 - rows.indexOf(rowLabel(r));
  const figure = scatterFigure(
    latest.map((r) => ({ x: r.valAccuracy, y: y(r) + jitter(r.student), label: r.student, group: rowLabel(r) })),
    { groups: rows, showLabels: latest.length <= MAX_LABELLED_POINTS, opacity: 0.9 },
  );
  for (const trace of figure.data) {
    trace.hovertemplate = '%{text}: %{x:.1%}<extra>%{fullData.name}</extra>';
    trace.marker = { ...(trace.marker as object), size: theme.markerSize + 8 };
  }
  const medians = rows.map((row) => median(latest.filter((r) => rowLabel(r) === row).map((r) => r.valAccuracy)));
  figure.data.push({
    type: 'scatter',
    mode: 'markers',
    name: 'class median',
    x: medians,
    y: rows.map((_, i) => rows.length - 1 - i),
    hovertemplate: 'median %{x:.1%}<extra></extra>',
    marker: { symbol: 'line-ns', size: 70, color: theme.textColor, line: { width: 5, color: theme.textColor } },
  });
  const lowest = Math.min(...latest.map((r) => r.valAccuracy));
  const layout = figure.layout;
  layout.xaxis = {
    ...(layout.xaxis as object),
    title: { text: 'validation accuracy', font: font(theme, theme.axisTitleFontSize) },
    tickformat: '.0%',
    range: [Math.max(0, Math.min(0.5, Math.floor((lowest - 0.05) * 10) / 10)), 1.02],
  };
  layout.yaxis = {
    ...(layout.yaxis as object),
    tickvals: rows.map((_, i) => rows.length - 1 - i),
    ticktext: [...rows].map((r) => r.replace(/&/g, '&amp;').replace(/</g, '&lt;')),
    range: [-0.6, rows.length - 0.4],
    showgrid: false,
  };
  layout.showlegend = false;
  layout.height = Math.max(theme.figureHeight, 160 * rows.length + 140);
  layout.margin = { t: 20, r: 40, b: 20, l: 20 };
  return figure;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** 'HH:MM:SS' of an ISO time, in the board's local time zone (the classroom's). */
function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}
