/**
 * Plugin overhead: mnist-mlp with gradient-guard at its defaults vs the same run with no plugins,
 * in one process, alternating. Compares the loop's own per-step time (`batch:end.stepMs`: forward,
 * backward, listeners, readback, interceptors, update) and prints the median ratio (aim: <= 1.05).
 *
 *   npm run bench:plugins            ROUNDS=6 npm run bench:plugins
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTraining, validateConfig, validateOptions, type LoadedPlugin } from '@trainwatch/core';
import { gradientGuard } from '@trainwatch/gradient-guard';
import { mnistMlp } from '@trainwatch/tasks';

const ROUNDS = Number(process.env['ROUNDS'] ?? 4);

async function stepMs(plugins: LoadedPlugin[], dir: string): Promise<number> {
  const { config } = validateConfig({ task: { use: 'mnist-mlp' }, training: { backend: 'wasm', epochs: 1 }, output: { events: false } });
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
  return times.reduce((a, b) => a + b, 0) / times.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  const guard: LoadedPlugin[] = [{ plugin: gradientGuard, options: validateOptions(gradientGuard.schema, {}, 'o').options }];
  console.log(`plugin overhead: mnist-mlp 784-128-64-10, Adam, batch 64, 8000 examples, 1 epoch per run, ${ROUNDS} rounds`);
  await stepMs([], path.join(tmp, 'warm'));
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0;
    const a = first ? await stepMs([], path.join(tmp, `b${r}`)) : 0;
    const g = await stepMs(guard, path.join(tmp, `g${r}`));
    const b = first ? a : await stepMs([], path.join(tmp, `b${r}`));
    ratios.push(g / b);
    console.log(`round ${r + 1}: no plugins ${b.toFixed(2)} ms/step  gradient-guard ${g.toFixed(2)} ms/step  (x${(g / b).toFixed(3)})`);
  }
  console.log(`median ratio gradient-guard/no plugins: ${median(ratios).toFixed(3)}  target <= 1.05`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
