/**
 * Plugin overhead: mnist-mlp with each plugin case vs the same run with no plugins, in one
 * process, alternating. Compares the loop's own per-step time (`batch:end.stepMs`: forward,
 * backward, listeners, readback, interceptors, update) and prints the median ratio per case.
 *
 *   npm run bench:plugins            ROUNDS=8 CASE=activation npm run bench:plugins
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin, describeParams, validateOptions, type PluginUse } from '@trainwatch/core';
import { runTraining, validateConfig } from '@trainwatch/core/runner';
import { activationMonitor } from '@trainwatch/activation-monitor';
import { gradientCheck, gradientGuard, type GradientGuardOptions } from '@trainwatch/gradient-guard';
import { mnistMlp } from '@trainwatch/tasks';

const ROUNDS = Number(process.env['ROUNDS'] ?? 6);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function stepMs(plugins: PluginUse[], dir: string): Promise<number> {
  const { config } = validateConfig({
    task: { use: 'mnist-mlp' },
    training: { backend: 'wasm', epochs: 1 },
    output: { events: false },
  });
  const taskOptions = validateOptions(mnistMlp.schema, {}, 'task.options').options;
  const times: number[] = [];
  await runTraining({
    config,
    task: mnistMlp,
    taskOptions,
    plugins,
    runDir: dir,
    logSink: () => {},
    onBus: (bus) => void bus.on('batch:end', (e) => void (e.step > 5 && times.push(e.stepMs))),
  });
  // The median step: robust to garbage-collection pauses that land in one run and not the other.
  return median(times);
}

interface Case {
  name: string;
  plugins: PluginUse[];
  target: number;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  const load = (
    plugin: typeof gradientGuard | typeof activationMonitor,
    options: Record<string, unknown>,
  ): PluginUse[] => [{ plugin, options: validateOptions(plugin.schema, options, 'o').options }];
  const cases: Case[] = [
    { name: 'gradient-guard (defaults)', plugins: load(gradientGuard, {}), target: 1.05 },
    { name: 'activation-monitor (every 10)', plugins: load(activationMonitor, {}), target: 1.03 },
    { name: 'activation-monitor (every 1)', plugins: load(activationMonitor, { every: 1 }), target: 1.1 },
  ];
  const only = process.env['CASE'];
  console.log(
    `plugin overhead: mnist-mlp 784-128-64-10, Adam, batch 64, 8000 examples, 1 epoch per run, ${ROUNDS} rounds per case, median step time`,
  );
  await stepMs([], path.join(tmp, 'warm'));
  const bare: number[] = [];
  for (const c of cases.filter((x) => !only || x.name.includes(only))) {
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which run goes first so drift (heat, GC) does not favour one side.
      const first = r % 2 === 0;
      const a = first ? await stepMs([], path.join(tmp, `b${r}`)) : 0;
      const g = await stepMs(c.plugins, path.join(tmp, `g${r}`));
      const b = first ? a : await stepMs([], path.join(tmp, `b${r}`));
      ratios.push(g / b);
      bare.push(b);
    }
    const m = median(ratios);
    console.log(
      `${c.name.padEnd(30)} x${m.toFixed(3)} (rounds ${ratios.map((x) => x.toFixed(3)).join(' ')})  target <= ${c.target}${m <= c.target ? '' : '  ABOVE TARGET'}`,
    );
  }
  await checkCost(path.join(tmp, 'check'), median(bare));
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Times one directional gradient check at step 10 against forward passes of the same 8-sample batch and against a training step. */
async function checkCost(dir: string, stepMs: number): Promise<void> {
  const o = validateOptions(gradientGuard.schema, {}, 'o').options as GradientGuardOptions;
  let line = '';
  const timer = definePlugin({
    name: 'check-timer',
    setup: (ctx) =>
      void ctx.bus.on('grads:computed', (e) => {
        if (e.step !== 10) return;
        const weights = new Map(describeParams(ctx.model).variables.map((v) => [v.name, v as never]));
        const time = (f: () => unknown, n: number) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) f();
          return (performance.now() - t0) / n;
        };
        const fwd = e.probe.subset(o.gradientCheck.samples, (p) => time(() => p.loss(), 50));
        const g = o.gradientCheck;
        const check = time(() => gradientCheck(e.probe, e.params, weights, { ...g, mode: 'directional' }), 5);
        line = `one directional gradient check (6 variables, ${g.samples} samples): ${check.toFixed(1)} ms = ${(check / fwd).toFixed(0)} forward passes of its batch (${fwd.toFixed(2)} ms each), ${(check / stepMs).toFixed(1)} training steps`;
      }),
  });
  const { config } = validateConfig({
    task: { use: 'mnist-mlp' },
    training: { backend: 'wasm', epochs: 1, maxSteps: 12 },
    output: { events: false },
  });
  await runTraining({
    config,
    task: mnistMlp,
    taskOptions: validateOptions(mnistMlp.schema, {}, 't').options,
    plugins: [{ plugin: timer, options: {} }],
    runDir: dir,
    logSink: () => {},
  });
  console.log(line);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
