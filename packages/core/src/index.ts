/**
 * @trainwatch/core: the typed training-loop event bus, the training loop, the plugin and task
 * API, config schema and validation, findings and run output.
 */
import * as tf from './backend/tf';

export { tf };

export { every, once, everyMs, isFilter, type Filter } from './loop/filters';
export * from './loop/events';
export * from './util/errors';
export { type Finding, type FindingInput, type Severity } from './api/findings';
export {
  definePlugin,
  isPlugin,
  type Plugin,
  type PluginContext,
  type PluginDefinition,
  type PluginBus,
  type PluginOrder,
  type PluginUse,
  type RunState,
  type ReadonlyModel,
  type TaskView,
  type GradientInterceptor,
  type GradientDecision,
  type GradientStep,
  type Disposer,
} from './api/plugin';
export type { JsonSchema, OptionsOf } from './api/definition';
export {
  defineTask,
  isTask,
  isBatchSource,
  type Task,
  type TaskContext,
  type TaskDefinition,
  type TaskInstance,
  type TaskHooks,
  type Row,
  type ImageData,
  type SliceObservation,
  type TensorDataset,
  type BatchSource,
  type BatchContext,
  type TaskEvaluator,
  type EvalContext,
  type EvalResult,
} from './api/task';
export { type Logger, type LogLevel, type LogSink } from './util/logger';
export { writeFileAtomic, toJson, type ArtifactWriter } from './run/artifacts';

export {
  resolveLoss,
  accuracy,
  makeOptimizer,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  type LossName,
  type LossFn,
  type OptimizerName,
} from './train/losses';
export { createRng, permutation } from './util/random';

export { describeParams } from './loop/params';
export { hostValues, onHostBackend } from './backend/host-values';

export { FindingGate, type ReportOnceOptions } from './api/finding-gate';
export { checkContribution, type ChartSpec, type ReportContribution } from './api/contribution';
export {
  StringEnum,
  type TrainwatchConfig,
  type TrainingConfig,
  type OutputConfig,
  type PluginEntry,
  type TaskEntry,
} from './config/schema';
export { validateOptions } from './config/validate';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export { fileModelHandler, saveModelFiles, loadModelFiles } from './run/model-files';
export { argmax } from './util/argmax';
export { editDistance } from './util/edit-distance';
export { cloneModel } from './train/clone-model';
export { quickFit, type QuickFitOptions, type QuickFitResult } from './train/quick-fit';
export { quickEvaluate } from './train/evaluate';
export { buildCaptureModel, type CapturedLayer } from './loop/layer-capture';
export { diagnose, type Diagnosis, type Cause, type CitedFinding } from './diagnosis/diagnose';
export { CAUSE_RULES, type CauseRule } from './diagnosis/rules';
