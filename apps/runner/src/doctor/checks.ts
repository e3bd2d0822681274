import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  definePlugin,
  validateOptions,
  type Finding,
  type PluginUse,
  type Plugin,
  type PluginContext,
} from '@trainwatch/core';
import { defaultRunDir, runTraining } from '@trainwatch/core/runner';
import { gradientGuard } from '@trainwatch/gradient-guard';
import { overfitProbe } from '@trainwatch/overfit-probe';
import { periodicEval } from '@trainwatch/periodic-eval';
import { referenceCheck } from '@trainwatch/reference-check';
import { simplerBaseline } from '@trainwatch/simpler-baseline';
import type { ResolvedConfig } from '../config/load-config';

/** One row of the verdict table: which plugin runs it and which of its findings belong to it. */
interface Check {
  check: string;
  plugin: Plugin;
  options: Record<string, unknown>;
  owns: (f: Finding) => boolean;
}

export interface Verdict {
  check: string;
  result: 'ok' | 'warn' | 'FAIL' | 'skipped';
  ms: number;
  findings: string[];
  /** What the check measured, in its own words (the summary finding's numbers). */
  measured: string;
}

/** The numbers a check measured: its first warn+ finding, else its summary; the initial loss from its eval record. */
function measuredBy(check: string, mine: readonly Finding[], runDir: string): string {
  const pick =
    mine.find((f) => f.severity !== 'info') ?? mine.find((f) => /summary|passed|inconclusive|slowly/.test(f.code));
  if (pick) return pick.message;
  if (check !== 'initial loss') return '';
  const file = path.join(runDir, 'periodic-eval', 'evals.jsonl');
  const first = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n')[0] : '';
  const loss = first ? (JSON.parse(first) as { metrics?: Record<string, number> }).metrics?.['loss'] : undefined;
  return loss === undefined ? '' : `initial loss ${loss.toPrecision(4)}`;
}

/**
 * Times every listener a plugin registers, so the table can say how long each check took.
 * The plugin itself is untouched: it gets the same context with a timing bus.
 */
