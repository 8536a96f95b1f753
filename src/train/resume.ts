/**
 * Reading a checkpoint folder back: the training state (to continue an interrupted run) and the
 * weights, loaded into an already built model.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors';
import { toTrainingHistory, type TrainingHistory } from './history';
import { MODEL_JSON, OPTIMIZER_BIN, orderedWeights, TRAINING_STATE_JSON, WEIGHTS_JSON, type TrainingState } from './save';

async function readJson(file: string, caller: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TrainError(
      `${caller}: '${file}' is not valid JSON (${err instanceof Error ? err.message : String(err)}); ` +
        'the checkpoint is damaged: delete the folder to start over.',
    );
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Reads `dir/training_state.json` as written by ModelCheckpoint / `saveModelToDir({state})`.
 * Returns undefined when the folder or the file does not exist (nothing to resume).
 * @throws TrainError when the file exists but is damaged.
 */
export async function readTrainingState(dir: string): Promise<TrainingState | undefined> {
  const file = path.join(path.resolve(dir), TRAINING_STATE_JSON);
  if (!(await exists(file))) return undefined;
  const raw = await readJson(file, 'readTrainingState');
  const bad = (what: string): TrainError =>
    new TrainError(`readTrainingState: '${file}' ${what}; the checkpoint is damaged or from another tool: delete the folder to start over.`);
  if (!isRecord(raw)) throw bad('does not hold a JSON object');
  if (raw.version !== 1) throw bad(`has version ${JSON.stringify(raw.version)}, expected 1`);
  if (typeof raw.epoch !== 'number' || !Number.isInteger(raw.epoch) || raw.epoch < 0) throw bad(`has epoch ${JSON.stringify(raw.epoch)}`);
  const h = raw.history;
  if (!isRecord(h) || !Array.isArray(h.epoch) || !isRecord(h.history)) throw bad('has no {epoch, history} object under "history"');
  const history: TrainingHistory = toTrainingHistory({
    epoch: h.epoch.filter((e): e is number => typeof e === 'number'),
    history: Object.fromEntries(
      Object.entries(h.history).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x : Number.NaN)) : []]),
    ),
    phases: Array.isArray(h.phases)
      ? h.phases.filter(isRecord).map((p) => ({ name: String(p.name), startEpoch: Number(p.startEpoch) }))
      : undefined,
  });
  const optimizer =
    isRecord(raw.optimizer) && typeof raw.optimizer.className === 'string' && isRecord(raw.optimizer.config)
      ? { className: raw.optimizer.className, config: raw.optimizer.config }
      : null;
  return {
    version: 1,
    epoch: raw.epoch,
    monitor: typeof raw.monitor === 'string' ? raw.monitor : 'val_loss',
    mode: raw.mode === 'max' ? 'max' : 'min',
    best: typeof raw.best === 'number' ? raw.best : null,
    history,
    optimizer,
    optimizerWeights: Array.isArray(raw.optimizerWeights) ? (raw.optimizerWeights as tf.io.WeightsManifestEntry[]) : null,
    weightsOnly: raw.weightsOnly === true,
    savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : '',
  };
}

/** How {@link loadWeightsFromDir} matched saved weights to the model's variables. */
export interface LoadedWeightsInfo {
  /** 'name' when every variable's name was found; 'order' when matched by position (names differ, e.g. the model was rebuilt in the same session). */
  matchedBy: 'name' | 'order';
  /** Number of weight tensors loaded. */
  count: number;
}

/**
 * Loads the weights saved in `dir` (model.json or weights.json + weights.bin) into `model`,
 * which must have the same architecture. Weights are matched by variable name; when the names
 * differ (tfjs numbers auto-named layers per session: dense_Dense1 vs dense_Dense3) they are
 * matched by position in {@link orderedWeights} order, checking every shape.
 * @throws TrainError when the folder has no weights or they do not fit the model.
 */
