/**
 * Helpers of lesson 01 (what transfer learning is): a tiny CNN for MNIST digits, its transfer
 * from digits 0-4 (source task) to digits 5-9 (target task), few-label subsets, a source with
 * shuffled labels for negative transfer, repeated seeded runs and their summary, and one figure
 * that puts several runs' learning curves side by side.
 *
 * Reproducibility: weights are initialised from seeds, subsets are drawn with seeded generators,
 * and training does not shuffle (tfjs shuffles with Math.random), so a seed gives the same numbers
 * on the same backend.
 * @see notebooks/01-what-is-transfer-learning.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data';
import { createRng, shuffleInPlace } from '../data/random';
import { DataError, ModelError } from '../errors';
import { compileFor, fit, type FitCallback, type TrainingHistory } from '../train';
import { freeze, unfreeze } from '../transfer';
import { getTheme, type Figure, type GridImage, type HistoryLike, type Trace } from '../viz';
import { axis, baseLayout, font, finiteOrNull, plotlyText } from '../viz/figure';

/** The layers a transfer copies: the convolutional body. Everything after them is the head. */
export const DIGIT_CNN_BODY = ['conv1', 'conv2', 'conv3'] as const;

/** Options of {@link digitCnn}. */
export interface DigitCnnOptions {
  /** Classes of the softmax head. Defaults to 5 (digits 0-4, or 5-9 relabelled 0-4). */
  numClasses?: number;
  /** Seed of the weight initialisers: the same seed gives the same starting weights. Defaults to 0. */
  seed?: number;
  /** Filters of conv1, conv2, conv3. Defaults to [8, 16, 32]. */
  filters?: [number, number, number];
  /** Model name. Defaults to 'digit_cnn'. */
  name?: string;
}

/**
 * A tiny CNN for 28x28 greyscale digits that trains in seconds on a CPU:
 * conv1 (3x3, relu) -> pool1 -> conv2 -> pool2 -> conv3 -> flatten (3x3x32 = 288 features) ->
 * head (Dense softmax). With the default filters the body has 5,888 parameters and a 5-class head 1,445.
 *
 * @example
 * const source = digitCnn({ seed: 100, name: 'source_0_4' });
 */
