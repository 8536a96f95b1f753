/**
 * Runs the tfjs half of `npm run bench`: builds the models (random weights: timing only), makes
 * the seeded input batch (and writes it for PyTorch to read), times every task and returns plain
 * numbers for `benchRows` / the JSON line.
 * @see scripts/bench.mjs
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../backend';
import { MobileNetV2 } from '../models/mobilenet_v2';
import { ResNet50 } from '../models/resnet';
import { countMacs, trainingStepMacs } from './flops';
import { cpuPeak, CpuPeak } from './peak';
import { seededLabels, seededUniform } from './random';
import { fineTuneModel, timeExtraction, timeFineTuneStep, timeParallelExtraction, VariantResult } from './tasks';
import type { TimingOptions } from './stats';

/** Task ids, shared with scripts/bench_torch.py. */
export type BenchTaskId = 'mobilenet_v2_extract' | 'mobilenet_v2_finetune' | 'resnet50_extract';

/** The PyTorch measurement a variant is compared with (keys of bench_torch.py's output). */
export type TorchKey = 'mobilenet_v2_extract' | 'mobilenet_v2_finetune_step' | 'mobilenet_v2_finetune_cached' | 'resnet50_extract';

/** One variant with its work per unit and its PyTorch counterpart. */
export interface OurVariant extends VariantResult {
  /** GFLOP per unit (per image, or per training step of the whole batch). */
  gflopPerUnit: number;
  /** Which PyTorch figure it is compared with. */
  torchKey: TorchKey;
}

/** One task's results. */
export interface OurTask {
  id: BenchTaskId;
  label: string;
  unit: 'img/s' | 'steps/s';
  variants: OurVariant[];
}

/** Everything the tfjs side measured. */
export interface OursResult {
  backend: string;
  backendSummary: string;
  batch: number;
  imageSize: number;
  seed: number;
  workers: number;
  warmup: number;
  reps: number;
  machine: CpuPeak;
  tasks: OurTask[];
}

/** Options of `runOurBench`. */
export interface OurBenchOptions {
  /** Fewer repetitions (warm-up 1, 2 reps) for a smoke run. Defaults to false. */
  quick?: boolean;
  /** Timed repetitions. Defaults to 5 (2 with quick). */
  reps?: number;
  /** Warm-up runs. Defaults to 1. */
  warmup?: number;
  /** Worker threads of the parallel variants. Defaults to `os.availableParallelism()`. */
  workers?: number;
  /** Batch size. Defaults to 32. */
  batch?: number;
  /** Image height = width. Defaults to 224. */
  imageSize?: number;
  /** Seed of the input batch and labels. Defaults to 42. */
  seed?: number;
  /** Classes of the fine-tuning head. Defaults to 10. */
  classes?: number;
  /** Write the input batch here as raw little-endian float32, NHWC. Defaults to not writing. */
  inputFile?: string;
  /** Write the labels here as raw little-endian int32. Defaults to not writing. */
  labelsFile?: string;
  /** Tasks to run. Defaults to all three. */
  tasks?: BenchTaskId[];
  /** Called with a line of progress text. Defaults to writing to stderr. */
  log?: (line: string) => void;
}

const ALL_TASKS: BenchTaskId[] = ['mobilenet_v2_extract', 'mobilenet_v2_finetune', 'resnet50_extract'];

async function extractionVariants(
  model: tf.LayersModel, x: tf.Tensor4D, data: Float32Array, workers: number, timing: TimingOptions, torchKey: TorchKey, log: (s: string) => void,
): Promise<OurVariant[]> {
  const gflopPerUnit = countMacs(model).gflops;
  const out: OurVariant[] = [];
  for (const fold of [false, true]) {
    const r = await timeExtraction(model, x, fold, timing);
    log(`  ${r.variant}: ${r.perSecond?.toFixed(2)} img/s`);
    out.push({ ...r, gflopPerUnit, torchKey });
  }
  if (workers > 1) {
    const shape = x.shape as [number, number, number, number];
    const r = await timeParallelExtraction(model, data, shape, workers, true, timing);
    log(`  ${r.variant}: ${r.perSecond?.toFixed(2)} img/s (workers started in ${r.startupSeconds.toFixed(1)} s)`);
    out.push({ ...r, gflopPerUnit, torchKey });
  }
  return out;
}

