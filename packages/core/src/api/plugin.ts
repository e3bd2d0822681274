import type { ReportContribution } from './contribution';
import type { TSchema } from '@sinclair/typebox';
import { assertKebabName, type JsonSchema, type OptionsOf } from './definition';
import type * as tf from '../backend/tf';
import type { Listener } from '../loop/bus';
import type { EventName, ParamInfo } from '../loop/events';
import type { Filter } from '../loop/filters';
import type { FindingInput } from './findings';
import type { ReportOnceOptions } from './finding-gate';
import type { ArtifactWriter } from '../run/artifacts';
import type { Logger } from '../util/logger';
import type { LossFn } from '../train/losses';
import type { TaskEvaluator, TaskHooks, TensorDataset } from './task';

/** Returned by `setup`; runs once at the end of the run, in reverse plugin order, even after a failure. */
export type Disposer = () => void | Promise<void>;

/** Where a plugin runs relative to the others: `pre` plugins first, then unmarked, then `post`; config order within each. */
export type PluginOrder = 'pre' | 'post';

/** The bus as a plugin sees it: listen only. Listeners are removed for you when the run ends. */
export interface PluginBus {
  on<E extends EventName>(event: E, listener: Listener<E>, filter?: Filter): () => void;
}

/** A read-only view of the run, updated by the core as it goes. */
export interface RunState {
  readonly runId: string;
  readonly task: string;
  readonly backend: string;
  readonly step: number;
  readonly epoch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Milliseconds since the run began. */
  readonly elapsedMs: number;
  /** Last epoch's training and validation metrics (`loss`, `acc`, `val_loss`, `val_acc`...). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Set once a stop was requested (by a plugin, a signal or max steps). */
  readonly stopReason: string | undefined;
  /** The run's training settings (for plugins that train copies of the model, e.g. overfit-probe). */
  readonly training: {
    readonly optimizer: string;
    readonly learningRate: number;
    readonly batchSize: number;
    readonly seed: number;
  };
}

/** The model, for inspection only: plugins must not train it or change its weights (see `restoreWeights`). */
export type ReadonlyModel = Pick<
  tf.LayersModel,
  'name' | 'layers' | 'inputs' | 'outputs' | 'countParams' | 'getLayer' | 'predict' | 'save' | 'toJSON'
>;

/** What a plugin may know about the task: its data for evaluation, loss, names and hooks. Read-only. */
export interface TaskView {
  readonly name: string;
  /** The loss's name when the task named a built-in one (`categoricalCrossentropy`...). */
  readonly lossName: string | undefined;
  /** The task's loss, (labels, predictions) -> scalar. */
  readonly loss: LossFn;
  readonly metrics: readonly 'accuracy'[];
  readonly classNames: readonly string[] | undefined;
  readonly hooks: TaskHooks | undefined;
  /** Held-out data (the task's own, or carved by `training.validation.split`). Lent: do not dispose. */
  readonly validation: TensorDataset | undefined;
  /** Training examples when they are in memory (undefined for batch sources). Lent: do not dispose. */
  readonly train: TensorDataset | undefined;
  /** The task's own simpler model for comparisons (simpler-baseline), when it defines one. */
  readonly simpler: (() => tf.LayersModel) | undefined;
  /** The task's own judge of the current weights, when it has one. */
  readonly evaluate: TaskEvaluator | undefined;
}

/** What one interceptor sees: the gradients about to be applied, and the step's readback values. */
export interface GradientStep {
  readonly step: number;
  readonly epoch: number;
  /** This step's batch (lent). */
  readonly inputs: tf.Tensor;
  readonly labels: tf.Tensor;
  readonly loss: number;
  readonly grads: Readonly<tf.NamedTensorMap>;
  readonly params: readonly ParamInfo[];
  /** Values requested in this step's `forward:end` / `grads:computed` (one readback, already done). */
  readonly readback: Readonly<Record<string, Float32Array>>;
}

/**
 * An interceptor's answer. Nothing (undefined) keeps the gradients. `replace` hands the core new
 * gradient tensors (it owns and disposes them); `skip` drops this step's update.
 */
export type GradientDecision =
  undefined | { action: 'skip'; reason: string } | { action: 'replace'; grads: tf.NamedTensorMap; reason: string };

/** Sees one step's gradients before they are applied; returns a {@link GradientDecision} (nothing keeps them). */
export type GradientInterceptor = (step: GradientStep) => GradientDecision | void;

