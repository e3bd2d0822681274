/**
 * Plugin overhead: 3-epoch runs of mnist-mlp and mnist-cnn with each plugin, the default four
 * together and everything at every step, each case against the same run with no plugins, two arms
 * at a time (paired-runs.ts): the two runs of a round run concurrently in one process, taking turns
 * every few steps, timed in the same sequence of blocks. The ratio of total times (steady state:
 * epochs 2-3, every step and epoch end; the steps and the epoch ends apart; whole runs) comes with
 * a 95% interval from a bootstrap over rounds and the blocks within them; a verdict only when it
 * clears the target. Then the cost of one gradient check and of the run-once plugins.
 *
 *   npm run bench:plugins        ROUNDS=5 CASE=activation MODEL=mlp npm run bench:plugins      BENCH_SMOKE=1 (one short round)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  definePlugin,
  describeParams,
  validateOptions,
  type Plugin,
  type PluginUse,
  type Task,
} from '@trainwatch/core';
import { runTraining, validateConfig } from '@trainwatch/core/runner';
import { activationMonitor } from '@trainwatch/activation-monitor';
import { gradientCheck, gradientGuard, type GradientGuardOptions } from '@trainwatch/gradient-guard';
import { periodicEval } from '@trainwatch/periodic-eval';
import { qualitativeSampler } from '@trainwatch/qualitative-sampler';
import { overfitProbe } from '@trainwatch/overfit-probe';
import { referenceCheck } from '@trainwatch/reference-check';
import { simplerBaseline } from '@trainwatch/simpler-baseline';
import { mnistCnn, mnistMlp } from '@trainwatch/tasks';
import { pairedSummaries, report, SMOKE, type Sample, type Target } from './harness';
import { comparePair, EPOCHS, ROUNDS } from './paired-runs';

const use = (plugin: Plugin<never>, options: Record<string, unknown> = {}): PluginUse => ({
  plugin: plugin as Plugin<unknown>,
  options: validateOptions(plugin.schema, options, plugin.name).options,
});

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  const defaults = () => [use(gradientGuard), use(activationMonitor), use(periodicEval), use(qualitativeSampler)];
  // `extra`: run only when CASE names it (no target; it shows what evaluating every 10 steps costs).
  const cases: { name: string; plugins: () => PluginUse[]; target: number; extra?: boolean }[] = [
    { name: 'gradient-guard', plugins: () => [use(gradientGuard)], target: 1.05 },
    { name: 'activation-monitor', plugins: () => [use(activationMonitor)], target: 1.03 },
    { name: 'periodic-eval', plugins: () => [use(periodicEval)], target: 1.05 },
    { name: 'qualitative-sampler', plugins: () => [use(qualitativeSampler)], target: 1.05 },
    { name: 'the default four', plugins: defaults, target: 1.05 },
    {
      // The per-step plugins at every step; the evaluators keep their epoch-end cadence (an
      // evaluation is a pass over the held-out set, not per-step instrumentation).
      name: 'all at every step',
      plugins: () => [
        use(gradientGuard, { every: 1, updateRatio: { every: 1 } }),
        use(activationMonitor, { every: 1 }),
        use(periodicEval),
        use(qualitativeSampler),
      ],
      target: 1.15,
    },
    {
      name: 'all, evaluating every 10 steps',
      plugins: () => [
        use(gradientGuard, { every: 1, updateRatio: { every: 1 } }),
        use(activationMonitor, { every: 1 }),
        use(periodicEval, { everySteps: 10 }),
        use(qualitativeSampler, { every: 10 }),
      ],
      target: 0,
      extra: true,
    },
  ];
  const only = process.env['CASE'];
  const models: { name: string; task: Task; options: Record<string, unknown> }[] = [
    { name: 'mnist-mlp', task: mnistMlp as unknown as Task, options: SMOKE ? { limit: 500 } : {} },
    { name: 'mnist-cnn', task: mnistCnn as unknown as Task, options: { limit: SMOKE ? 300 : 2000 } },
  ];
  console.log(
    `plugin overhead: each case against no plugins, two arms at a time (${ROUNDS} rounds of ${EPOCHS}-epoch runs, the two runs of a round concurrent, taking turns every few steps: mnist-mlp 5, mnist-cnn 1); intervals from a bootstrap over rounds and the blocks within them${SMOKE ? ' (smoke: no verdicts)' : ''}`,
  );
  let n = 0;
  for (const m of models.filter((x) => !process.env['MODEL'] || x.name.includes(process.env['MODEL']))) {
    for (const c of cases.filter((x) => (only ? x.name.includes(only) : !x.extra))) {
      const parts = await comparePair(m, c.plugins, (label) => path.join(tmp, `${label}-${n++}`));
      console.log(`${m.name}, ${c.name} vs no plugins:`);
      const line = (label: string, blocks: Sample[][], round: number[], unit: string, first?: { target?: Target }) => {
        const lines = report(pairedSummaries(['no plugins', label], blocks, round), unit, [undefined, first?.target]);
        for (const l of first ? lines : lines.slice(1)) console.log(`  ${l}`);
      };
      // The verdict is the steady state's (every step and epoch end); the parts follow without one.
      const target = c.target > 0 ? { ratio: c.target } : undefined;
      line(`steady${EPOCHS > 1 ? ` (epochs 2-${EPOCHS})` : ''}`, parts.steady, parts.steadyRound, 'step', { target });
      line('the steps alone', parts.steps, parts.stepsRound, 'step');
      if (parts.ends[0]!.length > 0) line('the epoch ends alone', parts.ends, parts.endsRound, 'epoch end');
      line('whole runs (with setup)', parts.whole, parts.wholeRound, 'step');
    }
  }
  await checkCost(path.join(tmp, 'check'));
  await onceCost(tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Times one directional gradient check at step 10 against forward passes of the same 8-sample batch. */
