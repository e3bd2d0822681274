/**
 * A long run (10,000 steps of mnist-mlp with the default four plugins and events.jsonl on, as the
 * CLI writes it): tensors alive every 1,000 steps, steps/s of the first and the last 1,000 steps,
 * events.jsonl bytes per step, and the process RSS. What must hold: tensors flat, the last 1,000
 * within 5% of the first, and the file bounded.
 *
 *   npm run bench:long       STEPS=20000 npm run bench:long       BENCH_SMOKE=1 (300 steps)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateOptions, type Plugin, type PluginUse } from '@trainwatch/core';
import { runTraining, validateConfig } from '@trainwatch/core/runner';
import { tensorCounter } from '@trainwatch/core/testing';
import { activationMonitor } from '@trainwatch/activation-monitor';
import { gradientGuard } from '@trainwatch/gradient-guard';
import { periodicEval } from '@trainwatch/periodic-eval';
import { qualitativeSampler } from '@trainwatch/qualitative-sampler';
import { mnistMlp } from '@trainwatch/tasks';
import { SMOKE } from './harness';

const STEPS = SMOKE ? 300 : Number(process.env['STEPS'] ?? 10_000);
const EVERY = STEPS / 10;

const use = (plugin: Plugin<never>): PluginUse => ({
  plugin: plugin as Plugin<unknown>,
  options: validateOptions(plugin.schema, {}, plugin.name).options,
});

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-long-'));
  const runDir = path.join(dir, 'run');
  const marks = Array.from({ length: 10 }, (_, i) => Math.round((i + 1) * EVERY) - 1);
  const counter = tensorCounter(marks);
  const rss: number[] = [];
  const { config } = validateConfig({
    task: { use: 'mnist-mlp' },
    training: { backend: 'wasm', epochs: 1000, batchSize: 64, maxSteps: STEPS },
    output: { report: false },
  });
  const t0 = performance.now();
  const r = await runTraining({
    config,
    task: mnistMlp,
    taskOptions: validateOptions(mnistMlp.schema, {}, 'task.options').options,
    plugins: [use(gradientGuard), use(activationMonitor), use(periodicEval), use(qualitativeSampler), counter.use],
    runDir,
    logSink: () => {},
    onBus: (bus) => bus.on('batch:end', (e) => void (marks.includes(e.step) && rss.push(process.memoryUsage().rss))),
  });
  const wall = (performance.now() - t0) / 1000;
  const lines = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8').trim().split('\n');
  const t = new Map<number, number>();
  for (const l of lines) {
    if (!l.startsWith('{"event":"batch:end"')) continue;
    const e = JSON.parse(l) as { step: number; t: number };
    t.set(e.step, e.t);
  }
  const window = Math.round(EVERY);
  const rate = (from: number) => (window / (t.get(from + window - 1)! - t.get(from)!)) * 1000;
  const first = rate(0);
  const last = rate(STEPS - window);
  const bytes = fs.statSync(path.join(runDir, 'events.jsonl')).size;
  console.log(`${STEPS} steps of mnist-mlp with the default four plugins: ${r.status} in ${wall.toFixed(0)} s`);
  console.log(
    `tensors alive at steps ${marks.map((s) => s + 1).join(', ')}: ${marks.map((s) => counter.at(s)).join(', ')}`,
  );
  console.log(
    `steps/s: first ${window} ${first.toFixed(1)}, last ${window} ${last.toFixed(1)} (last/first x${(last / first).toFixed(3)})`,
  );
  console.log(
    `events.jsonl: ${bytes} bytes, ${(bytes / STEPS).toFixed(0)} bytes per step (epoch, evaluation and finding lines included)`,
  );
  const windows = marks.map((m) => rate(m + 1 - window).toFixed(1));
  console.log(`steps/s per ${window} steps: ${windows.join(', ')}`);
  console.log(`RSS MB at those steps: ${rss.map((b) => (b / 2 ** 20).toFixed(0)).join(', ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