/**
 * Times the tfjs side of the benchmark on the wasm backend (see the module comment).
 *
 * @example
 * const ours = await runOurBench({ quick: true, inputFile: '/tmp/x.f32' });
 */
export async function runOurBench(options: OurBenchOptions = {}): Promise<OursResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const backend = await setupBackend({ prefer: 'wasm', quiet: true });
  const batch = options.batch ?? 32;
  const size = options.imageSize ?? 224;
  const seed = options.seed ?? 42;
  const classes = options.classes ?? 10;
  const workers = options.workers ?? availableParallelism();
  const timing: Required<TimingOptions> = { warmup: options.warmup ?? 1, reps: options.reps ?? (options.quick ? 2 : 5) };
  const tasks = options.tasks ?? ALL_TASKS;

  const data = seededUniform(batch * size * size * 3, seed, -1, 1);
  const labels = seededLabels(batch, classes, seed + 1);
  if (options.inputFile) writeFileSync(options.inputFile, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (options.labelsFile) writeFileSync(options.labelsFile, Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength));
  const x = tf.tensor4d(data, [batch, size, size, 3]);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D;
  const inputShape: [number, number, number] = [size, size, 3];
  const result: OurTask[] = [];
  try {
    if (tasks.includes('mobilenet_v2_extract')) {
      log(`MobileNetV2-1.0 feature extraction (batch ${batch}, ${size}x${size}, backend ${backend.name})`);
      const base = await MobileNetV2({ includeTop: false, pooling: 'avg', weights: null, inputShape });
      result.push({
        id: 'mobilenet_v2_extract', label: 'MobileNetV2-1.0 features', unit: 'img/s',
        variants: await extractionVariants(base, x, data, workers, timing, 'mobilenet_v2_extract', log),
      });
      base.dispose();
    }
    if (tasks.includes('mobilenet_v2_finetune')) {
      log(`MobileNetV2-1.0 fine-tuning step from block_13 (batch ${batch}, ${classes} classes)`);
      const setup = {
        base: await MobileNetV2({ includeTop: false, pooling: 'avg', weights: null, inputShape }),
        unfreezeFrom: 'block_13_expand', cutAfter: 'block_12_add', classes,
      };
      const probe = fineTuneModel(setup);
      const stepGflop = (2 * trainingStepMacs(probe) * batch) / 1e9;
      const topOnly = countMacs(probe).layers.filter((l) => l.trainable).reduce((t, l) => t + 3 * l.macs, 0);
      const cachedGflop = (2 * topOnly * batch) / 1e9;
      const variants = await timeFineTuneStep(setup, x, y, timing, options.workers);
      for (const v of variants) {
        const startup = v.startupSeconds === undefined ? '' : ` (workers started in ${v.startupSeconds.toFixed(1)} s, once per fit call)`;
        log(`  ${v.variant}: ${v.perSecond === null ? v.skipped : `${v.perSecond.toFixed(3)} steps/s${startup}`}`);
      }
      result.push({
        id: 'mobilenet_v2_finetune', label: 'MobileNetV2-1.0 fine-tune step', unit: 'steps/s',
        variants: variants.map((v) => (v.cached === true
          ? { ...v, gflopPerUnit: cachedGflop, torchKey: 'mobilenet_v2_finetune_cached' as const }
          : { ...v, gflopPerUnit: stepGflop, torchKey: 'mobilenet_v2_finetune_step' as const })),
      });
      probe.dispose();
    }
    if (tasks.includes('resnet50_extract')) {
      log(`ResNet50 feature extraction (batch ${batch}, ${size}x${size})`);
      const base = await ResNet50({ includeTop: false, pooling: 'avg', weights: null, inputShape });
      result.push({
        id: 'resnet50_extract', label: 'ResNet50 features', unit: 'img/s',
        variants: await extractionVariants(base, x, data, workers, timing, 'resnet50_extract', log),
      });
      base.dispose();
    }
  } finally {
    tf.dispose([x, y]);
  }
  return {
    backend: backend.name, backendSummary: backend.summary, batch, imageSize: size, seed, workers,
    warmup: timing.warmup, reps: timing.reps, machine: cpuPeak(), tasks: result,
  };
}
