/**
 * `fit`: one training call over tensors or a folder iterator, with Keras-like callbacks, a history
 * that continues across calls (feature extraction, then fine-tuning), and resuming an interrupted
 * run from a ModelCheckpoint folder.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffleInPlace } from '../data/random';
import { TrainError } from '../errors';
import type { HistoryLike } from '../viz';
import { ProgressLogger } from './callbacks/progress_logger';
import { isContextAware, type FitCallback, type TrainingContext } from './context';
import { dataParallelWorkers, fitDataParallel } from './data_parallel_fit';
import {
  cloneHistory,
  mergeHistories,
  nextEpoch,
  recordEpoch,
  startPhase,
  toTrainingHistory,
  truncateHistory,
  type TrainingHistory,
  type TrainingPhase,
} from './history';
import { getLearningRate, setLearningRate } from './learning_rate';
import { resolveLogs, type UnresolvedLogs } from './logs';
import { loadOptimizerFromDir, loadWeightsFromDir, readTrainingState } from './resume';
import { isRowSource, type RowSource } from './row_source';
import type { TrainingState } from './save';

/**
 * Inputs and targets as tensors: `{x, y}`. `x` may also be a RowSource (e.g. `FeatureRows`: rows
 * too large for one tensor); each batch is then drawn from it, the batches a tensor would give.
 */
export interface TensorData {
  x: tf.Tensor | tf.Tensor[] | RowSource;
  y: tf.Tensor | tf.Tensor[];
}

/** Inputs and targets as a `[x, y]` pair (tfjs' validationData form). */
export type TensorPair = [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];

/** Anything that makes a tf.data.Dataset of `{xs, ys}` batches, one epoch per iteration: a DirectoryIterator from src/data. */
export interface DatasetSource {
  toDataset(): tf.data.Dataset<tf.TensorContainer>;
  /** Batches per epoch, if known (DirectoryIterator has it); used for the progress counter. */
  readonly numBatches?: number;
}

/** Training or validation data accepted by {@link fit}. */
export type FitData = TensorData | TensorPair | DatasetSource | tf.data.Dataset<tf.TensorContainer>;

/** Options of {@link fit}. */
export interface FitOptions {
  /**
   * Index of the epoch to stop before, as in Keras: with `initialEpoch` (or a `history`), this is
   * the FINAL epoch, not a count. E.g. 5 frozen epochs then 5 fine-tuning epochs:
   * `fit(..., {epochs: 5})`, then `fit(..., {epochs: 10, history})`. Required.
   */
  epochs: number;
  /** Samples per gradient step, for tensor data. Default 32. Datasets/iterators batch themselves. */
  batchSize?: number;
  /** Data to evaluate at the end of each epoch (gives val_loss, val_acc). Default none. */
  validationData?: FitData;
  /** Fraction of tensor data held out for validation instead of validationData. Default 0. */
  validationSplit?: number;
  /** Shuffle tensor data each epoch. Default true. Iterators shuffle themselves. */
  shuffle?: boolean;
  /**
   * Seed of that shuffle, for tensor data: the same seed gives the same batches in every epoch of
   * every run (with seeded initialisers and dropout, the same model). Default none: tfjs shuffles
   * with Math.random, so two runs differ.
   */
  seed?: number;
  /** tfjs callbacks: ModelCheckpoint, EarlyStopping, ReduceLROnPlateau, ProgressLogger, LivePlot, tf.CustomCallback or `{onEpochEnd(){}}`. Default none. */
  callbacks?: FitCallback[];
  /** 0-based epoch to start at. Default: one past the last epoch of `history`, else 0. */
  initialEpoch?: number;
  /** History of an earlier call to continue (epochs keep counting; plots show both phases). Default none. */
  history?: HistoryLike & { phases?: TrainingPhase[] };
  /** Name of this call's phase in the history. Default 'train' for a fresh history, 'fine-tune' when continuing one. */
  phase?: string;
  /**
   * A ModelCheckpoint folder. If it holds a training_state.json newer than this call's start, its
   * weights are loaded into `model` and training continues after the saved epoch with the saved
   * history (and learning rate). A missing folder just starts from scratch, so the same call
   * works for the first run and for the rerun after an interruption. Default none.
   */
  resumeFrom?: string;
  /** 0: silent; 1: ProgressLogger (batch counter on a terminal); 2: one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /**
   * Worker threads that share each step (data-parallel, see ./data_parallel_fit), for tensor data
   * with softmax cross-entropy; 1 trains in this thread. Default `defaultWorkerCount()` (env
   * TRANSFER_LAB_WORKERS, else the number of cores), used only when a step is big enough to gain
   * (a fine-tuned top block, not a Dense head on pooled features); a number given here is used
   * whenever the model and data allow it.
   */
  workers?: number;
}

