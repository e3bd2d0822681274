import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineTask, runTraining, tf, validateConfig, validateOptions, type LoadedPlugin, type RunResult, type TaskInstance } from '@trainwatch/core';
import { mnistCnn, mnistMlp } from '@trainwatch/tasks';
import { gradientGuard } from '../src';

export const quiet = () => {};

/** A task from a model factory on a slice of real MNIST (flat inputs). */
export function mnistWith(name: string, build: (seed: number) => tf.LayersModel, extra: Partial<TaskInstance> = {}) {
  return defineTask({
    name,
    async create(_o, ctx) {
      const base = await mnistMlp.create({ validationFraction: 0.2, limit: 1000, hidden: [8], activation: 'relu' }, ctx);
      base.model.dispose();
      return { ...base, model: build(ctx.seed), ...extra };
    },
  });
}

export async function guarded(opts: {
  task?: ReturnType<typeof defineTask>;
  builtin?: 'mnist-mlp' | 'mnist-cnn';
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  guard?: Record<string, unknown>;
  plugins?: boolean;
  extra?: LoadedPlugin[];
}): Promise<RunResult> {
  const { config } = validateConfig({ task: { use: 'x' }, training: { backend: 'wasm', epochs: 1, ...opts.training } });
  const { options, issues } = validateOptions(gradientGuard.schema, opts.guard ?? {}, 'guard');
  if (issues.length) throw new Error(JSON.stringify(issues));
  const task = opts.task ?? (opts.builtin === 'mnist-cnn' ? mnistCnn : mnistMlp);
  const taskOptions = opts.task ? {} : validateOptions(task.schema, opts.taskOptions ?? {}, 't').options;
  return runTraining({
    config,
    task,
    taskOptions,
    plugins: [...(opts.plugins === false ? [] : [{ plugin: gradientGuard, options }]), ...(opts.extra ?? [])],
    runDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-gg-')), 'run'),
    logSink: quiet,
  });
}

export const codes = (r: RunResult) => r.findings.map((f) => f.code);
export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
