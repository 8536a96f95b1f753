/**
 * A model as plain data that can cross a thread boundary: topology JSON + one weight
 * ArrayBuffer. Workers cannot share tfjs tensors (each has its own backend and memory), so a
 * base model travels as `model.save` output and each worker loads its own copy.
 */
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** A serialized layers model: what `tf.io.fromMemory` needs to load it again. */
export interface ModelTransfer {
  /** Keras-style model topology JSON (`model.toJSON` content). */
  modelTopology: object;
  /** Names, shapes and dtypes of the weights, in `weightData` order. */
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** All weight values, concatenated. Copied (not shared) when posted to a worker. */
  weightData: ArrayBuffer;
}

/** Joins tfjs' `WeightData` (one buffer or a list of them) into one ArrayBuffer. */
function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

/**
 * Serializes `model` in memory (no files) for `modelFromTransfer` in another thread.
 *
 * @example
 * const transfer = await modelToTransfer(base);
 * new Worker(file, { workerData: { model: transfer } });
 */
export async function modelToTransfer(model: tf.LayersModel): Promise<ModelTransfer> {
  if (!(model instanceof tf.LayersModel)) {
    throw new ModelError(`modelToTransfer(): argument 'model' must be a tf.LayersModel, received ${String(model)}.`);
  }
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved === undefined || saved.modelTopology == null || saved.modelTopology instanceof ArrayBuffer) {
    throw new ModelError(`modelToTransfer(): model '${model.name}' did not serialize to a JSON topology.`);
  }
  return {
    modelTopology: saved.modelTopology,
    weightSpecs: saved.weightSpecs ?? [],
    weightData: joinWeightData(saved.weightData),
  };
}

/**
 * Loads a model serialized by `modelToTransfer` on the current backend. Custom layer classes
 * must be registered in this thread too (tf.serialization.registerClass).
 */
export async function modelFromTransfer(transfer: ModelTransfer): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: transfer.modelTopology,
      weightSpecs: transfer.weightSpecs,
      weightData: transfer.weightData,
    }));
  } catch (err) {
    throw new ModelError(
      `modelFromTransfer(): the serialized model does not load in this thread (${err instanceof Error ? err.message : String(err)}). ` +
        'If it uses custom layers, register their classes in the worker too.',
    );
  }
}
