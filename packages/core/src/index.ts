/**
 * @trainwatch/core: the typed training-loop event bus, the training loop, the plugin and task
 * API, config schema and validation, findings and run output.
 */
import * as tf from './backend/tf';

export { tf };
export { EventBus, type Listener } from './loop/bus';
export { every, once, everyMs, isFilter, type Filter } from './loop/filters';
export * from './loop/events';
export * from './util/errors';
export { completeFinding, countBySeverity, type Finding, type FindingInput, type Severity } from './api/findings';
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
export { createLogger, stderrSink, type Logger, type LogLevel, type LogSink } from './util/logger';
export { createArtifactWriter, writeFileAtomic, toJson, type ArtifactWriter } from './run/artifacts';
export { selectBackend, type BackendChoice, type BackendInfo, type BackendName } from './backend/select-backend';
export { kernelGapReport, type KernelGapReport } from './backend/wasm-kernels';
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
export { InterceptorChain } from './loop/interception';
export { describeParams } from './loop/params';
export { EventRecorder, eventRecord } from './run/event-recorder';
export { Trainer, type TrainerOptions } from './loop/trainer';
export { RunControl } from './loop/run-control';
export { runTraining, type RunRequest, type RunResult } from './run/run-training';
export { ObservedRun, type ObservedRunRequest } from './run/observed-run';
export { type RunSummary } from './run/summary';
export { defaultRunDir } from './run/run-dir';
export { sortPlugins } from './run/plugin-context';
export { disposeTask } from './run/task-data';
export { FindingGate, type ReportOnceOptions } from './api/finding-gate';
export {
  ConfigSchema,
  TrainingSchema,
  OutputSchema,
  PluginEntrySchema,
  TaskEntrySchema,
  StringEnum,
  type TrainwatchConfig,
  type TrainingConfig,
  type OutputConfig,
  type PluginEntry,
  type TaskEntry,
} from './config/schema';
export { validateConfig, validateOptions, validateAgainst, didYouMean, jsonPath } from './config/validate';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export { fileModelHandler, saveModelFiles, loadModelFiles } from './run/model-files';
export { argmax } from './util/argmax';
export { editDistance } from './util/edit-distance';
export { cloneModel } from './train/clone-model';
export { quickFit, type QuickFitOptions, type QuickFitResult } from './train/quick-fit';
export { quickEvaluate } from './train/evaluate';
export { buildCaptureModel, type CapturedLayer } from './loop/layer-capture';
