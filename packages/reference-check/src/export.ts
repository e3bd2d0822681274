import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError,
  isBatchSource,
  tf,
  writeFileAtomic,
  type TaskInstance,
  type TensorDataset,
} from '@trainwatch/core';
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

/**
 * What `trainwatch export` writes for a task: the model as created (initial weights) and its first
 * `examples` training examples, as `<dir>/reference-input.json`. The task must name its loss (the
 * reference computes the same one) and hold its examples in memory.
 */
export function exportReference(
  taskName: string,
  instance: TaskInstance,
  o: { dir: string; examples: number },
): { file: string; examples: number } {
  const { loss, train } = instance;
  if (typeof loss !== 'string') {
    const message = `export needs a task with a named loss (the reference must compute the same one); ${taskName} uses a function`;
    throw new ConfigError([{ path: 'task.use', message }]);
  }
  if (isBatchSource(train)) {
    const message = `export needs training examples in memory; ${taskName} produces its batches while training`;
    throw new ConfigError([{ path: 'task.use', message }]);
  }
  const batch = referenceBatch(train, o.examples);
  try {
    const file = writeReferenceInput(o.dir, referenceInput(instance.model, batch, loss));
    return { file, examples: batch.x.shape[0]! };
  } finally {
    tf.dispose([batch.x, batch.y]);
  }
}
