/**
 * Loop overhead (the framework tax): a hand-written `tf.variableGrads` loop vs trainwatch's Trainer
 * with no plugins, without and with events.jsonl, on a tiny model (4-16-3, where microseconds show)
 * and on mnist-mlp, in one process. The arms take turns in short blocks of steps (a block is one
 * trainer run capped by maxSteps; the order alternates each round), so slow drift of the machine
 * hits every arm alike. Prints ms/step (wall and CPU), the ratio's 95% interval and the extra
 * microseconds per step; a verdict only when the interval clears the target.
 *
 * Both loops build batches the same way (`hostRows`, rows copied from a host array); a fourth arm
 * shows what `tf.gather` batches cost the hand-written loop.
 *
 *   npm run bench      ROUNDS=40 npm run bench      BENCH_SMOKE=1 (one short round, no verdict)
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
import { compareArms, report, SMOKE, timed, type Sample } from './harness';

const log = { debug() {}, info() {}, warn() {}, error() {} };

interface Setup {
  name: string;
  model: tf.LayersModel;
  train: TensorDataset;
  optimizer: tf.Optimizer;
  lossFn: LossFn;
  batch: number;
  /** Steps per block (one turn of an arm). */
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
    block: SMOKE ? 3 : 32,
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
    block: SMOKE ? 3 : 512,
    target: { extraUs: 50 },
  };
}

/** The baseline a careful user would write by hand: a batch, variableGrads, apply, read the loss. */
async function bareBlock(s: Setup, seed: number, batches: 'host' | 'gather'): Promise<Sample> {
  const n = s.train.x.shape[0]!;
  const vars = s.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const [hx, hy] = [hostRows(s.train.x), hostRows(s.train.y)];
  return timed(async () => {
    const order = permutation(n, createRng(seed));
    let steps = 0;
    for (let i = 0; steps < s.block && i < n; i += s.batch) {
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
      steps++;
    }
    return steps;
  });
}

/** One arm's bus (and recorder) for the whole bench: a real run keeps one file open, not one per block. */
function trainwatchArm(s: Setup, recordTo?: string) {
  const bus = new EventBus();
  const recorder = recordTo ? new EventRecorder(recordTo, bus) : undefined;
  const block = async (seed: number): Promise<Sample> => {
    const trainer = new Trainer({
      runId: 'bench',
      task: s.name,
      backend: tf.getBackend(),
      model: s.model,
      loss: s.lossFn,
      metrics: [],
      optimizer: s.optimizer,
      train: s.train,
      epochs: 1,
      maxSteps: s.block,
      batchSize: s.batch,
      seed,
      bus,
      interceptors: new InterceptorChain(() => {}),
      control: new RunControl(),
    });
    // Timed from outside, like the bare loop (the constructor left out of both).
    return timed(async () => (await trainer.run(), trainer.step));
  };
  return { block, close: () => recorder?.close() };
}

async function bench(s: Setup, rounds: number, tmp: string): Promise<void> {
  const file = path.join(tmp, `${s.name.split(' ')[0]}.jsonl`);
  const plain = trainwatchArm(s);
  const recorded = trainwatchArm(s, file);
  console.log(
    `\n${s.name}, Adam, batch ${s.batch}, ${s.train.x.shape[0]} examples; blocks of ${s.block} steps, ${rounds} rounds`,
  );
  for (let w = 0; w < 2; w++) {
    await bareBlock(s, w, 'host'); // warm-up: kernels, allocations, host copies
    await plain.block(w);
  }
  const results = await compareArms(
    [
      { name: 'hand-written loop', run: (r) => bareBlock(s, r + 1, 'host') },
      { name: 'trainwatch, no plugins', run: (r) => plain.block(r + 1) },
      { name: 'trainwatch + events.jsonl', run: (r) => recorded.block(r + 1) },
      { name: 'hand-written, tf.gather batches', run: (r) => bareBlock(s, r + 1, 'gather') },
    ],
    rounds,
  );
  plain.close();
  recorded.close();
  for (const line of report(results, 'step', [undefined, s.target, s.target, undefined])) console.log(line);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const steps = lines.filter((l) => l.includes('"batch:end"'));
  const bytes = steps.reduce((a, l) => a + l.length + 1, 0);
  console.log(`events.jsonl: ${(bytes / steps.length).toFixed(0)} bytes per step line (no plugins)`);
}

async function main() {
  const backend = await selectBackend((process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  const rounds = SMOKE ? 1 : Number(process.env['ROUNDS'] ?? 60);
  console.log(`loop overhead on ${backend.name}${SMOKE ? ' (smoke: no verdicts)' : ''}`);
  const before = tf.memory().numTensors;
  for (const s of [tinySetup(), await mlpSetup()]) await bench(s, rounds, tmp);
  console.log(`tensors alive after the bench: ${tf.memory().numTensors - before} (models, optimizer state, data)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
