import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTraining, validateConfig, validateOptions, type LoadedPlugin, type RunResult, type Task } from '@trainwatch/core';
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
  const { config, issues: ci } = validateConfig({ task: { use: 'x' }, training: { backend: 'wasm', epochs: 1, ...opts.training } });
  if (ci.length) throw new Error(JSON.stringify(ci));
  const { options, issues } = validateOptions(qualitativeSampler.schema, opts.options ?? {}, 'options');
  if (issues.length) throw new Error(JSON.stringify(issues));
  const task = opts.task ?? mnistMlp;
  const taskOptions = validateOptions(task.schema, opts.taskOptions ?? {}, 't').options;
  const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-qs-')), 'run');
  return runTraining({ config, task, taskOptions, plugins: [{ plugin: qualitativeSampler, options }, ...(opts.extra ?? [])], runDir, logSink: (_l, _s, m) => void opts.logs?.push(m) });
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
