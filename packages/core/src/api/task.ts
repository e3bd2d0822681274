import type { TSchema } from '@sinclair/typebox';
import type * as tf from '../backend/tf';
import type { Logger } from '../util/logger';
import { assertKebabName, type JsonSchema, type OptionsOf } from './definition';
import type { LossName } from '../train/losses';

/** Examples held in memory: inputs and targets with the same first dimension. */
export interface TensorDataset {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/** What a {@link BatchSource} gets for each step: the model as it is now (for inference only). */
export interface BatchContext {
  readonly model: tf.LayersModel;
  readonly step: number;
  readonly epoch: number;
  /** Index of the batch inside the epoch. */
  readonly batch: number;
  /** The run's seed; combine it with `step` for per-step randomness that repeats. */
  readonly seed: number;
}

/**
 * Training data produced while training: each step's batch comes from `next`, which may use the
 * current model (e.g. episodes played with the current policy for policy gradients). The core owns
 * the returned tensors and disposes them after the step.
 */
export interface BatchSource {
  readonly kind: 'batch-source';
  readonly stepsPerEpoch: number;
  /** Examples per epoch, for display (default: stepsPerEpoch x batch size). */
  readonly size?: number;
  next(ctx: BatchContext): TensorDataset | Promise<TensorDataset>;
}

/** True for a task's {@link BatchSource} (batches produced while training), false for examples in memory. */
export function isBatchSource(v: unknown): v is BatchSource {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as BatchSource).kind === 'batch-source' &&
    typeof (v as BatchSource).next === 'function'
  );
}

/** What a task's `evaluate` gets. */
export interface EvalContext {
  readonly step: number;
  readonly epoch: number;
  readonly seed: number;
  readonly log: Logger;
}

/** A task evaluator's answer: metrics, and optionally a behaviour signature. */
export interface EvalResult {
  /** Metric values (e.g. `reward`, `catchRate`). */
  readonly metrics: Readonly<Record<string, number>>;
  /**
   * What the model did, comparable across evaluations (e.g. the action histogram): identical
   * signatures over several evaluations mean "it does the same thing every time".
   */
  readonly behaviour?: string | readonly number[];
  /**
   * Which metric to watch and whether higher is better (default: the first metric, max), and the
   * best achievable value when there is one (a model at the target is done, not stagnant).
   */
  readonly monitor?: { readonly metric: string; readonly mode: 'min' | 'max'; readonly target?: number };
  /** Anything else worth keeping in the evaluation record (JSON-serialisable). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Judges the current weights (e.g. plays the game greedily). Must not change the weights. */
export type TaskEvaluator = (model: tf.LayersModel, ctx: EvalContext) => EvalResult | Promise<EvalResult>;

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
  /** Examples in memory, or a source that produces each step's batch (possibly from the current model). */
  train: TensorDataset | BatchSource;
  /** Held-out data; when absent, `training.validation.split` carves it from `train`. */
  validation?: TensorDataset;
  /** Names of the classes, index-aligned with the model's outputs. */
  classNames?: readonly string[];
  /** Hooks later plugins use to show samples. */
  hooks?: TaskHooks;
  /** A simpler model for the same data (simpler-baseline); without one a linear model is derived. */
  simpler?: () => tf.LayersModel;
  /** A task-specific judge of the current weights, used by periodic-eval (e.g. play N games). */
  evaluate?: TaskEvaluator;
  /** Frees anything the task holds besides the model and datasets (called once after the run). */
  dispose?(): void;
  /**
   * The model, the datasets and the optimizer belong to the caller (as with `fit()`): the core lends
   * them to plugins and disposes none of them. Default false: a task's instance is the run's.
   */
  borrowed?: boolean;
}

/** One row of a tensor (one example), as a typed array. */
export type Row = Float32Array | Int32Array | Uint8Array;

/** A picture of one input example: values in [0, 1], row-major, channels last. */
export interface ImageData {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: ArrayLike<number>;
}

/** One observation for pattern finding: which slice it belongs to, and whether it was an error. */
export interface SliceObservation {
  readonly slice: string;
  readonly error: boolean;
}

/** How a task shows its examples and predictions to plugins (samples, PNGs, error slices). */
export interface TaskHooks {
  /** Human-readable form of a prediction or label row (e.g. `"7"` or a decoded word). */
  decode?(row: Row): string;
  /** A text picture of one input example (e.g. ASCII art of a digit, or the spelled word). */
  render?(row: Row): string;
  /** A picture of one input example, for PNGs (rank-4 image inputs get one by default). */
  image?(row: Row): ImageData;
  /**
   * Task-defined slices for `systematic-error` (e.g. per phoneme: was it right at its position).
   * Called with one example's input, label and prediction rows.
   */
  slices?(input: Row, label: Row, prediction: Row): readonly SliceObservation[];
}

/** What {@link defineTask} takes: a kebab-case name, an options schema and `create`. */
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
export function defineTask<S extends TSchema | JsonSchema = JsonSchema, O = OptionsOf<S>>(
  def: TaskDefinition<S, O>,
): Task<O> {
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

/** True for a task object (from this or another copy of `@trainwatch/core`). */
export function isTask(value: unknown): value is Task {
  const v = value as Task | null;
  return typeof v === 'object' && v !== null && v.kind === 'trainwatch-task' && typeof v.create === 'function';
}