export async function loadWeightsFromDir(model: tf.LayersModel, dir: string): Promise<LoadedWeightsInfo> {
  const folder = path.resolve(dir);
  const manifestFile = (await exists(path.join(folder, MODEL_JSON))) ? path.join(folder, MODEL_JSON) : path.join(folder, WEIGHTS_JSON);
  if (!(await exists(manifestFile))) {
    throw new TrainError(`loadWeightsFromDir: '${folder}' has neither ${MODEL_JSON} nor ${WEIGHTS_JSON}; pass a folder written by saveModelToDir or ModelCheckpoint.`);
  }
  const manifestJson = await readJson(manifestFile, 'loadWeightsFromDir');
  if (!isRecord(manifestJson) || !Array.isArray(manifestJson.weightsManifest)) {
    throw new TrainError(`loadWeightsFromDir: '${manifestFile}' has no weightsManifest; pass a folder written by saveModelToDir or ModelCheckpoint.`);
  }
  const groups = manifestJson.weightsManifest as tf.io.WeightsManifestConfig;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const decoded: tf.NamedTensorMap = {};
  for (const group of groups) {
    const buffers = await Promise.all(group.paths.map((p) => fs.readFile(path.join(folder, p))));
    const joined = Buffer.concat(buffers);
    const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
    Object.assign(decoded, tf.io.decodeWeights(data, group.weights));
    specs.push(...group.weights);
  }
  try {
    const targets = orderedWeights(model);
    const sameShape = (w: (typeof targets)[number], t: tf.Tensor | undefined): boolean =>
      t != null && t.shape.length === w.shape.length && t.shape.every((d, i) => d === w.shape[i]);
    let matchedBy: LoadedWeightsInfo['matchedBy'] = 'name';
    let sources: Array<tf.Tensor | undefined> = targets.map((w) => decoded[w.originalName]);
    if (!targets.every((w, i) => sameShape(w, sources[i]))) {
      matchedBy = 'order';
      sources = targets.map((_, i) => (i < specs.length ? decoded[specs[i].name] : undefined));
      if (targets.length !== specs.length) {
        throw new TrainError(
          `loadWeightsFromDir: '${folder}' holds ${specs.length} weight tensors but the model has ${targets.length}; ` +
            'build the same architecture that was saved before loading.',
        );
      }
      const bad = targets.findIndex((w, i) => !sameShape(w, sources[i]));
      if (bad >= 0) {
        throw new TrainError(
          `loadWeightsFromDir: weight ${bad} '${targets[bad].originalName}' has shape [${targets[bad].shape}] but '${folder}' ` +
            `stores '${specs[bad].name}' with shape [${specs[bad].shape}]; build the same architecture that was saved before loading.`,
        );
      }
    }
    targets.forEach((w, i) => {
      const t = sources[i];
      if (t != null) w.write(t);
    });
    return { matchedBy, count: targets.length };
  } finally {
    // The variables now hold their own references to the data.
    tf.dispose(Object.values(decoded));
  }
}

/**
 * Puts the optimizer slot variables saved in `dir/optimizer.bin` (iterations, momentum, Adam
 * moments) into `optimizer`, so a resumed run continues with the same steps as an uninterrupted
 * one. Returns false when the checkpoint has none (older format) or they belong to another
 * optimizer class; the run then continues with fresh slots, as Keras' weights-only resume does.
 * @throws TrainError when optimizer.bin is missing or does not match its manifest.
 */
export async function loadOptimizerFromDir(optimizer: tf.Optimizer, dir: string, state: TrainingState): Promise<boolean> {
  const specs = state.optimizerWeights;
  if (specs == null || state.optimizer?.className !== optimizer.getClassName()) return false;
  const file = path.join(path.resolve(dir), OPTIMIZER_BIN);
  let named: tf.NamedTensorMap;
  try {
    const bytes = await fs.readFile(file);
    named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  } catch (err) {
    throw new TrainError(
      `loadOptimizerFromDir: '${file}' could not be read against its manifest (${err instanceof Error ? err.message : String(err)}); ` +
        'the checkpoint is damaged: delete the folder to start over.',
    );
  }
  // The optimizer matches slots to variables by position: keep the saved order.
  const list = specs.map((spec) => ({ name: spec.name, tensor: named[spec.name] }));
  await optimizer.setWeights(list);
  tf.dispose(list.map((w) => w.tensor));
  return true;
}
