/**
 * Loads a TF.js layers model (model.json + weight shards) from a local folder with plain
 * @tensorflow/tfjs, which has no file:// handler outside tfjs-node.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AssetError, DamagedFileError } from '../errors';

interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: { [key: string]: {} };
}

/** Bytes per value of each stored dtype (a quantized weight is stored in its quantization dtype). */
const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the weights of one manifest group take, or undefined when a dtype has no fixed size (strings). */
export function manifestGroupBytes(weights: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const w of weights) {
    const dtype = w.quantization?.dtype ?? w.dtype;
    const bytes = BYTES_PER_VALUE[dtype];
    if (bytes === undefined) return undefined;
    total += bytes * w.shape.reduce((a, b) => a * b, 1);
  }
  return total;
}

/**
 * Throws a DamagedFileError when a group's shards do not hold the bytes its weightsManifest
 * describes: tfjs would otherwise fail deep inside with "the tensor should have N values but has M"
 * (or, for extra bytes, load shifted values). Names the shard, its expected and actual size.
 */
function checkShardSizes(dir: string, modelJson: string, group: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }, sizes: number[]): void {
  const expected = manifestGroupBytes(group.weights);
  const actual = sizes.reduce((a, b) => a + b, 0);
  if (expected === undefined || expected === actual) return;
  const fix =
    'The file is truncated or damaged: copy it again (a run: train again or restore its folder; a course model: ' +
    're-copy the mirror or run transfer-lab fetch NAME).';
  if (group.paths.length === 1) {
    const shard = path.join(dir, group.paths[0]);
    throw new DamagedFileError(
      `loadLayersModelFromDir: weight file ${shard} has ${actual} bytes, but ${modelJson} describes ${expected} bytes of weights for it ` +
        `(${group.weights.length} weights, first '${group.weights[0]?.name}'). ${fix}`,
      shard,
    );
  }
  const listing = group.paths.map((p, i) => `${p} ${sizes[i]} bytes`).join(', ');
  throw new DamagedFileError(
    `loadLayersModelFromDir: the weight shards ${listing} in ${dir} hold ${actual} bytes together, but ${modelJson} describes ${expected}. ${fix}`,
    path.join(dir, group.paths[group.paths.length - 1]),
  );
}

/** An IOHandler that reads `<dir>/model.json` and its shards from disk. */
export function localModelHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const file = path.join(dir, 'model.json');
      let json: ModelJsonFile;
      try {
        json = JSON.parse(await fs.readFile(file, 'utf8')) as ModelJsonFile;
      } catch (err) {
        throw new AssetError(`loadLayersModelFromDir: cannot read ${file} (${err instanceof Error ? err.message : err}). Is ${dir} a TF.js layers model folder?`);
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new AssetError(`loadLayersModelFromDir: ${file} has no modelTopology/weightsManifest; it is not a TF.js layers model.`);
      }
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        const groupBuffers: Buffer[] = [];
        for (const shard of group.paths) {
          const shardPath = path.join(dir, shard);
          try {
            groupBuffers.push(await fs.readFile(shardPath));
          } catch {
            throw new AssetError(`loadLayersModelFromDir: weight shard ${shardPath} listed in ${file} is missing.`);
          }
        }
        checkShardSizes(dir, file, group, groupBuffers.map((b) => b.byteLength));
        buffers.push(...groupBuffers);
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
        trainingConfig: json.trainingConfig,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

/**
 * Loads a TF.js layers model folder from disk.
 *
 * @example
 * const model = await loadLayersModelFromDir(await resolveAsset('mobilenet_v1_0.25_224'));
 */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(localModelHandler(dir));
}
