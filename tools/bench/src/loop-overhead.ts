/**
 * Loop overhead (the framework tax): a hand-written `tf.variableGrads` loop vs trainwatch's Trainer
 * with no plugins, without and with events.jsonl, on the same model (mnist-mlp) and the same real
 * data, in one process, the three arms in turn epoch by epoch. Prints ms/step (wall and CPU), the
 * ratio's 95% interval and the extra microseconds per step; a verdict only when the interval clears
 * the target (x1.02 and 50 us per step).
 *
 *   npm run bench      ROUNDS=16 npm run bench      BENCH_SMOKE=1 (one short round, no verdict)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { permutation, createRng, resolveLoss, tf, type TensorDataset } from '@trainwatch/core';
import { EventBus, EventRecorder, InterceptorChain, RunControl, selectBackend, Trainer } from '@trainwatch/core/runner';
import { mnistMlp } from '@trainwatch/tasks';
import { compareArms, report, SMOKE, timed, type Sample } from './harness';

const ROUNDS = SMOKE ? 1 : Number(process.env['ROUNDS'] ?? 10);
const BATCH = 64;
const log = { debug() {}, info() {}, warn() {}, error() {} };

async function makeSetup() {
  const task = await mnistMlp.create(
    { validationFraction: 0.2, hidden: [128, 64], activation: 'relu', ...(SMOKE ? { limit: 300 } : {}) },
    { seed: 1, log },
  );
  // mnist-mlp holds its examples in memory (not a batch source).
  return {
    ...task,
    train: task.train as TensorDataset,
    optimizer: tf.train.adam(0.001),
    lossFn: resolveLoss(task.loss),
  };
}
type Setup = Awaited<ReturnType<typeof makeSetup>>;

/** The baseline a careful user would write by hand: gather a batch, variableGrads, apply, read the loss. */
async function bareEpoch(s: Setup, seed: number): Promise<Sample> {
  const n = s.train.x.shape[0]!;
  const order = permutation(n, createRng(seed));
  const vars = s.model.trainableWeights.map((w) => w.read() as tf.Variable);
  return timed(async () => {
    let steps = 0;
    for (let i = 0; i < n; i += BATCH) {
      const idx = order.subarray(i, Math.min(i + BATCH, n));
      const [xb, yb] = tf.tidy(() => {
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

async function trainwatchEpoch(s: Setup, seed: number, recordTo?: string): Promise<Sample> {
  const bus = new EventBus();
  const recorder = recordTo ? new EventRecorder(recordTo, bus) : undefined;
  const trainer = new Trainer({
    runId: 'bench',
    task: 'mnist-mlp',
    backend: tf.getBackend(),
    model: s.model,
    loss: s.lossFn,
    metrics: [],
    optimizer: s.optimizer,
    train: s.train,
    epochs: 1,
    batchSize: BATCH,
    seed,
    bus,
    interceptors: new InterceptorChain(() => {}),
    control: new RunControl(),
  });
  // Timed from outside, like the bare loop (setup left out of both); the trainer's own timing is not used.
  const sample = await timed(async () => (await trainer.run(), trainer.step));
  recorder?.close();
  return sample;
}

async function main() {
  const backend = await selectBackend((process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  const s = await makeSetup();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  console.log(
    `loop overhead on ${backend.name}: mnist-mlp 784-128-64-10, Adam, batch ${BATCH}, ${s.train.x.shape[0]} examples, one epoch per arm, ${ROUNDS} rounds${SMOKE ? ' (smoke: no verdicts)' : ''}`,
  );
  await bareEpoch(s, 0); // warm-up: kernels, allocations
  await trainwatchEpoch(s, 0);
  const results = await compareArms(
    [
      { name: 'hand-written loop', run: (r) => bareEpoch(s, r + 1) },
      { name: 'trainwatch, no plugins', run: (r) => trainwatchEpoch(s, r + 1) },
      { name: 'trainwatch + events.jsonl', run: (r) => trainwatchEpoch(s, r + 1, path.join(tmp, `events-${r}.jsonl`)) },
    ],
    ROUNDS,
  );
  for (const line of report(results, 'step', { ratio: 1.02, extraUs: 50 })) console.log(line);
  const bytes = fs.statSync(path.join(tmp, `events-0.jsonl`)).size;
  const steps = Math.ceil(s.train.x.shape[0]! / BATCH);
  console.log(`events.jsonl: ${(bytes / steps).toFixed(0)} bytes per step (no plugins)`);
  console.log(`tensors alive after the bench: ${tf.memory().numTensors} (model, optimizer state and data only)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
