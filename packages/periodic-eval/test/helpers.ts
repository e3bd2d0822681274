import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineTask, runTraining, tf, validateConfig, validateOptions, type LoadedPlugin, type RunRequest, type RunResult, type Task } from '@trainwatch/core';
import { catchGame, mnistMlp } from '@trainwatch/tasks';
import { periodicEval, type EvalRecord } from '../src';

export async function evaluated(opts: {
  task?: Task<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  options?: Record<string, unknown>;
  extra?: LoadedPlugin[];
  clock?: RunRequest['clock'];
  onBus?: RunRequest['onBus'];
}): Promise<RunResult & { evals: EvalRecord[] }> {
  const { config, issues: ci } = validateConfig({ task: { use: 'x' }, training: { backend: 'wasm', epochs: 1, ...opts.training } });
  if (ci.length) throw new Error(JSON.stringify(ci));
  const { options, issues } = validateOptions(periodicEval.schema, opts.options ?? {}, 'options');
  if (issues.length) throw new Error(JSON.stringify(issues));
  const task = opts.task ?? mnistMlp;
  const taskOptions = validateOptions(task.schema, opts.taskOptions ?? {}, 't').options;
  const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-pe-')), 'run');
  const r = await runTraining({ config, task, taskOptions, plugins: [{ plugin: periodicEval, options }, ...(opts.extra ?? [])], runDir, logSink: () => {}, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.onBus ? { onBus: opts.onBus } : {}) });
  const file = path.join(runDir, 'periodic-eval', 'evals.jsonl');
  const evals = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EvalRecord) : [];
  return { ...r, evals };
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
export const codes = (r: RunResult) => r.findings.map((f) => f.code);
export { catchGame, mnistMlp, defineTask, tf };
