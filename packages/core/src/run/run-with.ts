import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../util/errors';
import type { PluginUse } from '../api/plugin';
import { runTraining, type RunRequest, type RunResult } from './run-training';
import type { Task } from '../api/task';
import { validateConfig, validateOptions } from '../config/validate';

/** `runWith`'s options: a task, raw options (validated like a config), plugins, where to write. */
export interface RunWithOptions {
  task: Task;
  /** Task options before defaults (validated against the task's schema). */
  taskOptions?: Record<string, unknown>;
  /** The config's `training` section (validated; defaults applied). */
  training?: Record<string, unknown>;
  /** Plugins with their raw options (validated against each plugin's schema). */
  plugins?: readonly PluginUse[];
  /** Default: a fresh folder under the OS temp dir. */
  runDir?: string;
  logSink?: RunRequest['logSink'];
  clock?: RunRequest['clock'];
  onBus?: RunRequest['onBus'];
}

/**
 * Runs a task with plugins from code, the way a config would (every option validated, defaults
 * applied, clear errors by path), without a config file: for tests, notebooks and scripts.
 */
export async function runWith(o: RunWithOptions): Promise<RunResult> {
  const { config, issues } = validateConfig({
    task: { use: o.task.name },
    training: { backend: 'wasm', ...o.training },
  });
  const task = validateOptions(o.task.schema, o.taskOptions ?? {}, 'task.options');
  const plugins = (o.plugins ?? []).map((use, i) => ({
    use,
    v: validateOptions(use.plugin.schema, { ...use.options }, `plugins[${i}].options`),
  }));
  const all = [...issues, ...task.issues, ...plugins.flatMap((p) => p.v.issues)];
  if (all.length > 0) throw new ConfigError(all);
  const runDir = o.runDir ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trainwatch-')), 'run');
  return runTraining({
    config,
    task: o.task,
    taskOptions: task.options,
    plugins: plugins.map((p) => ({ ...p.use, options: p.v.options })),
    runDir,
    logSink: o.logSink ?? (() => {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.onBus ? { onBus: o.onBus } : {}),
  });
}
