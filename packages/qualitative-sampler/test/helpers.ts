import { runWith, type LoadedPlugin, type RunResult, type Task } from '@trainwatch/core';
import { mnistMlp } from '@trainwatch/tasks';
import { qualitativeSampler } from '../src';

export async function sampled(opts: {
  task?: Task<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  options?: Record<string, unknown>;
  extra?: LoadedPlugin[];
  logs?: string[];
}): Promise<RunResult> {
  const extra = (opts.extra ?? []).map((e): [LoadedPlugin['plugin'], Record<string, unknown>] => [e.plugin, e.options]);
  return runWith({
    task: opts.task ?? mnistMlp,
    taskOptions: opts.taskOptions ?? {},
    training: { epochs: 1, ...opts.training },
    plugins: [[qualitativeSampler, opts.options ?? {}], ...extra],
    logSink: (_l, _s, m) => void opts.logs?.push(m),
  });
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
