/**
 * Loop overhead (the framework tax): a hand-written `tf.variableGrads` loop vs trainwatch's Trainer
 * with no plugins, without and with events.jsonl, on a tiny model (4-16-3, where microseconds show)
 * and on mnist-mlp, in one process. The arms run concurrently and take turns every few steps (one
 * runs at a time; turns.ts), so they are timed within a fraction of a second of each other and
 * the machine's drift hits every arm alike; the k-th block of every arm holds the same steps.
 * Prints ms/step (wall and CPU), the ratio of total times with its 95% interval (a bootstrap over
 * runs of consecutive blocks and the blocks within them) and the extra microseconds per step; a
 * verdict only when the interval clears the target.
 *
 * Both loops build batches the same way (`hostRows`, rows copied from a host array); a fourth arm
 * shows what `tf.gather` batches cost the hand-written loop.
 *
 *   npm run bench:loop      STEPS=0.33 npm run bench:loop (a third of the steps)      BENCH_SMOKE=1 (a few steps, no verdict)
 *   MODEL=tiny (or mlp) npm run bench:loop: one model only
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { permutation, createRng, resolveLoss, tf, type LossFn, type TensorDataset } from '@trainwatch/core';
import {
  EventBus,
  EventRecorder,
  hostRows,
  InterceptorChain,
  RunControl,
  selectBackend,
  Trainer,
} from '@trainwatch/core/runner';
import { mnistMlp } from '@trainwatch/tasks';
import { pairedSummaries, report, SMOKE, type Sample } from './harness';
import { Turns, TurnTimer } from './turns';

/**
 * `STEPS`: a multiple of the default number of steps per arm. The defaults (49,152 tiny and 4,608
 * MLP steps, ~17 minutes in all) are what it takes to tell a 15 us tax from the 50 us target on this
 * 2-core machine: at a third of them the tiny model's interval was +-2.5% (+-35 us).
 */
const SCALE = Number(process.env['STEPS'] ?? 1);
if (!(SCALE > 0)) {
  console.error(`STEPS must be a number above 0, got "${process.env['STEPS']}"`);
  process.exit(2);
}

const log = { debug() {}, info() {}, warn() {}, error() {} };

interface Setup {
  name: string;
  model: tf.LayersModel;
  train: TensorDataset;
  optimizer: tf.Optimizer;
  lossFn: LossFn;
  batch: number;
  /** Steps each arm runs (timed), and steps per turn. */
  steps: number;
  block: number;
  target: { ratio?: number; extraUs?: number };
}

async function mlpSetup(): Promise<Setup> {
  const task = await mnistMlp.create(
    { validationFraction: 0.2, hidden: [128, 64], activation: 'relu', ...(SMOKE ? { limit: 300 } : {}) },
    { seed: 1, log },
  );
  const train = task.train as TensorDataset; // mnist-mlp holds its examples in memory
  const lossFn = resolveLoss(task.loss);
  return {
    name: 'mnist-mlp 784-128-64-10',
    model: task.model,
    train,
    optimizer: tf.train.adam(0.001),
    lossFn,
    batch: 64,
    steps: SMOKE ? 6 : Math.round(4608 * SCALE),
    block: SMOKE ? 2 : 4,
    target: { ratio: 1.02 },
  };
}

function tinySetup(): Setup {
  const n = 16384;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [4], activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const train = tf.tidy(() => ({
    x: tf.randomNormal([n, 4], 0, 1, 'float32', 1),
    y: tf.oneHot(tf.randomUniform([n], 0, 3, 'int32', 2), 3).toFloat(),
  }));
  const lossFn = resolveLoss('categoricalCrossentropy');
  return {
    name: 'tiny 4-16-3',
    model,
    train,
    optimizer: tf.train.adam(0.001),
    lossFn,
    batch: 32,
    steps: SMOKE ? 30 : Math.round(49152 * SCALE),
    block: SMOKE ? 3 : 32,
    target: { extraUs: 50 },
  };
}

