/**
 * fit() vs the CLI's loop on the same model and data (mnist-mlp, 8,000 real digits), no plugins,
 * in one process, alternating call by call so both see the same machine state. Each call is timed
 * whole (what a user waits for, including fit's option checks and run setup) and per step; the
 * ratio is fit / CLI loop.
 *
 *   npm run bench:fit --workspace @trainwatch/bench        ROUNDS=7 for more rounds
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineTask, tf, type TensorDataset } from '@trainwatch/core';
import { runTraining, selectBackend, validateConfig } from '@trainwatch/core/runner';
import { mnistMlp } from '@trainwatch/tasks';
import { fit } from 'trainwatch';
import { SMOKE } from './harness';

const ROUNDS = SMOKE ? 1 : Number(process.env['ROUNDS'] ?? 5);
const log = { debug() {}, info() {}, warn() {}, error() {} };
const silent = () => {};

async function main() {
  await selectBackend('wasm');
  const made = await mnistMlp.create(
    { validationFraction: 0.2, hidden: [128, 64], activation: 'relu' },
    { seed: 1, log },
  );
  const data = made.train as TensorDataset;
  made.model.dispose();
  const fresh = async () =>
    (
      await mnistMlp.create(
        { validationFraction: 0.2, hidden: [128, 64], activation: 'relu', limit: 10 },
        { seed: 1, log },
      )
    ).model;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-fit-'));
  const { config } = validateConfig({
    task: { use: 'bench' },
    training: { backend: 'wasm', epochs: 1, batchSize: 64 },
    output: { report: false },
  });
  const rows: { cli: number; fit: number; steps: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const m1 = await fresh();
    const t0 = performance.now();
    const cli = await runTraining({
      config,
      task: defineTask({
        name: 'bench',
        create: () => ({ model: m1, loss: 'categoricalCrossentropy', train: data, borrowed: true }),
      }),
      taskOptions: {},
      plugins: [],
      runDir: path.join(dir, `cli-${r}`),
      logSink: silent,
    });
    const cliMs = performance.now() - t0;
    const m2 = await fresh();
    const t1 = performance.now();
    await fit(m2, data.x, data.y, {
      epochs: 1,
      batchSize: 64,
      loss: 'categoricalCrossentropy',
      backend: 'wasm',
      out: path.join(dir, `fit-${r}`),
      quiet: true,
      report: false,
    });
    const fitMs = performance.now() - t1;
    rows.push({ cli: cliMs / cli.summary.steps, fit: fitMs / cli.summary.steps, steps: cli.summary.steps });
    console.log(
      `round ${r + 1}: CLI loop ${(cliMs / cli.summary.steps).toFixed(2)} ms/step, fit ${(fitMs / cli.summary.steps).toFixed(2)} ms/step, x${(fitMs / cliMs).toFixed(3)}`,
    );
    m1.dispose();
    m2.dispose();
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratios = rows.map((x) => x.fit / x.cli);
  console.log(
    `fit vs CLI loop, mnist-mlp, ${rows[0]!.steps} steps per call, median of ${ROUNDS}: ${med(rows.map((x) => x.cli)).toFixed(2)} vs ${med(rows.map((x) => x.fit)).toFixed(2)} ms/step, ratio x${med(ratios).toFixed(3)} (rounds x${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)})`,
  );
  tf.dispose([data.x, data.y]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