/** Records every epoch into the merged history; runs after the user's callbacks. */
class HistoryRecorder extends tf.Callback {
  constructor(readonly history: TrainingHistory) {
    super();
  }

  override async onEpochEnd(epoch: number, logs?: UnresolvedLogs): Promise<void> {
    recordEpoch(this.history, epoch, await resolveLogs(logs));
  }
}

function isDatasetSource(x: object): x is DatasetSource {
  return 'toDataset' in x && typeof x.toDataset === 'function';
}

function isTensorData(x: object): x is TensorData {
  return 'x' in x && 'y' in x;
}

type Normalized = { kind: 'tensors'; x: tf.Tensor | tf.Tensor[] | RowSource; y: tf.Tensor | tf.Tensor[] } | { kind: 'dataset'; dataset: tf.data.Dataset<tf.TensorContainer>; numBatches?: number };

function normalizeData(data: FitData | undefined, what: string): Normalized {
  if (data instanceof tf.data.Dataset) return { kind: 'dataset', dataset: data };
  if (Array.isArray(data) && data.length === 2) return { kind: 'tensors', x: data[0], y: data[1] };
  if (data != null && typeof data === 'object' && isDatasetSource(data)) {
    return { kind: 'dataset', dataset: data.toDataset(), numBatches: data.numBatches };
  }
  if (data != null && typeof data === 'object' && isTensorData(data)) return { kind: 'tensors', x: data.x, y: data.y };
  throw new TrainError(
    `fit: ${what} must be {x, y} tensors, an [x, y] pair, a DirectoryIterator (anything with toDataset()) or a tf.data.Dataset; ` +
      `got ${data === null ? 'null' : Array.isArray(data) ? `an array of length ${data.length}` : typeof data}.`,
  );
}

function normalizeCallbacks(callbacks: FitCallback[]): Array<tf.Callback | tf.CustomCallback> {
  return callbacks.map((c) => (c instanceof tf.Callback || c instanceof tf.CustomCallback ? c : new tf.CustomCallback(c)));
}

/** What resuming found: where to start, the history to continue, and the line to print. */
interface ResumePlan {
  start: number;
  prior: TrainingHistory;
  resumed?: { dir: string; state: TrainingState };
  message: string;
}

async function planResume(model: tf.LayersModel, dir: string, start: number, prior: TrainingHistory, epochs: number): Promise<ResumePlan> {
  const state = await readTrainingState(dir);
  if (state == null) {
    return { start, prior, message: `No checkpoint in ${dir} yet: starting at epoch ${start + 1}/${epochs}.` };
  }
  if (state.epoch + 1 <= start) {
    return {
      start,
      prior,
      message: `Checkpoint in ${dir} is from epoch ${state.epoch + 1}, not after this run's start (epoch ${start + 1}): not resuming from it.`,
    };
  }
  const loaded = await loadWeightsFromDir(model, dir);
  const notes: string[] = [];
  if (loaded.matchedBy === 'order') notes.push('weights matched by position');
  if (await loadOptimizerFromDir(model.optimizer, dir, state)) notes.push('optimizer state restored');
  const lr = state.optimizer?.config['learningRate'];
  if (state.optimizer?.className === model.optimizer.getClassName() && typeof lr === 'number' && lr !== getLearningRate(model.optimizer)) {
    setLearningRate(model.optimizer, lr, 'fit');
    notes.push(`learning rate ${lr} restored`);
  }
  const best = state.best != null ? `, best ${state.monitor} ${state.best.toFixed(4)}` : '';
  const next = state.epoch + 1 >= epochs ? `nothing left to train (epochs: ${epochs})` : `continuing at epoch ${state.epoch + 2}/${epochs}`;
  return {
    start: state.epoch + 1,
    prior: mergeHistories(prior, truncateHistory(state.history, state.epoch + 1)),
    resumed: { dir, state },
    message: `Resuming from ${dir}: weights of epoch ${state.epoch + 1}${best}; ${next}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}.`,
  };
}

/**
 * Trains `model` (compiled, e.g. with `compileFor`) on tensors or a DirectoryIterator and returns
 * the merged history: the `history` passed in (or the resumed one), then this call's epochs,
 * with `phases` marking where each call started. Epoch numbers in the history are 0-based, as in
 * Keras; messages count from 1.
 *
 * @example
 * const h1 = await fit(model, train, { epochs: 5, validationData: val, callbacks: [new LivePlot()] });
 * unfreeze(base, { from: 'block5_conv1' }); compileFor(model, { optimizer: 'sgd', learningRate: 1e-4, momentum: 0.9 });
 * const h2 = await fit(model, train, { epochs: 10, validationData: val, history: h1, resumeFrom: 'build/ckpt' });
 * @throws TrainError for bad options, an uncompiled model, or a damaged checkpoint.
 */
