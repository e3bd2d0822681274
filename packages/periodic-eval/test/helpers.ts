import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineTask, tf, type PluginUse, type Task } from '@trainwatch/core';
import { type RunRequest, type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { catchGame, mnistMlp } from '@trainwatch/tasks';
import { periodicEval, type EvalRecord } from '../src';

export async function evaluated(opts: {
  task?: Task;
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  options?: Record<string, unknown>;
  extra?: PluginUse[];
  clock?: RunRequest['clock'];
  onBus?: RunRequest['onBus'];
}): Promise<RunResult & { evals: EvalRecord[] }> {
  const r = await runWith({
    task: opts.task ?? mnistMlp,
    taskOptions: opts.taskOptions ?? {},
    training: { epochs: 1, ...opts.training },
    plugins: [{ plugin: periodicEval, options: opts.options ?? {} }, ...(opts.extra ?? [])],
    clock: opts.clock,
    onBus: opts.onBus,
  });
  const runDir = r.runDir;
  const file = path.join(runDir, 'periodic-eval', 'evals.jsonl');
  const evals = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as EvalRecord)
    : [];
  return { ...r, evals };
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
export const codes = (r: RunResult) => r.findings.map((f) => f.code);
export { catchGame, mnistMlp, defineTask, tf };