function timed(p: Plugin, clock: Map<string, number>): Plugin {
  return definePlugin({
    name: p.name,
    description: p.description,
    schema: p.schema,
    ...(p.order ? { order: p.order } : {}),
    setup(ctx: PluginContext<unknown>) {
      const bus = {
        on: ((event: never, listener: (e: unknown) => unknown, filter?: never) =>
          ctx.bus.on(
            event,
            ((e: unknown) => {
              // Sync events must stay sync: only a returned promise is awaited for the timing.
              const t0 = performance.now();
              const add = () => void clock.set(p.name, (clock.get(p.name) ?? 0) + performance.now() - t0);
              const out = listener(e);
              if (out && typeof (out as Promise<unknown>).then === 'function')
                return (out as Promise<unknown>).finally(add);
              add();
              return out;
            }) as never,
            filter,
          )) as PluginContext<unknown>['bus']['on'],
      };
      return p.setup({ ...ctx, bus } as PluginContext<unknown>);
    },
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects (arrays and values from `top` win). */
function merge(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(top))
    out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** The checks in order, with the config's own options for a plugin it already uses. */
function checks(r: ResolvedConfig): Check[] {
  // The config's own options for a plugin it uses, with the doctor's settings on top; defaults re-applied.
  const fromConfig = (p: Plugin, base: Record<string, unknown>) => {
    const own = r.plugins.find((x) => x.plugin.name === p.name);
    return validateOptions(p.schema, merge(own?.options ?? {}, base), p.name).options;
  };
  const list: Check[] = [
    {
      check: 'initial loss',
      plugin: periodicEval,
      options: fromConfig(periodicEval, {
        baseline: true,
        atEpochEnd: false,
        final: false,
        everySteps: 0,
        everyMinutes: 0,
        // auto: a task with its own evaluator (a game, no held-out set) is judged by it, not refused.
        evaluator: 'auto',
      }),
      owns: (f) => f.code === 'init-loss-unexpected',
    },
    {
      check: 'gradient check',
      plugin: gradientGuard,
      options: fromConfig(gradientGuard, { gradientCheck: { mode: 'directional', steps: [0] } }),
      owns: (f) => f.code.startsWith('gradient-check') || f.code.startsWith('nonfinite'),
    },
    {
      check: 'overfit tiny set',
      plugin: overfitProbe,
      options: fromConfig(overfitProbe, { lrRange: { steps: 100 } }),
      owns: (f) => ['cannot-overfit-tiny-set', 'tiny-set-fitting-slowly', 'overfit-probe-summary'].includes(f.code),
    },
    {
      check: 'learning-rate range',
      plugin: overfitProbe,
      options: {},
      owns: (f) => f.code.startsWith('learning-rate-'),
    },
    {
      check: 'input-independent baseline',
      plugin: overfitProbe,
      options: {},
      owns: (f) => f.code === 'model-ignores-input',
    },
    {
      check: 'simpler network',
      plugin: simplerBaseline,
      options: fromConfig(simplerBaseline, {}),
      owns: (f) => ['simpler-model-better', 'both-fail', 'simpler-baseline-summary'].includes(f.code),
    },
  ];
  const ref = r.plugins.find((x) => x.plugin.name === referenceCheck.name);
  if (ref)
    list.push({
      check: 'reference comparison',
      plugin: referenceCheck,
      options: { ...ref.options },
      owns: (f) => f.code.startsWith('reference-'),
    });
  return list;
}

/**
 * `trainwatch doctor`: a preflight of habits 1-6 before days of training. Runs the task with the
 * check plugins for a single step (the checks work at run:begin and on step 0) and returns a
 * verdict per check; findings, the report and a run directory are written like a run's.
 */
export async function doctor(
  r: ResolvedConfig,
  runDir: string | undefined,
  logSink: Parameters<typeof runTraining>[0]['logSink'],
) {
  const list = checks(r);
  const clock = new Map<string, number>();
  const seen = new Set<string>();
  const plugins: PluginUse[] = [];
  for (const c of list) {
    if (seen.has(c.plugin.name)) continue;
    seen.add(c.plugin.name);
    plugins.push({ plugin: timed(c.plugin, clock), options: c.options });
  }
  const config = structuredClone(r.config);
  config.training.epochs = 1;
  config.training.maxSteps = 1;
  const dir = runDir ?? defaultRunDir(config, `doctor-${r.task.name}`, false);
  const result = await runTraining({
    config,
    task: r.task,
    taskOptions: r.taskOptions,
    plugins,
    runDir: dir,
    ...(logSink ? { logSink } : {}),
  });
  const verdicts: Verdict[] = list.map((c) => {
    const mine = result.findings.filter((f) => f.plugin === c.plugin.name && (c.owns(f) || f.code === 'plugin-error'));
    const bad = mine.filter((f) => f.severity !== 'info');
    // A check ran when it left its own finding (the probes always summarise); the initial-loss
    // check says nothing when the loss is as expected, so its listener having run is the proof.
    const ran =
      c.check === 'input-independent baseline'
        ? result.findings.some((f) => f.code === 'overfit-probe-summary')
        : mine.some(c.owns) || (c.check === 'initial loss' && clock.has(c.plugin.name));
    const result_: Verdict['result'] = bad.some((f) => f.severity === 'error')
      ? 'FAIL'
      : bad.length
        ? 'warn'
        : ran
          ? 'ok'
          : 'skipped';
    const shared = c.check === 'input-independent baseline' || c.check === 'learning-rate range';
    return {
      check: c.check,
      result: result_,
      ms: shared ? 0 : (clock.get(c.plugin.name) ?? 0),
      findings: [...new Set(bad.map((f) => f.code))],
      measured: result_ === 'skipped' ? 'did not run (see the log)' : measuredBy(c.check, mine, result.runDir),
    };
  });
  return { result, verdicts };
}

/** The verdict table as text. */
export function verdictTable(vs: Verdict[]): string {
  const w = Math.max(...vs.map((v) => v.check.length), 5);
  const lines = [`${'check'.padEnd(w)}  result   time     finding / measured`];
  const time = (ms: number) => (!ms ? '-' : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);
  for (const v of vs)
    lines.push(
      `${v.check.padEnd(w)}  ${v.result.padEnd(7)}  ${time(v.ms).padEnd(7)}  ${[v.findings.join(', '), v.measured].filter(Boolean).join(': ') || '-'}`,
    );
  return lines.join('\n');
}