export async function fit(model: tf.LayersModel, data: FitData, opts: FitOptions): Promise<TrainingHistory> {
  const { epochs } = opts;
  if (!(Number.isInteger(epochs) && epochs > 0)) {
    throw new TrainError(`fit: option epochs must be a positive integer, got ${JSON.stringify(epochs)}.`);
  }
  // `model.optimizer` is undefined before compile() although typed as always present.
  const optimizer: tf.Optimizer | undefined = model.optimizer;
  if (optimizer == null) {
    throw new TrainError(`fit: model '${model.name}' is not compiled; call compileFor(model) (or model.compile) first.`);
  }
  const train = normalizeData(data, 'data');
  const validation = opts.validationData != null ? normalizeData(opts.validationData, 'validationData') : undefined;
  if (train.kind === 'dataset') {
    for (const key of ['batchSize', 'validationSplit', 'shuffle', 'seed'] as const) {
      if (opts[key] != null) {
        throw new TrainError(
          `fit: option ${key} (${opts[key]}) only applies to tensor data; an iterator or dataset batches and shuffles itself ` +
            '(set it when creating the iterator, e.g. flowFromDirectory(dir, {batchSize, shuffle})).',
        );
      }
    }
  } else if (validation?.kind === 'dataset') {
    throw new TrainError('fit: with tensor data, validationData must be tensors too ({x, y} or [x, y]); pass an iterator as data to validate on an iterator.');
  }

  if (validation?.kind === 'tensors' && isRowSource(validation.x)) {
    throw new TrainError('fit: validationData.x is a row source (FeatureRows); validation runs on one tensor: pass rows.toTensor(), which says when it is too large.');
  }
  if (train.kind === 'tensors' && isRowSource(train.x) && opts.validationSplit != null) {
    throw new TrainError('fit: option validationSplit cannot split a row source (FeatureRows); pass validationData instead.');
  }
  let prior = toTrainingHistory(opts.history);
  let start = opts.initialEpoch ?? nextEpoch(prior);
  if (!(Number.isInteger(start) && start >= 0)) {
    throw new TrainError(`fit: option initialEpoch must be an integer >= 0, got ${JSON.stringify(opts.initialEpoch)}.`);
  }
  prior = truncateHistory(prior, start);
  // Decided before resuming: a resumed run continues the phase its checkpoint was saved in.
  const phase = opts.phase ?? (prior.epoch.length > 0 ? 'fine-tune' : 'train');
  const verbose = opts.verbose ?? 1;
  const say = (line: string): void => {
    if (verbose > 0) console.log(line);
  };

  let resumed: ResumePlan['resumed'];
  if (opts.resumeFrom != null) {
    const plan = await planResume(model, opts.resumeFrom, start, prior, epochs);
    ({ start, prior, resumed } = plan);
    say(plan.message);
    if (resumed != null && start >= epochs) return prior;
  }
  if (start >= epochs) {
    throw new TrainError(
      `fit: epochs (${epochs}) is the final epoch, as in Keras, and training already starts at epoch ${start + 1}; ` +
        `to train ${epochs} more epochs pass epochs: ${start + epochs}.`,
    );
  }

  startPhase(prior, phase, start);
  const result = cloneHistory(prior);
  const callbacks = normalizeCallbacks(opts.callbacks ?? []);
  if (verbose > 0 && !callbacks.some((c) => c instanceof ProgressLogger)) {
    callbacks.unshift(new ProgressLogger(verbose === 2 ? { batchCounter: false } : {}));
  }
  callbacks.push(new HistoryRecorder(result));
  const stepsPerEpoch =
    train.kind === 'dataset' ? train.numBatches : Math.ceil(firstDim(train.x) * (1 - (opts.validationSplit ?? 0)) / (opts.batchSize ?? 32));
  const context: TrainingContext = { history: cloneHistory(prior), resumed, stepsPerEpoch };
  const aware = callbacks.filter(isContextAware);
  for (const c of aware) c.setTrainingContext(context);

  // Checked above: validation tensors are never a row source.
  const valPair = validation?.kind === 'tensors' ? ([validation.x, validation.y] as [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]]) : undefined;
  try {
    const seeded = train.kind === 'tensors' && opts.seed != null && (opts.shuffle ?? true);
    if (seeded && opts.validationSplit != null) {
      throw new TrainError('fit: option seed cannot be combined with validationSplit; pass validationData instead.');
    }
    if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) {
      throw new TrainError(`fit: option workers must be a whole number >= 1, got ${JSON.stringify(opts.workers)}; 1 trains in this thread.`);
    }
    // Rows kept in host memory (a RowSource) are batched in this thread: the workers take tensors.
    const tensors = train.kind === 'tensors' && !isRowSource(train.x) && !isRowSource(train.y) ? { x: train.x, y: train.y } : null;
    const workers = tensors !== null
      ? dataParallelWorkers(model, tensors, validation?.kind === 'tensors' ? (valPair ? { x: valPair[0], y: valPair[1] } : null) : validation === undefined ? undefined : null, opts)
      : null;
    if (workers !== null && tensors !== null) {
      await fitDataParallel(model, {
        x: tensors.x as tf.Tensor,
        y: tensors.y as tf.Tensor,
        validation: validation?.kind === 'tensors' ? { x: validation.x as tf.Tensor, y: validation.y as tf.Tensor } : undefined,
        epochs,
        start,
        batchSize: opts.batchSize ?? 32,
        shuffle: opts.shuffle ?? true,
        seed: seeded ? opts.seed : undefined,
        callbacks,
        workers,
      });
    } else if (train.kind === 'dataset') {
      await model.fitDataset(train.dataset, {
        epochs,
        initialEpoch: start,
        validationData: validation?.kind === 'dataset' ? validation.dataset : valPair,
        callbacks,
        verbose: 0,
      });
    } else if (isRowSource(train.x) || (opts.seed != null && (opts.shuffle ?? true))) {
      if (opts.seed != null && opts.validationSplit != null) {
        throw new TrainError('fit: option seed cannot be combined with validationSplit; pass validationData instead.');
      }
      // A row source is never one tensor, so it always takes the batch generator; without a seed
      // its order is drawn at random, as tfjs' own shuffle would be (shuffle: false keeps row order).
      const seed = (opts.shuffle ?? true) ? opts.seed ?? Math.floor(Math.random() * 2 ** 31) : null;
      await model.fitDataset(batchesOf(train.x, train.y, opts.batchSize ?? 32, seed, start), {
        epochs,
        initialEpoch: start,
        validationData: valPair,
        callbacks,
        verbose: 0,
      });
    } else {
      await model.fit(train.x, train.y, {
        epochs,
        initialEpoch: start,
        batchSize: opts.batchSize ?? 32,
        validationData: valPair,
        validationSplit: opts.validationSplit,
        shuffle: opts.shuffle ?? true,
        callbacks,
        verbose: 0,
      });
    }
  } finally {
    // An exception skips onTrainEnd: make sure no callback keeps this run's context.
    for (const c of aware) c.setTrainingContext(undefined);
  }
  return result;
}

