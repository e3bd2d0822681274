import { defineTask, type PluginUse } from '@trainwatch/core';
import { type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { mnistCnn, mnistMlp } from '@trainwatch/tasks';
import { mnistWith } from '@trainwatch/tasks/testing';
import { gradientGuard } from '../src';

export async function guarded(opts: {
  task?: ReturnType<typeof defineTask>;
  builtin?: 'mnist-mlp' | 'mnist-cnn';
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  guard?: Record<string, unknown>;
  plugins?: boolean;
  extra?: PluginUse[];
}): Promise<RunResult> {
  const task = opts.task ?? (opts.builtin === 'mnist-cnn' ? mnistCnn : mnistMlp);
  const guard: PluginUse[] = opts.plugins === false ? [] : [{ plugin: gradientGuard, options: opts.guard ?? {} }];
  return runWith({
    task,
    taskOptions: opts.task ? {} : (opts.taskOptions ?? {}),
    training: { epochs: 1, ...opts.training },
    plugins: [...guard, ...(opts.extra ?? [])],
  });
}

export const codes = (r: RunResult) => r.findings.map((f) => f.code);
export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
export { mnistWith };