export function digitCnn(opts: DigitCnnOptions = {}): tf.Sequential {
  const numClasses = opts.numClasses ?? 5;
  const seed = opts.seed ?? 0;
  const [f1, f2, f3] = opts.filters ?? [8, 16, 32];
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
    throw new ModelError(`digitCnn: numClasses must be an integer >= 2; received ${JSON.stringify(opts.numClasses)}.`);
  }
  if (![f1, f2, f3].every((f) => Number.isInteger(f) && f > 0)) {
    throw new ModelError(`digitCnn: filters must be three positive integers; received ${JSON.stringify(opts.filters)}.`);
  }
  // Each layer gets its own seed, so changing one filter count leaves the other layers' draws alone.
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 10 + offset });
  const conv = (name: string, filters: number, offset: number, inputShape?: number[]) =>
    tf.layers.conv2d({ name, filters, kernelSize: 3, activation: 'relu', kernelInitializer: init(offset), ...(inputShape ? { inputShape } : {}) });
  return tf.sequential({
    name: opts.name ?? 'digit_cnn',
    layers: [
      conv('conv1', f1, 1, [28, 28, 1]),
      tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      conv('conv2', f2, 2),
      tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      conv('conv3', f3, 3),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'head', units: numClasses, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

/** Options of {@link transferDigitCnn}. */
export interface TransferDigitCnnOptions {
  /** Classes of the new head. Defaults to 5. */
  numClasses?: number;
  /** Seed of the new head's initial weights (the body's are overwritten). Defaults to 0. */
  seed?: number;
  /** Freeze the copied body (feature extraction); false lets it train too (fine-tuning). Defaults to true. */
  freezeBody?: boolean;
  /** Model name. Defaults to 'transfer'. */
  name?: string;
}

/**
 * Model-based transfer in three steps: a fresh {@link digitCnn} with a new head, the body's
 * weights copied from `source` (conv1..conv3), and the body frozen with `freeze`. The source model
 * is not changed. Compile after this (freezing must come before compile).
 *
 * @example
 * const target = transferDigitCnn(source, { seed: 1 });   // body frozen: only the head trains
 */
export function transferDigitCnn(source: tf.LayersModel, opts: TransferDigitCnnOptions = {}): tf.Sequential {
  const filters = DIGIT_CNN_BODY.map((name) => {
    const layer = source.layers.find((l) => l.name === name);
    if (layer == null) {
      throw new ModelError(
        `transferDigitCnn: source model '${source.name}' has no layer '${name}' (it has ${source.layers.map((l) => l.name).join(', ')}); pass a model built by digitCnn.`,
      );
    }
    return (layer.getConfig() as { filters: number }).filters;
  }) as [number, number, number];
  const model = digitCnn({ numClasses: opts.numClasses, seed: opts.seed, filters, name: opts.name ?? 'transfer' });
  for (const name of DIGIT_CNN_BODY) model.getLayer(name).setWeights(source.getLayer(name).getWeights());
  if (opts.freezeBody ?? true) freeze(model, { upTo: 'conv3' });
  return model;
}

/** A labelled subset ready for training: images, one-hot labels and the class index of each image. */
export interface LabelledSet {
  /** Images `[n, 28, 28, 1]`. */
  xs: tf.Tensor4D;
  /** One-hot labels `[n, numClasses]`. */
  ys: tf.Tensor2D;
  /** Class index (0-based) of each image. */
  classes: number[];
}

/**
 * Draws `perClass` images of every class of `data` (loaded with `relabel: true`) with a seeded
 * generator and returns them in a shuffled order, with one-hot labels: the few labelled examples
 * of the target task. Different seeds give different subsets. The caller disposes the tensors.
 *
 * @example
 * const few = fewShot(target, 10, 1);   // 10 images per digit 5..9: 50 labelled images
 */
export function fewShot(data: MnistData, perClass: number, seed = 0): LabelledSet {
  if (!(Number.isInteger(perClass) && perClass > 0)) {
    throw new DataError(`fewShot: perClass must be a positive integer; received ${JSON.stringify(perClass)}.`);
  }
  const numClasses = data.digits.length;
  const classes = data.labels.map((digit) => data.digits.indexOf(digit));
  const rng = createRng(seed);
  const picked: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const members = classes.flatMap((k, i) => (k === c ? [i] : []));
    if (members.length < perClass) {
      throw new DataError(
        `fewShot: digit ${data.digits[c]} has only ${members.length} images, fewer than perClass (${perClass}); load more images or lower perClass.`,
      );
    }
    picked.push(...shuffleInPlace(members, rng).slice(0, perClass));
  }
  // Mixed classes in every batch: training does not shuffle (see the module comment).
  shuffleInPlace(picked, rng);
  return subset(data.xs, picked.map((i) => classes[i]), picked, numClasses);
}

/**
 * All of `data` (loaded with `relabel: true`) as a labelled set with one-hot labels. Its `xs` IS
 * `data.xs` (no copy: MNIST is large), so dispose only `ys` of the set, and `data.xs` once.
 */
export function labelledSet(data: MnistData): LabelledSet {
  const classes = data.labels.map((digit) => data.digits.indexOf(digit));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), data.digits.length).toFloat() as tf.Tensor2D);
  return { xs: data.xs, ys, classes };
}

/** The first `count` images of a set, as a new set (copies; the caller disposes them). */
export function firstImages(set: LabelledSet, count: number): LabelledSet {
  const n = Math.min(count, set.classes.length);
  return { xs: set.xs.slice(0, n), ys: set.ys.slice(0, n), classes: set.classes.slice(0, n) };
}

/**
 * The first `count` images of a set as image-grid tiles (for `imageGridFigure`), each titled with
 * its digit: `digits[class]`.
 */
export function digitTiles(set: LabelledSet, digits: number[], count = set.classes.length): GridImage[] {
  const n = Math.min(count, set.classes.length);
  const pixels = tf.tidy(() => set.xs.slice(0, n).dataSync() as Float32Array);
  const size = 28 * 28;
  return Array.from({ length: n }, (_, i) => ({
    data: pixels.slice(i * size, (i + 1) * size),
    height: 28,
    width: 28,
    channels: 1,
    title: String(digits[set.classes[i]]),
  }));
}