async function checkCost(dir: string): Promise<void> {
  const o = validateOptions(gradientGuard.schema, {}, 'o').options as GradientGuardOptions;
  let line = '';
  const timer = definePlugin({
    name: 'check-timer',
    setup: (ctx) =>
      void ctx.bus.on('grads:computed', (e) => {
        if (e.step !== 10) return;
        const weights = new Map(describeParams(ctx.model).variables.map((v) => [v.name, v as never]));
        const time = (f: () => unknown, k: number) => {
          const t0 = performance.now();
          for (let i = 0; i < k; i++) f();
          return (performance.now() - t0) / k;
        };
        const fwd = e.probe.subset(o.gradientCheck.samples, (p) => time(() => p.loss(), SMOKE ? 2 : 50));
        const g = o.gradientCheck;
        const check = time(
          () => gradientCheck(e.probe, e.params, weights, { ...g, mode: 'directional' }),
          SMOKE ? 1 : 5,
        );
        line = `one directional gradient check (${g.samples} samples): ${check.toFixed(1)} ms = ${(check / fwd).toFixed(0)} forward passes of its batch (${fwd.toFixed(2)} ms each)`;
      }),
  });
  const { config } = validateConfig({
    task: { use: 'mnist-mlp' },
    training: { backend: 'wasm', epochs: 1, maxSteps: 12 },
    output: { events: false, report: false },
  });
  await runTraining({
    config,
    task: mnistMlp,
    taskOptions: validateOptions(mnistMlp.schema, SMOKE ? { limit: 1000 } : {}, 't').options,
    plugins: [{ plugin: timer, options: {} }],
    runDir: dir,
    logSink: () => {},
  });
  console.log(line);
}

/**
 * The run-once plugins (habits 4-6 work at run:begin on copies of the model): the extra seconds a
 * one-step mnist-mlp run takes with each, median over rounds in turn with the plugin-free run.
 */
async function onceCost(tmp: string): Promise<void> {
  const arms: [string, () => PluginUse[]][] = [
    ['no plugins', () => []],
    ['overfit-probe', () => [use(overfitProbe)]],
    ['simpler-baseline', () => [use(simplerBaseline)]],
    ['reference-check (backend)', () => [use(referenceCheck, { reference: 'backend' })]],
  ];
  const rounds = SMOKE ? 1 : 3;
  const secs: number[][] = arms.map(() => []);
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, plugins]] of arms.entries()) {
      const { config } = validateConfig({
        task: { use: 'mnist-mlp' },
        training: { backend: 'wasm', epochs: 1, maxSteps: 1 },
        output: { events: false, report: false },
      });
      const t0 = performance.now();
      await runTraining({
        config,
        task: mnistMlp,
        taskOptions: validateOptions(mnistMlp.schema, SMOKE ? { limit: 500 } : {}, 't').options,
        plugins: plugins(),
        runDir: path.join(tmp, `once-${n++}`),
        logSink: () => {},
      });
      secs[i]!.push((performance.now() - t0) / 1000);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const base = med(secs[0]!);
  console.log(`run-once plugins (mnist-mlp, one-step runs, median of ${rounds}): extra seconds at run begin`);
  for (const [i, [name]] of arms.entries())
    if (i > 0) console.log(`  ${name.padEnd(28)} +${(med(secs[i]!) - base).toFixed(2)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