/** The baseline a careful user would write by hand: a batch, variableGrads, apply, read the loss. */
async function bareRun(s: Setup, batches: 'host' | 'gather', timer: TurnTimer): Promise<void> {
  const n = s.train.x.shape[0]!;
  const vars = s.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const [hx, hy] = [hostRows(s.train.x), hostRows(s.train.y)];
  const rng = createRng(1);
  await timer.ready();
  for (let done = 0; done < s.steps;) {
    const order = permutation(n, rng);
    for (let i = 0; done < s.steps && i < n; i += s.batch) {
      const idx = order.subarray(i, Math.min(i + s.batch, n));
      const [xb, yb] =
        batches === 'host'
          ? [hx.gather(idx), hy.gather(idx)]
          : tf.tidy(() => {
              const ix = tf.tensor1d(idx, 'int32');
              return [tf.gather(s.train.x, ix), tf.gather(s.train.y, ix)];
            });
      const { value, grads } = tf.variableGrads(
        () => s.lossFn(yb!, s.model.apply(xb!, { training: true }) as tf.Tensor),
        vars,
      );
      s.optimizer.applyGradients(grads as tf.NamedTensorMap as never);
      await value.data();
      tf.dispose([xb!, yb!, value, ...Object.values(grads)]);
      done++;
      const turn = timer.tick();
      if (turn) await turn;
    }
  }
  timer.finish();
}

/** trainwatch's Trainer, no plugins (with `recordTo`: the event recorder writing events.jsonl, as every CLI run does). */
async function trainwatchRun(s: Setup, timer: TurnTimer, recordTo?: string): Promise<void> {
  const bus = new EventBus();
  const recorder = recordTo ? new EventRecorder(recordTo, bus) : undefined;
  bus.on('run:begin', () => timer.ready());
  bus.on('batch:end', () => timer.tick());
  const trainer = new Trainer({
    runId: 'bench',
    task: s.name,
    backend: tf.getBackend(),
    model: s.model,
    loss: s.lossFn,
    metrics: [],
    optimizer: s.optimizer,
    train: s.train,
    epochs: Math.ceil((s.steps * s.batch) / s.train.x.shape[0]!),
    maxSteps: s.steps,
    batchSize: s.batch,
    seed: 1,
    bus,
    interceptors: new InterceptorChain(() => {}),
    control: new RunControl(),
  });
  await trainer.run();
  timer.finish();
  recorder?.close();
}

async function bench(s: Setup, tmp: string): Promise<void> {
  const file = path.join(tmp, `${s.name.split(' ')[0]}.jsonl`);
  console.log(
    `\n${s.name}, Adam, batch ${s.batch}, ${s.train.x.shape[0]} examples; ${s.steps} steps per arm, taking turns every ${s.block}`,
  );
  const arms: [string, (t: TurnTimer) => Promise<void>][] = [
    ['hand-written loop', (t) => bareRun(s, 'host', t)],
    ['trainwatch, no plugins', (t) => trainwatchRun(s, t)],
    ['trainwatch + events.jsonl', (t) => trainwatchRun(s, t, file)],
    ['hand-written, tf.gather batches', (t) => bareRun(s, 'gather', t)],
    // The same loop as the baseline again: how far apart the harness puts two identical arms.
    ['hand-written loop again (A/A)', (t) => bareRun(s, 'host', t)],
  ];
  const turns = new Turns(arms.length);
  const timers = arms.map((_, i) => new TurnTimer(turns, i, s.block));
  await Promise.all(arms.map(([, run], i) => run(timers[i]!)));
  // The first tenth of the blocks warms kernels, allocations and host copies: left out.
  const blocks = timers.map((t) => t.segments.slice(Math.floor(t.segments.length / 10)));
  const lengths = new Set(blocks.map((b) => b.map((x: Sample) => x.units).join()));
  if (lengths.size !== 1) throw new Error(`${s.name}: the arms ran different blocks`);
  // Runs of 16 consecutive blocks are the bootstrap's outer level: the machine drifts over seconds.
  const runOf = blocks[0]!.map((_, k) => Math.floor(k / 16));
  const summaries = pairedSummaries(
    arms.map(([name]) => name),
    blocks,
    runOf,
  );
  for (const line of report(summaries, 'step', [undefined, s.target, s.target])) console.log(line);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const steps = lines.filter((l) => l.includes('"batch:end"'));
  const bytes = steps.reduce((a, l) => a + l.length + 1, 0);
  console.log(`events.jsonl: ${(bytes / steps.length).toFixed(0)} bytes per step line (no plugins)`);
}

async function main() {
  const backend = await selectBackend((process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  console.log(`loop overhead on ${backend.name}${SMOKE ? ' (smoke: no verdicts)' : ''}`);
  const before = tf.memory().numTensors;
  const only = process.env['MODEL'];
  if (only !== undefined && only !== 'tiny' && only !== 'mlp')
    throw new Error(`MODEL must be tiny or mlp, got "${only}"`);
  if (only !== 'mlp') await bench(tinySetup(), tmp);
  if (only !== 'tiny') await bench(await mlpSetup(), tmp);
  console.log(`tensors alive after the bench: ${tf.memory().numTensors - before} (models, optimizer state, data)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