function subset(xs: tf.Tensor4D, classes: number[], indices: number[], numClasses: number): LabelledSet {
  return tf.tidy(() => {
    const idx = tf.tensor1d(indices, 'int32');
    return {
      xs: tf.gather(xs, idx) as tf.Tensor4D,
      ys: tf.oneHot(tf.tensor1d(classes, 'int32'), numClasses).toFloat() as tf.Tensor2D,
      classes,
    };
  });
}

/**
 * The same images with their labels shuffled by a seeded permutation: every class keeps its count,
 * but a label no longer says anything about its image. A source task with nothing to learn, for
 * showing negative transfer. The caller disposes the result.
 */
export function shuffleLabels(set: LabelledSet, seed = 0): LabelledSet {
  const order = shuffleInPlace(set.classes.map((_, i) => i), createRng(seed));
  const classes = order.map((i) => set.classes[i]);
  return tf.tidy(() => ({
    xs: set.xs.clone(),
    ys: tf.gather(set.ys, tf.tensor1d(order, 'int32')) as tf.Tensor2D,
    classes,
  }));
}

/** Options of {@link trainDigits}. */
export interface TrainDigitsOptions {
  /** Epochs of this call (a count, even when `history` continues an earlier call). Required. */
  epochs: number;
  /** Adam learning rate. Defaults to 3e-3. */
  learningRate?: number;
  /** Images per step. Defaults to 16. */
  batchSize?: number;
  /** Test set evaluated after every epoch (gives val_loss, val_acc). Defaults to none. */
  validation?: LabelledSet;
  /** Callbacks for `fit`, e.g. `new LivePlot()`. Defaults to none. */
  callbacks?: FitCallback[];
  /** History of an earlier call to continue (e.g. frozen, then fine-tuning). Defaults to none. */
  history?: TrainingHistory;
  /** Phase name in the history. Defaults to fit's ('train', or 'fine-tune' when continuing). */
  phase?: string;
  /** Compile with Adam first (needed after freezing or unfreezing). Defaults to true. */
  compile?: boolean;
}

/**
 * Compiles `model` with Adam and trains it on `set` through the train area's `fit`, without
 * shuffling (so seeded runs repeat exactly) and silently. Returns the (merged) history.
 *
 * @example
 * const history = await trainDigits(model, few, { epochs: 30, validation: test });
 */
export async function trainDigits(model: tf.LayersModel, set: LabelledSet, opts: TrainDigitsOptions): Promise<TrainingHistory> {
  if (!(Number.isInteger(opts.epochs) && opts.epochs > 0)) {
    throw new ModelError(`trainDigits: epochs must be a positive integer; received ${JSON.stringify(opts.epochs)}.`);
  }
  if (opts.compile ?? true) compileFor(model, { optimizer: 'adam', learningRate: opts.learningRate ?? 3e-3, loss: 'categoricalCrossentropy' });
  const start = opts.history != null && opts.history.epoch.length > 0 ? opts.history.epoch[opts.history.epoch.length - 1] + 1 : 0;
  return fit(model, { x: set.xs, y: set.ys }, {
    epochs: start + opts.epochs,
    batchSize: opts.batchSize ?? 16,
    shuffle: false,
    validationData: opts.validation != null ? [opts.validation.xs, opts.validation.ys] : undefined,
    callbacks: opts.callbacks,
    history: opts.history,
    phase: opts.phase,
    verbose: 0,
  });
}

/** Fraction of `set` that `model` classifies correctly. */
export function accuracyOn(model: tf.LayersModel, set: LabelledSet, batchSize = 256): number {
  return tf.tidy(() => {
    const predicted = (model.predict(set.xs, { batchSize }) as tf.Tensor).argMax(-1);
    return tf.equal(predicted, set.ys.argMax(-1)).mean().dataSync()[0];
  });
}

/**
 * Fraction of the features at `layer` (default 'flatten', what the head sees) that are zero for
 * every image of `xs`: units that carry no information at all. Frozen, such a unit stays useless.
 */
