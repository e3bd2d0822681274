import { type PluginUse, type Task } from '@trainwatch/core';
import { type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { mnistMlp } from '@trainwatch/tasks';
import { qualitativeSampler } from '../src';

export async function sampled(opts: {
  task?: Task;
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  options?: Record<string, unknown>;
  extra?: PluginUse[];
  logs?: string[];
}): Promise<RunResult> {
  return runWith({
    task: opts.task ?? mnistMlp,
    taskOptions: opts.taskOptions ?? {},
    training: { epochs: 1, ...opts.training },
    plugins: [{ plugin: qualitativeSampler, options: opts.options ?? {} }, ...(opts.extra ?? [])],
    logSink: (_l, _s, m) => void opts.logs?.push(m),
  });
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
