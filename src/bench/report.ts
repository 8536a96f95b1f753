/**
 * Puts the two halves of `npm run bench` side by side: one row per tfjs variant with its PyTorch
 * counterpart, the ratio ours / PyTorch, achieved GFLOP/s and % of this CPU's peak; as a text table
 * or one JSON line. Pure functions over plain data (testable without running a model).
 * @see scripts/bench.mjs
 */
import type { OursResult, TorchKey } from './run';

/** What scripts/bench_torch.py prints (its --out JSON). */
export interface TorchResult {
  torch: string;
  torchvision: string;
  threads: number;
  /** Per measurement: median units per second and every repetition's seconds. */
  tasks: Partial<Record<TorchKey, { perSecond: number; seconds: number[] }>>;
}

/** One line of the comparison. */
export interface BenchRow {
  task: string;
  variant: string;
  unit: string;
  /** null when our variant did not run (`note` says why). */
  ours: number | null;
  torch: number | null;
  /** ours / torch, null without a PyTorch figure. */
  ratio: number | null;
  oursGflops: number | null;
  torchGflops: number | null;
  oursPeakPercent: number | null;
  torchPeakPercent: number | null;
  /** Why our variant did not run, if it did not. */
  note?: string;
}

/** One row per tfjs variant, matched with the PyTorch figure of the same work. */
export function benchRows(ours: OursResult, torch: TorchResult | null): BenchRow[] {
  const peak = ours.machine.peakGflops;
  const percent = (gflops: number) => (peak > 0 ? (100 * gflops) / peak : 0);
  return ours.tasks.flatMap((task) => task.variants.map((v) => {
    const t = torch?.tasks[v.torchKey]?.perSecond ?? null;
    const oursGflops = v.perSecond === null ? null : v.perSecond * v.gflopPerUnit;
    const torchGflops = t === null ? null : t * v.gflopPerUnit;
    return {
      task: task.label, variant: v.variant, unit: task.unit, ours: v.perSecond, torch: t,
      ratio: t === null || t === 0 || v.perSecond === null ? null : v.perSecond / t,
      oursGflops, torchGflops,
      oursPeakPercent: oursGflops === null ? null : percent(oursGflops),
      torchPeakPercent: torchGflops === null ? null : percent(torchGflops),
      ...(v.skipped ? { note: v.skipped } : {}),
    };
  }));
}

function fixed(value: number | null, digits: number): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

/** Right-aligns numbers and left-aligns text in columns separated by two spaces. */
function layout(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The comparison as a text table with a header naming the backend, PyTorch version, machine and
 * peak assumption; `torchNote` says why PyTorch figures are missing, if they are.
 */
export function formatBenchTable(ours: OursResult, torch: TorchResult | null, torchNote?: string): string {
  const rows = benchRows(ours, torch);
  const header = ['task', 'ours: variant', 'unit', 'ours', 'PyTorch', 'ours/PT', 'GFLOP/s ours', 'GFLOP/s PT', '% peak ours', '% peak PT'];
  const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)}%`);
  const cells = rows.map((r) => [
    r.task, r.variant, r.unit, r.ours === null ? 'not run' : fixed(r.ours, r.unit === 'img/s' ? 1 : 3), fixed(r.torch, r.unit === 'img/s' ? 1 : 3),
    r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`, fixed(r.oursGflops, 1), fixed(r.torchGflops, 1),
    pct(r.oursPeakPercent), pct(r.torchPeakPercent),
  ]);
  const notes = rows.filter((r) => r.note).map((r) => `note: ${r.task} / ${r.variant}: ${r.note}`);
  const m = ours.machine;
  const lines = [
    `transfer-lab bench: batch ${ours.batch}, ${ours.imageSize}x${ours.imageSize}, random weights, seeded input; warm-up ${ours.warmup}, median of ${ours.reps}`,
    `ours: tfjs backend '${ours.backend}' (${ours.backendSummary}); parallel rows use ${ours.workers} worker threads, each with its own wasm backend`,
    torch
      ? `PyTorch: torch ${torch.torch}, torchvision ${torch.torchvision}, ${torch.threads} threads (torch.set_num_threads)`
      : `PyTorch: not measured${torchNote ? ` (${torchNote})` : ''}`,
    `CPU: ${m.model}, ${m.assumption} = ${m.peakGflops.toFixed(0)} GFLOP/s`,
    '',
    layout(header, cells, 3),
    ...notes,
  ];
  return lines.join('\n');
}

/** Everything as one JSON-serialisable object (`npm run bench -- --json` prints it on one line). */
export function benchJson(ours: OursResult, torch: TorchResult | null, torchNote?: string): object {
  return { ours, torch, torchNote: torchNote ?? null, rows: benchRows(ours, torch) };
}