export function silentFeatureFraction(model: tf.LayersModel, xs: tf.Tensor4D, layer = 'flatten'): number {
  const output = model.getLayer(layer).output as tf.SymbolicTensor;
  const features = tf.model({ inputs: model.inputs, outputs: output });
  return tf.tidy(() => {
    const values = (features.predict(xs, { batchSize: 256 }) as tf.Tensor).reshape([xs.shape[0], -1]);
    return values.abs().max(0).lessEqual(0).mean().dataSync()[0];
  });
}

/** One way of preparing the target model, for {@link compareSetups}. */
export interface TransferSetup {
  /** Row name in the table. */
  name: string;
  /** Trained source model whose body is copied; none means from scratch (fresh weights). */
  source?: tf.LayersModel;
  /** Freeze the copied body (only the head trains). Defaults to true when there is a source. */
  freezeBody?: boolean;
  /** Learning rate for this setup. Defaults to the options' learningRate. */
  learningRate?: number;
  /**
   * Fine-tune after a frozen phase: train the head for `afterEpochs` epochs, then unfreeze every
   * layer and train the rest of the epochs at `learningRate` (default 1e-3). Defaults to none.
   */
  fineTune?: { afterEpochs: number; learningRate?: number };
}

/** Options of {@link compareSetups}. */
export interface CompareSetupsOptions {
  /** Labelled images per target class. Required. */
  perClass: number;
  /** Seeds: each draws its own few-label subset and its own head initialisation. Required. */
  seeds: number[];
  /** Training epochs per run. Required. */
  epochs: number;
  /** Adam learning rate of setups that do not set their own. Defaults to 3e-3. */
  learningRate?: number;
  /** Images per step. Defaults to 16. */
  batchSize?: number;
}

/** One run of {@link compareSetups}: a setup, a seed, the test accuracy reached. */
export type SetupRun = { setup: string; seed: number; accuracy: number };

/**
 * Trains every setup once per seed on a few-label subset of `target` (the same subset for every
 * setup of a seed) and measures its accuracy on `test`. Models are disposed after measuring.
 */
export async function compareSetups(setups: TransferSetup[], target: MnistData, test: LabelledSet, opts: CompareSetupsOptions): Promise<SetupRun[]> {
  const runs: SetupRun[] = [];
  for (const seed of opts.seeds) {
    const few = fewShot(target, opts.perClass, seed);
    for (const setup of setups) {
      const model = setup.source != null
        ? transferDigitCnn(setup.source, { seed, freezeBody: setup.freezeBody ?? true, numClasses: target.digits.length })
        : digitCnn({ seed, numClasses: target.digits.length });
      const lr = setup.learningRate ?? opts.learningRate;
      const ft = setup.fineTune;
      if (ft == null) {
        await trainDigits(model, few, { epochs: opts.epochs, learningRate: lr, batchSize: opts.batchSize });
      } else {
        if (!(Number.isInteger(ft.afterEpochs) && ft.afterEpochs > 0 && ft.afterEpochs < opts.epochs)) {
          throw new ModelError(`compareSetups: setup '${setup.name}': fineTune.afterEpochs must be an integer in 1..${opts.epochs - 1}; received ${JSON.stringify(ft.afterEpochs)}.`);
        }
        const frozen = await trainDigits(model, few, { epochs: ft.afterEpochs, learningRate: lr, batchSize: opts.batchSize });
        model.optimizer?.dispose();
        unfreeze(model, 'all');
        await trainDigits(model, few, { epochs: opts.epochs - ft.afterEpochs, learningRate: ft.learningRate ?? 1e-3, batchSize: opts.batchSize, history: frozen });
      }
      runs.push({ setup: setup.name, seed, accuracy: accuracyOn(model, test) });
      model.optimizer?.dispose();
      model.dispose();
    }
    tf.dispose([few.xs, few.ys]);
  }
  return runs;
}

/** Summary row of {@link summarizeRuns}. */
export type SetupSummary = { setup: string; mean: number; min: number; max: number; runs: number };

/** Mean, min and max accuracy per setup, in the order the setups first appear. */
export function summarizeRuns(runs: SetupRun[]): SetupSummary[] {
  const names = [...new Set(runs.map((r) => r.setup))];
  return names.map((setup) => {
    const accs = runs.filter((r) => r.setup === setup).map((r) => r.accuracy);
    return { setup, mean: accs.reduce((a, b) => a + b, 0) / accs.length, min: Math.min(...accs), max: Math.max(...accs), runs: accs.length };
  });
}

