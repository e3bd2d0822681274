import { defineTask, tf, type PluginUse } from '@trainwatch/core';
import { type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { mnistCnn, mnistMlp } from '@trainwatch/tasks';
import { mnistWith } from '@trainwatch/tasks/testing';
import { activationMonitor } from '../src';

export const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

export async function monitored(opts: {
  task?: ReturnType<typeof defineTask>;
  builtin?: 'mnist-mlp' | 'mnist-cnn';
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  monitor?: Record<string, unknown>;
  extra?: PluginUse[];
}): Promise<RunResult> {
  const task = opts.task ?? (opts.builtin === 'mnist-cnn' ? mnistCnn : mnistMlp);
  return runWith({
    task,
    taskOptions: opts.taskOptions ?? {},
    training: { epochs: 1, ...opts.training },
    plugins: [{ plugin: activationMonitor, options: opts.monitor ?? {} }, ...(opts.extra ?? [])],
  });
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
export const layersWith = (r: RunResult, code: string) => r.findings.filter((f) => f.code === code).map((f) => f.layer);
export { mnistWith };
