/**
 * Loads a TF.js layers model (model.json + weight shards) from a local folder with plain
 * @tensorflow/tfjs, which has no file:// handler outside tfjs-node.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AssetError } from '../errors';

interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: { [key: string]: {} };
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
        for (const shard of group.paths) {
          const shardPath = path.join(dir, shard);
          try {
            buffers.push(await fs.readFile(shardPath));
          } catch {
            throw new AssetError(`loadLayersModelFromDir: weight shard ${shardPath} listed in ${file} is missing.`);
          }
        }
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