/** Row of {@link gainsOverBaseline}. */
export type SetupGain = { setup: string; 'points vs baseline': number; 'better on seeds': string };

/**
 * How each setup did against a baseline setup (default: the first one in `runs`, e.g. from
 * scratch): the difference of mean accuracies in percentage points, and on how many seeds it was
 * strictly better. Only seeds that both setups ran count.
 */
export function gainsOverBaseline(runs: SetupRun[], baseline = runs[0]?.setup): SetupGain[] {
  const base = new Map(runs.filter((r) => r.setup === baseline).map((r) => [r.seed, r.accuracy]));
  if (base.size === 0) {
    throw new DataError(`gainsOverBaseline: no run of baseline setup '${baseline}' (setups: ${[...new Set(runs.map((r) => r.setup))].join(', ')}).`);
  }
  return summarizeRuns(runs)
    .filter((s) => s.setup !== baseline)
    .map((s) => {
      const mine = runs.filter((r) => r.setup === s.setup && base.has(r.seed));
      const diffs = mine.map((r) => r.accuracy - base.get(r.seed)!);
      const points = (100 * diffs.reduce((a, b) => a + b, 0)) / Math.max(1, diffs.length);
      return { setup: s.setup, 'points vs baseline': Math.round(points * 10) / 10, 'better on seeds': `${diffs.filter((d) => d > 0).length} of ${diffs.length}` };
    });
}

/** A fraction as a percentage for messages: `asPercent(0.8531)` is '85.3%'. */
export function asPercent(fraction: number, decimals = 1): string {
  return `${(100 * fraction).toFixed(decimals)}%`;
}

/** Options of {@link compareCurvesFigure}. */
export interface CompareCurvesOptions {
  /** Metric drawn solid (per run). Defaults to 'val_acc'. */
  metric?: string;
  /** Metric drawn dashed in the same colour, or null for none. Defaults to 'acc'. */
  secondary?: string | null;
  /** Figure title. Defaults to 'Learning curves'. */
  title?: string;
  /** y axis title. Defaults to 'accuracy'. */
  yTitle?: string;
}

/**
 * Several runs' learning curves in one chart: one colour per run, `metric` solid (test accuracy)
 * and `secondary` dashed (training accuracy), epochs counted from 1.
 * @example show(compareCurvesFigure([{ name: 'from scratch', history: h1 }, { name: 'transfer', history: h2 }]));
 */
export function compareCurvesFigure(runs: { name: string; history: HistoryLike }[], opts: CompareCurvesOptions = {}): Figure {
  const theme = getTheme();
  const metric = opts.metric ?? 'val_acc';
  const secondary = opts.secondary === undefined ? 'acc' : opts.secondary;
  const data: Trace[] = [];
  runs.forEach((run, i) => {
    const color = theme.palette[i % theme.palette.length];
    for (const [key, dash] of [[metric, 'solid'], [secondary, 'dash']] as const) {
      if (key == null) continue;
      const ys = run.history.history[key];
      if (ys == null) {
        throw new DataError(
          `compareCurvesFigure: run '${run.name}' has no metric '${key}' (it has ${Object.keys(run.history.history).join(', ')}); train with validation data, or pick another metric.`,
        );
      }
      data.push({
        type: 'scatter',
        mode: 'lines',
        name: `${plotlyText(run.name)} · ${key}`,
        x: run.history.epoch.map((e) => e + 1),
        y: finiteOrNull(ys),
        line: { color, width: theme.lineWidth, dash },
        hovertemplate: `${plotlyText(run.name)}<br>epoch %{x}<br>${key} %{y:.3f}<extra></extra>`,
      });
    }
  });
  const layout = baseLayout(theme, { title: opts.title ?? 'Learning curves' });
  layout.xaxis = axis(theme, 'epoch', { rangemode: 'normal' });
  layout.yaxis = axis(theme, opts.yTitle ?? 'accuracy', { range: [0, 1.02] });
  layout.legend = { orientation: 'h', x: 0, y: -0.2, yanchor: 'top', font: font(theme, theme.fontSize) };
  layout.height = Math.round(theme.figureHeight * 1.2);
  return { data, layout };
}
