/**
 * Plugin overhead: 3-epoch runs of mnist-mlp and mnist-cnn with each plugin, the default four
 * together and everything at every step, against the same run with no plugins. The arms of a round
 * run concurrently in one process, taking turns every few steps (one runs at a time), so they are
 * measured within a second of each other; each arm's run is timed in the same sequence of blocks,
 * and the ratio of total times (steady state: epochs 2-3, every step and epoch end; and whole runs)
 * comes with a paired-bootstrap 95% interval; a verdict only when it clears the target. Then the
 * cost of one gradient check and of the run-once plugins.
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
import { pairedSummaries, report, SMOKE, type Sample } from './harness';
import { Turns } from './turns';

const ROUNDS = SMOKE ? 1 : Number(process.env['ROUNDS'] ?? 3);

const use = (plugin: Plugin<never>, options: Record<string, unknown> = {}): PluginUse => ({
  plugin: plugin as Plugin<unknown>,
  options: validateOptions(plugin.schema, options, plugin.name).options,
});

const EPOCHS = SMOKE ? 1 : 3;
/**
 * Steps per turn: each arm runs this many steps, then hands over to the next (about 80 ms of
 * mnist-mlp, 40 ms of mnist-cnn, whose 2-epoch steady state is only 50 steps a round).
 */
const BLOCK = { 'mnist-mlp': 5, 'mnist-cnn': 1 } as Record<string, number>;

/** One arm's timed segments, in order: the same sequence for every arm of a round (matched blocks). */
interface Segments {
  all: Sample[];
  /** Index in `all` of the first steady segment (from the second epoch's begin). */
  steadyFrom: number;
  /** Indexes in `all` of the segments holding only an epoch's end (validation, epoch:end listeners). */
  epochEnds: number[];
}

/**
 * One run of an arm, taking turns with the round's other arms (`turns`): timed from run:begin to
 * run:end in segments closed at every BLOCK-th step's end (where it hands over) and at the second
 * epoch's begin. Setup is outside the timing.
 */
async function interleavedRun(
  task: Task,
  taskOptions: Record<string, unknown>,
  plugins: PluginUse[],
  dir: string,
  turns: Turns,
  i: number,
): Promise<Segments> {
  const { config } = validateConfig({
    task: { use: task.name },
    training: { backend: 'wasm', epochs: EPOCHS, batchSize: 64, ...(SMOKE ? { maxSteps: 3 } : {}) },
    output: { events: false, report: false },
  });
  const block = BLOCK[task.name] ?? 5;
  const out: Segments = { all: [], steadyFrom: -1, epochEnds: [] };
  let t = 0;
  let c = process.cpuUsage();
  let step = 0;
  const start = () => {
    t = performance.now();
    c = process.cpuUsage();
  };
  const close = (upTo: number) => {
    const cpu = process.cpuUsage(c);
    out.all.push({ units: upTo - step, wallMs: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000 });
    step = upTo;
  };
  await runTraining({
    config,
    task,
    taskOptions: validateOptions(task.schema, taskOptions, 'task.options').options,
    plugins,
    runDir: dir,
    logSink: () => {},
    onBus: (bus) => {
      // Registered before the plugins: these run first at each event.
      bus.on('run:begin', async () => {
        await turns.ready(i);
        start();
      });
      // The last step of an epoch ends a block (the epoch lengths are multiples of BLOCK), so the
      // segment to the next epoch's begin (or to run:end) holds the epoch's end alone.
      bus.on('epoch:begin', (e) => {
        if (e.epoch === 0) return;
        if (step === e.step) out.epochEnds.push(out.all.length);
        close(e.step);
        if (e.epoch === 1) out.steadyFrom = out.all.length;
        start();
      });
      bus.on('batch:end', async (e) => {
        if ((e.step + 1) % block !== 0) return;
        close(e.step + 1);
        await turns.pass(i);
        start();
      });
      bus.on('run:end', (e) => {
        if (step === e.step) out.epochEnds.push(out.all.length);
        close(e.step);
      });
    },
  });
  turns.leave(i);
  return out;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  const defaults = () => [use(gradientGuard), use(activationMonitor), use(periodicEval), use(qualitativeSampler)];
  const cases: { name: string; plugins: () => PluginUse[]; target: number }[] = [
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
    },
  ];
  const only = process.env['CASE'];
  const models: { name: string; task: Task; options: Record<string, unknown> }[] = [
    { name: 'mnist-mlp', task: mnistMlp as unknown as Task, options: SMOKE ? { limit: 500 } : {} },
    { name: 'mnist-cnn', task: mnistCnn as unknown as Task, options: { limit: SMOKE ? 300 : 2000 } },
  ];
  console.log(
    `plugin overhead: ${EPOCHS}-epoch runs, steady state (epochs 2 on) and whole, ${ROUNDS} rounds, the arms of a round concurrent, taking turns every few steps (mnist-mlp 5, mnist-cnn 1)${SMOKE ? ' (smoke: no verdicts)' : ''}`,
  );
  let n = 0;
  for (const m of models.filter((x) => !process.env['MODEL'] || x.name.includes(process.env['MODEL']))) {
    const chosen = cases.filter((c) => !only || c.name.includes(only));
    const arms: { name: string; plugins: () => PluginUse[] }[] = [
      { name: `${m.name}: no plugins`, plugins: () => [] as PluginUse[] },
      ...chosen.map((c) => ({ name: `${m.name}: ${c.name}`, plugins: c.plugins })),
    ];
    const steady: Sample[][] = arms.map(() => []);
    const whole: Sample[][] = arms.map(() => []);
    // The steady segments apart: blocks of steps, and epoch ends (counted as one unit each).
    const steps: Sample[][] = arms.map(() => []);
    const ends: Sample[][] = arms.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      const turns = new Turns(arms.length);
      const runs = await Promise.all(
        arms.map((a, i) => interleavedRun(m.task, m.options, a.plugins(), path.join(tmp, `run-${n++}`), turns, i)),
      );
      const lengths = new Set(runs.map((x) => `${x.all.length}/${x.steadyFrom}/${x.epochEnds.join(',')}`));
      if (lengths.size !== 1) throw new Error(`${m.name}: arms ran different segments (${[...lengths].join(', ')})`);
      runs.forEach((x, i) => {
        whole[i]!.push(...x.all);
        const from = Math.max(0, x.steadyFrom);
        steady[i]!.push(...x.all.slice(from));
        x.all.forEach((seg, k) => {
          if (k < from) return;
          if (x.epochEnds.includes(k)) ends[i]!.push({ ...seg, units: 1 });
          else steps[i]!.push(seg);
        });
      });
    }
    const names = arms.map((a) => a.name);
    const targets = [undefined, ...chosen.map((c) => (c.target > 0 ? { ratio: c.target } : undefined))];
    console.log(`${m.name}, steady (epochs 2-${EPOCHS}: every step and epoch end; the targets):`);
    for (const line of report(pairedSummaries(names, steady), 'step', targets)) console.log(line);
    console.log(`${m.name}, steady, the steps alone (epoch ends left out):`);
    for (const line of report(pairedSummaries(names, steps), 'step')) console.log(line);
    if (ends[0]!.length > 0) {
      console.log(`${m.name}, steady, the epoch ends alone (validation, epoch:end listeners; ms per epoch end):`);
      for (const line of report(pairedSummaries(names, ends), 'epoch end')) console.log(line);
    }
    console.log(`${m.name}, whole runs (one-time work at run begin and step 0 included; no target):`);
    for (const line of report(pairedSummaries(names, whole), 'step')) console.log(line);
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
