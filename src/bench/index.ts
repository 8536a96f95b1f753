/**
 * Benchmark helpers: MAC / FLOP counting from a model's layers, this CPU's peak, seeded inputs,
 * median timing, the tfjs tasks of `npm run bench` and the ours-vs-PyTorch report.
 */
export { countMacs, trainingStepMacs, type LayerMacs, type MacCount } from './flops';
export { cpuPeak, type CpuPeak, type CpuPeakOptions } from './peak';
export { median, timeRepeated, type Timing, type TimingOptions } from './stats';
export { mulberry32, seededLabels, seededUniform } from './random';
export {
  fineTuneModel, timeExtraction, timeFineTuneStep, timeParallelExtraction, type FineTuneSetup, type VariantResult,
} from './tasks';
export { runOurBench, type BenchTaskId, type OurBenchOptions, type OurTask, type OurVariant, type OursResult, type TorchKey } from './run';
export { benchJson, benchRows, formatBenchTable, type BenchRow, type TorchResult } from './report';
