/**
 * trainwatch: debug TensorFlow.js training from your own code or the command line.
 *
 * - `fit(model, x, y, options)`: train with plugins watching (like `model.fit`);
 * - `callback(options)`: plugins inside your own `model.fit(..., { callbacks })`;
 * - `ready()`: choose the backend before you make tensors;
 * - `definePlugin`, `defineTask`, filters, `Type` and `tf` for plugin and task authors.
 */
export { fit, type FitResult } from './fit';
export type { FitOptions } from './fit-options';
export type { FitDataset } from './data';
export type { PluginSpec } from './plugin-entries';
export type { TfjsCallback, Logs } from './tfjs-callbacks';
export { ready } from './ready';
export { callback, type CallbackOptions } from './callback';
export { fileModelHandler, saveModelFiles, loadModelFiles } from '@trainwatch/core';
export {
  tf,
  Type,
  definePlugin,
  defineTask,
  every,
  once,
  everyMs,
  ConfigError,
  TrainwatchError,
  type Plugin,
  type PluginContext,
  type Task,
  type TaskInstance,
  type Finding,
  type FindingInput,
  type TrainEvents,
  type EventName,
} from '@trainwatch/core';
