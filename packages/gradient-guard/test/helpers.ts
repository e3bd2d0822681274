import { defineTask, runWith, type LoadedPlugin, type RunResult } from '@trainwatch/core';
import { mnistCnn, mnistMlp, mnistWith } from '@trainwatch/tasks';
import { gradientGuard } from '../src';

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
  const guard: [LoadedPlugin['plugin'], Record<string, unknown>][] =
    opts.plugins === false ? [] : [[gradientGuard, opts.guard ?? {}]];
  return runWith({
    task,
    taskOptions: opts.task ? {} : (opts.taskOptions ?? {}),
    training: { epochs: 1, ...opts.training },
    plugins: [...guard, ...extra],
  });
}

export const codes = (r: RunResult) => r.findings.map((f) => f.code);
export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
export { mnistWith };
