/**
 * Saving a model to a local folder with plain @tensorflow/tfjs (which has no file:// handler):
 * model.json + weights.bin in the standard tfjs layers format (loadable by
 * `loadLayersModelFromDir` from src/assets), plus an optional training_state.json that lets
 * `fit({resumeFrom})` continue an interrupted run. Writes are atomic: a reader never sees a
 * half-written checkpoint, even if the process dies mid-save.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { TrainError } from '../errors';
import type { TrainingHistory } from './history';

/** File names inside a saved model folder. */
export const MODEL_JSON = 'model.json';
/** Manifest written instead of model.json when only weights are saved. */
export const WEIGHTS_JSON = 'weights.json';
/** All weights in one binary file (no 4 MB sharding: these are local files, not HTTP). */
export const WEIGHTS_BIN = 'weights.bin';
/** Epoch, best value, history and optimizer settings for resuming. */
export const TRAINING_STATE_JSON = 'training_state.json';
/** The optimizer's slot variables (iteration count, momentum, Adam moments) for resuming. */
export const OPTIMIZER_BIN = 'optimizer.bin';

const OUR_FILES = new Set([MODEL_JSON, WEIGHTS_JSON, WEIGHTS_BIN, TRAINING_STATE_JSON, OPTIMIZER_BIN]);

/** The optimizer's class and settings (learning rate etc.), as `optimizer.getConfig()` gives them. */
export interface OptimizerState {
  className: string;
  config: Record<string, unknown>;
}

/** Contents of training_state.json: everything `fit({resumeFrom})` needs besides the weights. */
export interface TrainingState {
  /** Format version of this file. */
  version: 1;
  /** 0-based index of the epoch at whose end the weights were saved; a resumed run starts at epoch + 1. */
  epoch: number;
  /** Metric the checkpoint monitored, e.g. 'val_loss'. */
  monitor: string;
  /** 'min' or 'max' (after resolving 'auto'). */
  mode: 'min' | 'max';
  /** Best monitored value seen so far; null when none yet (JSON has no Infinity). */
  best: number | null;
  /** History up to and including `epoch` (NaN values are stored as null). */
  history: TrainingHistory;
  /** The optimizer when the model was compiled, else null. */
  optimizer: OptimizerState | null;
  /**
   * Manifest of optimizer.bin: the optimizer's slot variables (iterations, momentum, Adam moments)
   * in its own order, so a resumed run takes exactly the steps an uninterrupted one would. Null
   * when not saved (older checkpoints, or no compiled optimizer).
   */
  optimizerWeights?: tf.io.WeightsManifestEntry[] | null;
  /** True when the folder holds weights.json (weights only) instead of model.json. */
  weightsOnly: boolean;
  /** ISO time of the save. */
  savedAt: string;
}

/** Options of {@link saveModelToDir}. */
export interface SaveModelOptions {
  /** Save only the weights (weights.json + weights.bin), not the architecture. Default false. */
  weightsOnly?: boolean;
  /** Training state to write as training_state.json. Default: none (no such file). */
  state?: Omit<TrainingState, 'version' | 'weightsOnly' | 'savedAt' | 'optimizerWeights'>;
}

/** What {@link saveModelToDir} wrote. */
export interface SavedModelInfo {
  /** Absolute path of the folder. */
  dir: string;
  /** File names written into it. */
  files: string[];
  /** Size of weights.bin in bytes. */
  weightBytes: number;
}

/** One weight variable of a layer, as tfjs types it. */
export type LayerWeight = tf.layers.Layer['weights'][number];

interface HasLayers {
  layers: tf.layers.Layer[];
}

function hasLayers(x: object): x is HasLayers {
  return 'layers' in x && Array.isArray(x.layers);
}

/**
 * The model's weights in a fixed order that does not depend on which layers are frozen:
 * layer by layer (descending into nested models), each layer's own weight order.
 * (`model.weights` lists trainable weights first, so its order changes with freezing.)
 */
export function orderedWeights(model: tf.LayersModel): LayerWeight[] {
  const out: LayerWeight[] = [];
  const seen = new Set<number>();
  const visit = (layers: tf.layers.Layer[]): void => {
    for (const layer of layers) {
      if (hasLayers(layer)) {
        visit(layer.layers);
        continue;
      }
      for (const w of layer.weights) {
        if (!seen.has(w.id)) {
          seen.add(w.id);
          out.push(w);
        }
      }
    }
  };
  visit(model.layers);
  return out;
}

/** The compiled optimizer's class name and config, or null when the model is not compiled. */
export function optimizerState(model: tf.LayersModel): OptimizerState | null {
  // `model.optimizer` is undefined before compile() although typed as always present.
  const optimizer: tf.Optimizer | undefined = model.optimizer;
  if (optimizer == null) return null;
  return { className: optimizer.getClassName(), config: { ...optimizer.getConfig() } };
}

