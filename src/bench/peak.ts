/**
 * This CPU's theoretical float32 peak, to put a benchmark's GFLOP/s in proportion. Peak =
 * cores x clock x flops per cycle per core, where flops per cycle come from the vector unit the
 * flags advertise: AVX2 + FMA is 2 FMA units x 8 float32 lanes x 2 flops = 32 (the issue's
 * reference); AVX without FMA 16; SSE only 8. Frequency: the highest of 'cpu MHz' in
 * /proc/cpuinfo and the cpufreq maximum when the kernel exposes it (VMs often do not; then the
 * reported current clock is all we have, and turbo clocks make the real peak higher).
 * @see scripts/bench.mjs
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

/** The peak and how it was worked out. */
export interface CpuPeak {
  /** CPU model name. */
  model: string;
  /** Cores counted (logical CPUs available to this process). */
  cores: number;
  /** Clock in GHz used for the peak. */
  ghz: number;
  /** float32 flops per cycle per core assumed. */
  flopsPerCycle: number;
  /** cores x ghz x flopsPerCycle. */
  peakGflops: number;
  /** Vector extensions seen in the flags, e.g. ['avx2', 'fma', 'avx512f']. */
  vectorFlags: string[];
  /** One sentence stating the assumptions, for the report. */
  assumption: string;
}

/** Options of `cpuPeak` (for tests and for machines whose /proc says too little). */
export interface CpuPeakOptions {
  /** Text of /proc/cpuinfo. Defaults to reading the file ('' when it does not exist). */
  cpuinfo?: string;
  /** cpufreq maximum in kHz (/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq). Defaults to reading it, if present. */
  maxKhz?: number;
  /** Cores. Defaults to `os.availableParallelism()`. */
  cores?: number;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/**
 * Works out this machine's float32 peak in GFLOP/s, see the module comment.
 *
 * @example
 * cpuPeak().peakGflops; // 2 cores x 2.6 GHz x 32 = 166 on the course server
 */
export function cpuPeak(options: CpuPeakOptions = {}): CpuPeak {
  const info = options.cpuinfo ?? readOr('/proc/cpuinfo', '');
  const maxKhz = options.maxKhz ?? (Number(readOr('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', '0').trim()) || 0);
  const cores = options.cores ?? availableParallelism();
  const field = (name: string) => [...info.matchAll(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'gm'))].map((m) => m[1].trim());
  const model = field('model name')[0] ?? cpus()[0]?.model ?? 'unknown CPU';
  const mhz = Math.max(0, ...field('cpu MHz').map(Number).filter((v) => Number.isFinite(v)), maxKhz / 1000, ...(info === '' ? cpus().map((c) => c.speed) : []));
  const flags = new Set((field('flags')[0] ?? '').split(/\s+/));
  const vectorFlags = ['sse2', 'avx', 'avx2', 'fma', 'avx512f'].filter((f) => flags.has(f));
  const flopsPerCycle = flags.has('avx2') && flags.has('fma') ? 32 : flags.has('avx') ? 16 : 8;
  const ghz = mhz / 1000;
  const unit = flopsPerCycle === 32 ? 'AVX2-FMA: 2 FMA units x 8 float32 lanes x 2 flops' : flopsPerCycle === 16 ? 'AVX: 8 lanes x (1 mul + 1 add)' : 'SSE: 4 lanes x (1 mul + 1 add)';
  const source = maxKhz > 0 ? 'cpufreq max' : "/proc/cpuinfo 'cpu MHz' (no cpufreq max exposed; turbo may be higher)";
  const extra = flags.has('avx512f') ? ' AVX-512 is present too (up to 2x more on some cores); the AVX2-FMA figure is the reference.' : '';
  return {
    model, cores, ghz, flopsPerCycle, peakGflops: cores * ghz * flopsPerCycle, vectorFlags,
    assumption: `peak = ${cores} cores x ${ghz.toFixed(2)} GHz (${source}) x ${flopsPerCycle} flop/cycle (${unit}).${extra}`,
  };
}
