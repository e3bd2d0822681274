import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, writeFileAtomic, type TensorDataset } from '@trainwatch/core';
import { weightKey, type Arr } from './layerwise';

/** The file `tools/reference/torch_dump.py` reads: architecture, weights and one batch, in tfjs layouts. */
export interface ReferenceInput {
  format: 'trainwatch-reference/1';
  loss: string;
  input: { shape: (number | null)[] };
  layers: { name: string; class: string; config: Record<string, unknown>; weights: Record<string, Arr> }[];
  batch: { x: Arr; y: Arr };
}

const KEEP = [
  'units',
  'activation',
  'useBias',
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'poolSize',
  'rate',
  'dataFormat',
  'dilationRate',
  'targetShape',
];
const arr = (t: tf.Tensor): Arr => ({ shape: t.shape.slice(), data: Array.from(t.dataSync()) });

/** Describes a model's layers and weights and one batch, for a reference implementation in another framework. */
export function referenceInput(
  model: Pick<tf.LayersModel, 'layers' | 'inputs'>,
  batch: TensorDataset,
  lossName: string,
): ReferenceInput {
  return {
    format: 'trainwatch-reference/1',
    loss: lossName,
    input: { shape: model.inputs[0]!.shape.slice() },
    layers: model.layers
      .filter((l) => l.getClassName() !== 'InputLayer')
      .map((l) => {
        const cfg = l.getConfig() as Record<string, unknown>;
        return {
          name: l.name,
          class: l.getClassName(),
          config: Object.fromEntries(KEEP.filter((k) => cfg[k] !== undefined).map((k) => [k, cfg[k]])),
          weights: Object.fromEntries(l.weights.map((w) => [weightKey(w.originalName), arr(w.read())])),
        };
      }),
    batch: { x: arr(batch.x), y: arr(batch.y) },
  };
}

/** Writes `reference-input.json` into `dir`; returns its path. */
export function writeReferenceInput(dir: string, input: ReferenceInput): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'reference-input.json');
  writeFileAtomic(file, JSON.stringify(input));
  return file;
}

/** The batch every reference sees: the first `n` training examples, in order (no shuffling: reproducible). */
export function referenceBatch(train: TensorDataset, n: number): TensorDataset {
  const k = Math.min(n, train.x.shape[0]!);
  return tf.tidy(() => ({ x: tf.slice(train.x, 0, k), y: tf.slice(train.y, 0, k) }));
}
