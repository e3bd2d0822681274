import * as path from 'node:path';
import {
  defineTask,
  fileModelHandler,
  LOSS_NAMES,
  StringEnum,
  tf,
  TrainwatchError,
  Type,
  type LossName,
  type TensorDataset,
} from '@trainwatch/core';
import { readTabular, type TabularRows } from './tabular-data';

export const ModelFilesOptions = Type.Object({
  model: Type.String({
    minLength: 1,
    'x-path': true,
    description: 'model.json saved by tfjs model.save (Layers format; the weight files beside it).',
  }),
  data: Type.String({
    minLength: 1,
    'x-path': true,
    description: 'Training examples: a .csv with a header row, or .jsonl lines {"x": [...], "y": ...}.',
  }),
  validation: Type.Optional(
    Type.String({
      minLength: 1,
      'x-path': true,
      description: 'Held-out examples in the same format (else training.validation.split carves them).',
    }),
  ),
  label: Type.String({ default: 'label', description: 'CSV column holding the target (a class index or a number).' }),
  features: Type.Optional(
    Type.Array(Type.String(), { minItems: 1, description: 'CSV columns used as inputs (default: all but the label).' }),
  ),
  loss: Type.Optional(
    StringEnum(LOSS_NAMES, { description: "Loss (default: the one in model.json's training config)." }),
  ),
});
type ModelFilesOptions = (typeof ModelFilesOptions)['static'];

/** Rows as tensors shaped for the model: inputs to its input shape, class indices one-hot to its outputs. */
function toDataset(rows: TabularRows, model: tf.LayersModel, file: string): TensorDataset {
  const inShape = model.inputs[0]!.shape.slice(1) as number[];
  const width = inShape.reduce((a, b) => a * b, 1);
  const outputs = model.outputs[0]!.shape.at(-1) ?? 1;
  const bad = rows.features.findIndex((r) => r.length !== width);
  if (bad >= 0)
    throw new TrainwatchError(
      'data-error',
      `${file}: example ${bad + 1} has ${rows.features[bad]!.length} features; the model's input [${inShape}] needs ${width}`,
    );
  const n = rows.features.length;
  const y = rows.labels.map((l, i) => {
    if (Array.isArray(l)) {
      if (l.length !== outputs)
        throw new TrainwatchError(
          'data-error',
          `${file}: example ${i + 1}'s label has ${l.length} values; the model outputs ${outputs}`,
        );
      return l;
    }
    if (outputs === 1) return [l];
    if (!Number.isInteger(l) || l < 0 || l >= outputs)
      throw new TrainwatchError(
        'data-error',
        `${file}: example ${i + 1}'s label ${l} is not a class index 0..${outputs - 1}`,
      );
    return Array.from({ length: outputs }, (_, k) => (k === l ? 1 : 0));
  });
  return {
    x: tf.tensor(Float32Array.from(rows.features.flat()), [n, ...inShape], 'float32'),
    y: tf.tensor2d(Float32Array.from(y.flat()), [n, outputs], 'float32'),
  };
}

function lossOf(model: tf.LayersModel, o: ModelFilesOptions): LossName {
  if (o.loss) return o.loss;
  const saved = typeof model.loss === 'string' ? model.loss : undefined;
  if (saved && (LOSS_NAMES as readonly string[]).includes(saved)) return saved as LossName;
  throw new TrainwatchError(
    'invalid-config',
    `task.options.loss: ${path.basename(o.model)} has ${saved ? `the loss "${saved}", which trainwatch does not know` : 'no training config (it was saved uncompiled)'}; set "loss" to one of ${LOSS_NAMES.join(', ')}`,
  );
}

/**
 * `"use": "model-files"`: a model saved with tfjs `model.save` and data in a CSV or JSON-lines file,
 * trained by the config's `training` settings, with no task module to write.
 */
export const modelFiles = defineTask({
  name: 'model-files',
  description: 'A saved tfjs model (model.json) trained on a CSV or JSON-lines file.',
  schema: ModelFilesOptions,
  async create(o) {
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(fileModelHandler(o.model));
    } catch (e) {
      throw new TrainwatchError('data-error', `task.options.model: cannot load ${o.model}: ${(e as Error).message}`);
    }
    try {
      const loss = lossOf(model, o);
      const train = toDataset(readTabular(o.data, o.label, o.features), model, o.data);
      const validation = o.validation
        ? toDataset(readTabular(o.validation, o.label, o.features), model, o.validation)
        : undefined;
      const classes = (model.outputs[0]!.shape.at(-1) ?? 1) > 1;
      return {
        model,
        loss,
        ...(classes ? { metrics: ['accuracy' as const] } : {}),
        train,
        ...(validation ? { validation } : {}),
      };
    } catch (e) {
      model.dispose();
      throw e;
    }
  },
});
