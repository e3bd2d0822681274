import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '../backend/tf';
import { writeFileAtomic } from './artifacts';
import { TrainwatchError } from '../util/errors';

/**
 * A tfjs IO handler for a folder: `model.json` (topology + weights manifest, the format
 * `tf.loadLayersModel` reads) and `weights.bin`. The pure-JS tfjs has no `file://` handler.
 */
export function fileModelHandler(dirOrFile: string): tf.io.IOHandler {
  // A folder, or the model.json in it (weight paths are relative to the json's folder).
  const isJson = dirOrFile.endsWith('.json');
  const dir = isJson ? path.dirname(dirOrFile) : dirOrFile;
  const json = isJson ? dirOrFile : path.join(dir, 'model.json');
  const bin = path.join(dir, 'weights.bin');
  return {
    async save(artifacts) {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new TrainwatchError('io-error', 'binary model topologies are not supported');
      fs.mkdirSync(dir, { recursive: true });
      const data = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : new Uint8Array(0);
      // Weights first: a model.json on disk always has its weights.
      writeFileAtomic(bin, data);
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        // A compiled model's loss, metrics and optimizer settings, as tfjs' own handlers keep them.
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      };
      writeFileAtomic(json, JSON.stringify(manifest));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load() {
      if (!fs.existsSync(json)) throw new TrainwatchError('io-error', `no model file ${json}`);
      const m = JSON.parse(fs.readFileSync(json, 'utf8')) as {
        modelTopology: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
        format?: string;
        trainingConfig?: tf.io.TrainingConfig;
      };
      const specs = m.weightsManifest.flatMap((g) => g.weights);
      const buffers = m.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
      const all = Buffer.concat(buffers);
      return {
        modelTopology: m.modelTopology,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        ...(m.format ? { format: m.format } : {}),
        ...(m.trainingConfig ? { trainingConfig: m.trainingConfig } : {}),
      };
    },
  };
}

/** Saves a LayersModel into `dir` (model.json + weights.bin). */
export async function saveModelFiles(model: Pick<tf.LayersModel, 'save'>, dir: string): Promise<void> {
  await model.save(fileModelHandler(dir));
}

/** Loads a model saved by {@link saveModelFiles} (or any tfjs layers-model folder with local weight paths). */
export async function loadModelFiles(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileModelHandler(dir));
}
