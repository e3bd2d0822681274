/**
 * Loop overhead: a hand-written `tf.variableGrads` loop vs trainwatch's Trainer with no plugins, on
 * the same model (mnist-mlp) and the same real data, in one process, alternating epoch by epoch so
 * both see the same machine state. Prints ms/step for each and the median ratio (aim: <= 1.03).
 *
 *   npm run bench            (after npm ci)
 *   ROUNDS=10 npm run bench
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { permutation, createRng, resolveLoss, tf, type TensorDataset } from '@trainwatch/core';
import { EventBus, EventRecorder, InterceptorChain, RunControl, selectBackend, Trainer } from '@trainwatch/core/runner';
import { mnistMlp } from '@trainwatch/tasks';

const ROUNDS = Number(process.env['ROUNDS'] ?? 6);
const BATCH = 64;
const log = { debug() {}, info() {}, warn() {}, error() {} };

async function makeSetup() {
  const task = await mnistMlp.create(
    { validationFraction: 0.2, hidden: [128, 64], activation: 'relu' },
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
async function bareEpoch(s: Setup, seed: number): Promise<number> {
  const n = s.train.x.shape[0]!;
  const order = permutation(n, createRng(seed));
  const vars = s.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const t0 = performance.now();
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
  return (performance.now() - t0) / steps;
}

async function trainwatchEpoch(s: Setup, seed: number, recordTo?: string): Promise<number> {
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
  const t0 = performance.now();
  // Timed from outside, like the bare loop; the trainer's own timing is not used.
  await trainer.run();
  const ms = performance.now() - t0;
  recorder?.close();
  return ms / trainer.step;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const backend = await selectBackend((process.env['BACKEND'] as 'wasm' | 'cpu' | undefined) ?? 'wasm');
  const s = await makeSetup();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-'));
  console.log(
    `loop overhead on ${backend.name}: mnist-mlp 784-128-64-10, Adam, batch ${BATCH}, ${s.train.x.shape[0]} examples, ${ROUNDS} rounds`,
  );
  await bareEpoch(s, 0); // warm-up: kernels, allocations
  await trainwatchEpoch(s, 0);
  const rows: { bare: number; tw: number; rec: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which runs first so drift favours neither.
    const order = r % 2 === 0 ? ['bare', 'tw', 'rec'] : ['rec', 'tw', 'bare'];
    const row = { bare: 0, tw: 0, rec: 0 };
    for (const k of order) {
      if (k === 'bare') row.bare = await bareEpoch(s, r + 1);
      else if (k === 'tw') row.tw = await trainwatchEpoch(s, r + 1);
      else row.rec = await trainwatchEpoch(s, r + 1, path.join(tmp, `events-${r}.jsonl`));
    }
    rows.push(row);
    console.log(
      `round ${r + 1}: bare ${row.bare.toFixed(2)} ms/step  trainwatch ${row.tw.toFixed(2)} (x${(row.tw / row.bare).toFixed(3)})  + events.jsonl ${row.rec.toFixed(2)} (x${(row.rec / row.bare).toFixed(3)})`,
    );
  }
  const ratio = median(rows.map((r) => r.tw / r.bare));
  const ratioRec = median(rows.map((r) => r.rec / r.bare));
  console.log(
    `median ratio trainwatch/bare: ${ratio.toFixed(3)}  (with events.jsonl: ${ratioRec.toFixed(3)})  target <= 1.03`,
  );
  console.log(`tensors alive after the bench: ${tf.memory().numTensors} (model, optimizer state and data only)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
