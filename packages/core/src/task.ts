import type { TSchema } from '@sinclair/typebox';
import type * as tf from './tf';
import type { Logger } from './logger';
import type { JsonSchema, OptionsOf } from './plugin';
import { assertKebabName } from './plugin';
import type { LossName } from './losses';

/** Examples held in memory: inputs and targets with the same first dimension. */
export interface TensorDataset {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/** What a task's `create` receives. */
export interface TaskContext {
  /** The run's seed: use it for weight initialisers and data order so runs repeat. */
  readonly seed: number;
  readonly log: Logger;
}

/** A task made ready to train: the model, its loss and its data. The core owns and disposes it after the run. */
export interface TaskInstance {
  model: tf.LayersModel;
  /** A loss name, or a function of (labels, predictions) returning a scalar. */
  loss: LossName | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar);
  /** Metrics to compute besides the loss; `accuracy` is reported as `acc`. */
  metrics?: 'accuracy'[];
  /** A ready optimizer; when absent the config's `training.optimizer` and `learningRate` build one. */
  optimizer?: tf.Optimizer;
  train: TensorDataset;
  /** Held-out data; when absent, `training.validation.split` carves it from `train`. */
  validation?: TensorDataset;
  /** Names of the classes, index-aligned with the model's outputs. */
  classNames?: readonly string[];
  /** Hooks later plugins use to show samples. */
  hooks?: TaskHooks;
}

export interface TaskHooks {
  /** Human-readable form of a prediction or label row (e.g. `"7"` or a decoded word). */
  decode?(row: Float32Array | Int32Array | Uint8Array): string;
  /** A text picture of one input example (e.g. ASCII art of a digit). */
  render?(row: Float32Array | Int32Array | Uint8Array): string;
}

export interface TaskDefinition<S extends TSchema | JsonSchema, O = OptionsOf<S>> {
  name: string;
  description?: string;
  schema?: S;
  create(options: O, ctx: TaskContext): TaskInstance | Promise<TaskInstance>;
}

/** A task: a plain object made by {@link defineTask}. */
export interface Task<O = unknown> {
  readonly kind: 'trainwatch-task';
  readonly name: string;
  readonly description: string;
  readonly schema: JsonSchema;
  create(options: O, ctx: TaskContext): TaskInstance | Promise<TaskInstance>;
}

/** Defines a task (a model, a loss and real data); the same shape as a plugin entry in the config. */
export function defineTask<S extends TSchema | JsonSchema = JsonSchema, O = OptionsOf<S>>(def: TaskDefinition<S, O>): Task<O> {
  assertKebabName('task', def.name);
  if (typeof def.create !== 'function') throw new TypeError(`task "${def.name}" needs a create(options, ctx) function`);
  return {
    kind: 'trainwatch-task',
    name: def.name,
    description: def.description ?? '',
    schema: (def.schema ?? { type: 'object', properties: {} }) as JsonSchema,
    create: def.create,
  };
}

export function isTask(value: unknown): value is Task {
  const v = value as Task | null;
  return typeof v === 'object' && v !== null && v.kind === 'trainwatch-task' && typeof v.create === 'function';
}
