/**
 * @trainwatch/core/testing: for plugin and task tests. `runWith` runs a task with plugins from code,
 * validated exactly as a config is, into a temporary run directory.
 */
export { runWith, type RunWithOptions } from './run/run-with';
export type { RunResult } from './run/run-training';
export { tensorCounter } from './run/tensor-counter';