/**
 * Batches of `x`/`y` in a new seeded order each epoch: epoch e uses createRng(seed + e), so the
 * order depends on the epoch number, not on how many epochs ran in this process (a resumed run
 * sees the batches an uninterrupted one would). A null seed keeps row order. A RowSource gives
 * the same batches as the tensor of its rows. fitDataset disposes each batch.
 */
function batchesOf(
  x: tf.Tensor | tf.Tensor[] | RowSource,
  y: tf.Tensor | tf.Tensor[] | RowSource,
  batchSize: number,
  seed: number | null,
  firstEpoch: number,
): tf.data.Dataset<{ xs: tf.Tensor | tf.Tensor[]; ys: tf.Tensor | tf.Tensor[] }> {
  const rows = firstDim(x);
  let epoch = firstEpoch;
  const take = (t: tf.Tensor | tf.Tensor[] | RowSource, order: number[], idx: tf.Tensor1D) =>
    isRowSource(t) ? t.gather(order) : Array.isArray(t) ? t.map((u) => tf.gather(u, idx)) : tf.gather(t, idx);
  return tf.data.generator(function* () {
    const all = Array.from({ length: rows }, (_, i) => i);
    const order = seed === null ? all : shuffleInPlace(all, createRng(seed + epoch));
    epoch++;
    for (let from = 0; from < rows; from += batchSize) {
      const slice = order.slice(from, from + batchSize);
      const idx = tf.tensor1d(slice, 'int32');
      const batch = { xs: take(x, slice, idx), ys: take(y, slice, idx) };
      idx.dispose();
      yield batch;
    }
  });
}

function firstDim(x: tf.Tensor | tf.Tensor[] | RowSource): number {
  if (isRowSource(x)) return x.rows;
  return (Array.isArray(x) ? x[0] : x).shape[0] ?? 0;
}
