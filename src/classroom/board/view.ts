/**
 * What the projector shows, built from the latest results with the course's own figure and table
 * builders (src/viz) in the projector theme: a dot plot of the class's validation accuracies, one
 * row per dataset + strategy and one dot per student, and the results table, newest first.
 */
import { scatterFigure } from '../../viz/charts';
import { Figure, font, plotlyText } from '../../viz/figure';
import { toHtmlTable } from '../../viz/tables';
import { getTheme } from '../../viz/theme';
import { median } from '../../stats';
import { ClassResult } from './results';

/** Everything the page redraws when a result arrives. */
export interface BoardView {
  /** Results ever posted; the page redraws only when this changes. */
  version: number;
  /** Distinct students with at least one result. */
  students: number;
  /** Latest results shown (one per student + dataset + strategy). */
  results: number;
  /** Backends the results ran on; with only one, the table leaves its column out and the header names it. */
  backends: string[];
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

/**
 * Builds the page's table and plot from the latest results (any order). The table has one row
 * per student (the most recent poster on top) and one column per dataset + strategy, so the
 * teacher sees at a glance who has finished what; seconds and backend sit beside the accuracy.
 */
export function boardView(latest: ClassResult[], version: number): BoardView {
  const runs = runLabels(latest);
  const byStudent = new Map<string, ClassResult[]>();
  for (const r of latest) byStudent.set(r.student, [...(byStudent.get(r.student) ?? []), r]);
  const lastPost = (rs: ClassResult[]): string => rs.reduce((m, r) => (r.postedAt > m ? r.postedAt : m), '');
  const students = [...byStudent.entries()].sort((a, b) => lastPost(b[1]).localeCompare(lastPost(a[1])));
  const rows = students.map(([student, rs]) => {
    const row: Record<string, unknown> = { student };
    for (const run of runs) {
      const r = rs.find((x) => rowLabel(x) === run);
      row[run] = r ? `${(r.valAccuracy * 100).toFixed(1)}%  ${Math.round(r.seconds)} s` : '';
    }
    row.backend = [...new Set(rs.map((r) => r.backend))].join(', ');
    row.posted = clockTime(lastPost(rs));
    return row;
  });
  const backends = [...new Set(latest.map((r) => r.backend))].sort();
  const columns = ['student', ...runs, ...(backends.length > 1 ? ['backend'] : []), 'posted'];
  const table = toHtmlTable(rows, { columns });
  return {
    version,
    students: byStudent.size,
    results: latest.length,
    backends,
    tableHtml: latest.length > 0 ? table.html : '',
    figure: latest.length > 0 ? accuracyDotPlot(latest) : null,
  };
}

/** The distinct dataset + strategy labels, in the order they were first posted. */
export function runLabels(latest: ClassResult[]): string[] {
  const runs: string[] = [];
  for (const r of [...latest].sort((a, b) => a.postedAt.localeCompare(b.postedAt))) {
    if (!runs.includes(rowLabel(r))) runs.push(rowLabel(r));
  }
  return runs;
}

/**
 * One row per dataset + strategy (first posted on top), a dot per student at their validation
 * accuracy, and a tall bar at the row's median so the class's typical result reads at a glance.
 */
export function accuracyDotPlot(latest: ClassResult[]): Figure {
  const theme = getTheme();
  const rows = runLabels(latest);
  // Spread the dots of one row vertically (students in name order) so equal accuracies do not hide
  // each other; a row with one dot keeps it on the row's line, through the median bar.
  const rowStudents = new Map(rows.map((row) => [row, [...new Set(latest.filter((r) => rowLabel(r) === row)
    .map((r) => r.student))].sort()]));
  const jitter = (r: ClassResult): number => {
    const names = rowStudents.get(rowLabel(r))!;
    return names.length <= 1 ? 0 : (names.indexOf(r.student) / (names.length - 1) - 0.5) * 0.7;
  };
  const y = (r: ClassResult): number => rows.length - 1 - rows.indexOf(rowLabel(r));
  const figure = scatterFigure(
    latest.map((r) => ({ x: r.valAccuracy, y: y(r) + jitter(r), label: r.student, group: rowLabel(r) })),
    { groups: rows, showLabels: latest.length <= MAX_LABELLED_POINTS, opacity: 0.9 },
  );
  const few = latest.length <= MAX_LABELLED_POINTS;
  for (const trace of figure.data) {
    trace.hovertemplate = '%{text}: %{x:.1%}<extra>%{fullData.name}</extra>';
    // Names to the right of the dots, clear of the median bar; smaller dots when a whole class crowds a row.
    trace.textposition = 'middle right';
    trace.opacity = few ? 0.95 : 0.75;
    trace.marker = { ...(trace.marker as object), size: few ? theme.markerSize + 8 : theme.markerSize + 3 };
  }
  const medians = rows.map((row) => median(latest.filter((r) => rowLabel(r) === row).map((r) => r.valAccuracy)));
  figure.data.push({
    type: 'scatter',
    mode: 'markers',
    name: 'class median',
    x: medians,
    y: rows.map((_, i) => rows.length - 1 - i),
    hovertemplate: 'median %{x:.1%}<extra></extra>',
    marker: { symbol: 'line-ns', size: 90, color: theme.textColor, line: { width: 4, color: theme.textColor } },
  });
  const lowest = Math.min(...latest.map((r) => r.valAccuracy));
  const layout = figure.layout;
  layout.xaxis = {
    ...(layout.xaxis as object),
    title: { text: 'validation accuracy   (black bar: class median)', font: font(theme, theme.axisTitleFontSize) },
    tickformat: '.0%',
    range: [Math.max(0, Math.min(0.5, Math.floor((lowest - 0.05) * 10) / 10)), 1.02],
  };
  layout.yaxis = {
    ...(layout.yaxis as object),
    tickvals: rows.map((_, i) => rows.length - 1 - i),
    ticktext: rows.map(plotlyText),
    range: [-0.6, rows.length - 0.4],
    showgrid: false,
  };
  layout.showlegend = false;
  layout.height = Math.max(theme.figureHeight, 160 * rows.length + 140);
  layout.margin = { t: 20, r: 40, b: 20, l: 20 };
  return figure;
}

/** 'HH:MM:SS' of an ISO time, in the board's local time zone (the classroom's). */
function clockTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toTimeString().slice(0, 8);
}