/**
 * Refuses to replace a folder that holds anything but our own files: a mistyped `dir` such as
 * '.' must never be swapped away.
 */
async function checkReplaceable(dir: string): Promise<boolean> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) {
    throw new TrainError(`saveModelToDir: dir '${dir}' is a file, not a folder; pass a folder path (it is created if missing).`);
  }
  const foreign = (await fs.readdir(dir)).filter((f) => !OUR_FILES.has(f));
  if (foreign.length > 0) {
    throw new TrainError(
      `saveModelToDir: dir '${dir}' already holds other files (${foreign.slice(0, 5).join(', ')}); ` +
        `it would be replaced. Pass a new or empty folder, e.g. '${path.join(dir, 'checkpoint')}'.`,
    );
  }
  return true;
}

/**
 * Saves `model` into the folder `dir` as model.json + weights.bin (standard tfjs layers format,
 * weights in {@link orderedWeights} order), or weights.json + weights.bin with `weightsOnly`,
 * plus training_state.json when `opts.state` is given. The files are written to a temporary
 * sibling folder that then replaces `dir`, so `dir` always holds a complete checkpoint.
 * Load it back with `loadLayersModelFromDir(dir)` (src/assets) or `loadWeightsFromDir(model, dir)`.
 *
 * @example await saveModelToDir(model, 'build/checkpoints/flowers');
 * @throws TrainError when `dir` is a file or a folder holding files that are not ours.
 */
export async function saveModelToDir(model: tf.LayersModel, dir: string, opts: SaveModelOptions = {}): Promise<SavedModelInfo> {
  const target = path.resolve(dir);
  const exists = await checkReplaceable(target);
  const weights = orderedWeights(model);
  const { data, specs } = await tf.io.encodeWeights(weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
  const weightData = tf.io.CompositeArrayBuffer.join(data);
  const weightsManifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: specs }];

  const files: Record<string, string | Uint8Array> = { [WEIGHTS_BIN]: new Uint8Array(weightData) };
  if (opts.weightsOnly) {
    files[WEIGHTS_JSON] = JSON.stringify({ format: 'transfer-lab-weights', weightsManifest });
  } else {
    const modelJSON: tf.io.ModelJSON = {
      modelTopology: toTopology(model),
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      weightsManifest,
    };
    const metadata = model.getUserDefinedMetadata();
    if (metadata != null) modelJSON.userDefinedMetadata = metadata;
    files[MODEL_JSON] = JSON.stringify(modelJSON);
  }
  if (opts.state != null) {
    // model.optimizer is undefined before compile() although typed as always present.
    const optimizer: tf.Optimizer | undefined = model.optimizer;
    let optimizerWeights: tf.io.WeightsManifestEntry[] | null = null;
    if (optimizer != null) {
      const slots = await optimizer.getWeights();
      const encoded = await tf.io.encodeWeights(slots);
      // getWeights() hands out the slot variables themselves plus a new 'iter' scalar: free the latter.
      tf.dispose(slots.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
      files[OPTIMIZER_BIN] = new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data));
      optimizerWeights = encoded.specs;
    }
    const state: TrainingState = {
      version: 1,
      ...opts.state,
      optimizerWeights,
      weightsOnly: opts.weightsOnly === true,
      savedAt: new Date().toISOString(),
    };
    // JSON.stringify turns NaN and Infinity into null; readTrainingState maps them back.
    files[TRAINING_STATE_JSON] = JSON.stringify(state, null, 1);
  }

  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(parent, `.${path.basename(target)}.tmp-`));
  const old = `${tmp}-old`;
  let movedAway = false;
  try {
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(tmp, name), content);
    if (exists) {
      await fs.rename(target, old);
      movedAway = true;
    }
    await fs.rename(tmp, target);
  } catch (err) {
    // Put the previous checkpoint back if it was moved away; drop the partial one.
    if (movedAway) await fs.rename(old, target).catch(() => undefined);
    await fs.rm(tmp, { recursive: true, force: true });
    throw new TrainError(
      `saveModelToDir: could not write '${target}' (${err instanceof Error ? err.message : String(err)}); ` +
        'check that the folder is writable and the disk is not full.',
    );
  }
  if (movedAway) await fs.rm(old, { recursive: true, force: true });
  return { dir: target, files: Object.keys(files).sort(), weightBytes: weightData.byteLength };
}

/** The model's topology as JSON (what `model.save` writes as modelTopology). */
function toTopology(model: tf.LayersModel): tf.io.ModelJSON['modelTopology'] {
  const topology = model.toJSON(null, false);
  if (typeof topology === 'string') return JSON.parse(topology) as tf.io.ModelJSON['modelTopology'];
  return topology;
}
