import { defineTask, runWith, tf, type LoadedPlugin, type RunResult, type TaskInstance } from '@trainwatch/core';
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
  const task = opts.task ?? (opts.builtin === 'mnist-cnn' ? mnistCnn : mnistMlp);
  const extra = (opts.extra ?? []).map((e): [LoadedPlugin['plugin'], Record<string, unknown>] => [e.plugin, e.options]);
  const guard: [LoadedPlugin['plugin'], Record<string, unknown>][] = opts.plugins === false ? [] : [[gradientGuard, opts.guard ?? {}]];
  return runWith({ task, taskOptions: opts.task ? {} : (opts.taskOptions ?? {}), training: { epochs: 1, ...opts.training }, plugins: [...guard, ...extra] });
}

export const codes = (r: RunResult) => r.findings.map((f) => f.code);
export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
