/**
 * @trainwatch/core/runner: for what runs and records runs (the CLI, fit(), benchmarks): the run
 * itself, the loop, the bus, config validation, backend selection, logging. Plugin and task
 * authors need none of it: their API is `@trainwatch/core`.
 */
export { EventBus, type Listener } from './loop/bus';
export { completeFinding, countBySeverity } from './api/findings';
export { createLogger, stderrSink } from './util/logger';
export { createArtifactWriter } from './run/artifacts';
export { selectBackend, type BackendChoice, type BackendInfo, type BackendName } from './backend/select-backend';
export { kernelGapReport, type KernelGapReport } from './backend/wasm-kernels';
export { InterceptorChain } from './loop/interception';
export { EventRecorder, eventRecord } from './run/event-recorder';
export { Trainer, type TrainerOptions } from './loop/trainer';
export { hostRows, type HostRows } from './loop/host-rows';
export { RunControl } from './loop/run-control';
export { runTraining, type RunRequest, type RunResult } from './run/run-training';
export { ObservedRun, type ObservedRunRequest } from './run/observed-run';
export { type RunSummary } from './run/summary';
export { claimRunDir, defaultRunDir } from './run/run-dir';
export { sortPlugins } from './run/plugin-context';
export { disposeTask } from './run/task-data';
export { ConfigSchema, TrainingSchema, OutputSchema, PluginEntrySchema, TaskEntrySchema } from './config/schema';
export { validateConfig, validateAgainst, didYouMean, jsonPath } from './config/validate';
export { within } from './util/within';
