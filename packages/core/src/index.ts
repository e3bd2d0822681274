/**
 * @trainwatch/core: the typed training-loop event bus, the training loop, the plugin and task
 * API, config schema and validation, findings and run output.
 */
import * as tf from './tf';

export { tf };
export { EventBus, type Listener } from './bus';
export { every, once, everyMs, isFilter, type Filter } from './filters';
export * from './events';
export * from './errors';
export { completeFinding, countBySeverity, type Finding, type FindingInput, type Severity } from './findings';
export {
  definePlugin,
  isPlugin,
  type Plugin,
  type PluginContext,
  type PluginDefinition,
  type PluginBus,
  type PluginOrder,
  type RunState,
  type ReadonlyModel,
  type TaskView,
  type GradientInterceptor,
  type GradientDecision,
  type GradientStep,
  type Disposer,
  type JsonSchema,
  type OptionsOf,
} from './plugin';
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
} from './task';
export { createLogger, stderrSink, type Logger, type LogLevel, type LogSink } from './logger';
export { createArtifactWriter, writeFileAtomic, toJson, type ArtifactWriter } from './artifacts';
export { selectBackend, type BackendChoice, type BackendInfo, type BackendName } from './backend';
export { kernelGapReport, type KernelGapReport } from './wasm-kernels';
export {
  resolveLoss,
  accuracy,
  makeOptimizer,
  LOSS_NAMES,
  OPTIMIZER_NAMES,
  type LossName,
  type LossFn,
  type OptimizerName,
} from './losses';
export { createRng, permutation } from './random';
export { InterceptorChain } from './interception';
export { describeParams } from './capture';
export { EventRecorder, eventRecord } from './recorder';
export { Trainer, RunControl, type TrainerOptions } from './trainer';
export {
  runTraining,
  sortPlugins,
  defaultRunDir,
  disposeTask,
  type RunRequest,
  type RunResult,
  type RunSummary,
  type LoadedPlugin,
} from './session';
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
} from './config';
export { validateConfig, validateOptions, validateAgainst, didYouMean, levenshtein, jsonPath } from './validate';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export { fileModelHandler, saveModelFiles, loadModelFiles } from './model-files';
export { argmax, editDistance } from './text';
export { cloneModel, quickFit, quickEvaluate, type QuickFitOptions, type QuickFitResult } from './quick-fit';
export { buildCaptureModel, type CapturedLayer } from './capture';
export { runWith, type RunWithOptions } from './run-with';