/** The narrow context a plugin's `setup` receives. */
export interface PluginContext<O> {
  /** The plugin's name as configured. */
  readonly name: string;
  /** Options validated against the plugin's schema, defaults applied. */
  readonly options: Readonly<O>;
  readonly bus: PluginBus;
  readonly state: RunState;
  /** Logger named after the plugin. */
  readonly log: Logger;
  readonly model: ReadonlyModel;
  readonly task: TaskView;
  /** Milliseconds, monotonic (wall clock for schedules; tests inject a fake one). */
  readonly clock: () => number;
  /** Writes files into the run directory. */
  readonly artifacts: ArtifactWriter;
  /** Reports a finding; it is emitted on the bus and saved to `findings.json`. */
  report(finding: FindingInput): void;
  /**
   * Reports a finding once per problem (by default its code and layer), and again only when it is
   * clearly worse (see {@link ReportOnceOptions}). Returns whether it was reported.
   */
  reportOnce(finding: FindingInput, options?: ReportOnceOptions): boolean;
  /**
   * Publishes one evaluation's metrics as an `eval:end` event at the current step (named after the
   * plugin unless `name` is given): recorded in `events.jsonl`, the last one per name in
   * `summary.json`'s `evaluations`, and charted by the report.
   */
  reportEval(e: { name?: string; metrics: Readonly<Record<string, number>>; evalMs?: number }): Promise<void>;
  /**
   * Declares the charts this plugin adds to the report (written to `<plugin>/report.json`; the
   * report draws them from the plugin's files, with markers for the findings each names). Checked
   * here: a bad spec throws a plugin error naming the plugin. Calling again replaces the declaration.
   */
  contributeToReport(c: ReportContribution): void;
  /** Asks the loop to stop after the current step; the run ends `stopped` with this reason. */
  requestStop(reason: string): void;
  /**
   * Intercepts each step's gradients after the readback and before the optimizer applies them.
   * Interceptors run in plugin order; each sees the previous one's result. Returns an unregister function.
   */
  interceptGradients(interceptor: GradientInterceptor): () => void;
  /**
   * Replaces trainable weights by variable name, between steps (e.g. early stopping's restore-best).
   * The values are copied; the caller keeps ownership of the tensors it passes.
   */
  restoreWeights(weights: Readonly<tf.NamedTensorMap>): void;
  /**
   * The model's predictions on `task.validation` for the current weights (inference mode), in
   * example order; undefined when there is no held-out set. Computed at most once per weight
   * update and shared by the trainer's validation and every plugin (at an epoch end they all read
   * one pass). Lent: valid until the weights next change; do not dispose, clone what you keep.
   */
  validationPredictions(): Promise<tf.Tensor | undefined>;
}

/** What {@link definePlugin} takes: name, description, options schema, order and `setup`. */
export interface PluginDefinition<S extends TSchema | JsonSchema, O = OptionsOf<S>> {
  /** Kebab-case name, used in findings and logs. */
  name: string;
  /** One line for `trainwatch plugins`. */
  description?: string;
  /** Options schema: the single source of validation, defaults, editor completion and types. */
  schema?: S;
  order?: PluginOrder;
  setup(ctx: PluginContext<O>): Disposer | void | Promise<Disposer | void>;
}

/** A plugin: a plain object, made by {@link definePlugin}. */
export interface Plugin<O = unknown> {
  readonly kind: 'trainwatch-plugin';
  readonly name: string;
  readonly description: string;
  readonly schema: JsonSchema;
  readonly order: PluginOrder | undefined;
  setup(ctx: PluginContext<O>): Disposer | void | Promise<Disposer | void>;
}

/**
 * Defines a plugin. With a TypeBox schema the options type is inferred:
 * ```ts
 * export default definePlugin({
 *   name: 'loss-spike',
 *   schema: Type.Object({ factor: Type.Number({ default: 3 }) }),
 *   setup(ctx) { ctx.bus.on('batch:end', (e) => { ... ctx.options.factor ... }); },
 * });
 * ```
 */
export function definePlugin<S extends TSchema | JsonSchema = JsonSchema, O = OptionsOf<S>>(
  def: PluginDefinition<S, O>,
): Plugin<O> {
  assertKebabName('plugin', def.name);
  if (typeof def.setup !== 'function') throw new TypeError(`plugin "${def.name}" needs a setup(ctx) function`);
  if (def.order !== undefined && def.order !== 'pre' && def.order !== 'post') {
    throw new TypeError(`plugin "${def.name}": order must be "pre" or "post", got ${JSON.stringify(def.order)}`);
  }
  return {
    kind: 'trainwatch-plugin',
    name: def.name,
    description: def.description ?? '',
    schema: (def.schema ?? { type: 'object', properties: {} }) as JsonSchema,
    order: def.order,
    setup: def.setup,
  };
}

/** True for a plugin object (from this or another copy of `@trainwatch/core`). */
export function isPlugin(value: unknown): value is Plugin {
  const v = value as Plugin | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === 'trainwatch-plugin' &&
    typeof v.setup === 'function' &&
    typeof v.name === 'string'
  );
}

/**
 * A plugin with its options: one entry of a config's `plugins`, in code. `runWith` takes raw options
 * (it validates them); `runTraining` takes validated ones with defaults applied.
 */
export interface PluginUse {
  readonly plugin: Plugin;
  readonly options?: Readonly<Record<string, unknown>>;
  /** Overrides the plugin's own `order` for this run. */
  readonly order?: PluginOrder | undefined;
}
