import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, defineTask, tf, type TensorDataset } from '../src';
import { runWith } from '../src/testing';

const N = 128;
const K = 4;

/** Blobs data built with the ops a user writes: the labels one-hot through `cast` (`toFloat`). */
function blobData(): TensorDataset {
  return tf.tidy(() => {
    const labels = tf.tensor1d(
      Array.from({ length: N }, (_, i) => i % K),
      'int32',
    );
    const centers = tf.randomNormal([K, 8], 0, 3, 'float32', 7);
    const x = tf.add(tf.gather(centers, labels), tf.randomNormal([N, 8], 0, 1, 'float32', 8));
    return { x, y: tf.oneHot(labels, K).toFloat() };
  });
}

function taskOn(data: () => TensorDataset, borrowed: boolean) {
  return defineTask({
    name: 'caller-data',
    create: (_o, ctx) => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({
            units: 16,
            activation: 'relu',
            inputShape: [8],
            kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }),
          }),
          tf.layers.dense({
            units: K,
            activation: 'softmax',
            kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }),
          }),
        ],
      });
      return {
        model,
        loss: 'categoricalCrossentropy' as const,
        metrics: ['accuracy' as const],
        train: data(),
        borrowed,
      };
    },
  });
}

const losses = (runDir: string) =>
  fs
    .readFileSync(path.join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; payload?: { loss?: number }; loss?: number })
    .filter((e) => e.event === 'batch:end')
    .map((e) => Number(e.payload?.loss ?? e.loss));

describe('tensors the caller made before the run', () => {
  it('made on cpu (one-hot labels through cast) train exactly as the same data made on the run backend', async () => {
    // Inside create: the data is made after the backend was chosen.
    const inside = await runWith({ task: taskOn(blobData, false), training: { epochs: 2, batchSize: 16 } });
    // Before the call, on cpu, as a script that runs `tf.oneHot(...).toFloat()` right after require does.
    await tf.setBackend('cpu');
    const before = blobData();
    const outside = await runWith({ task: taskOn(() => before, true), training: { epochs: 2, batchSize: 16 } });
    expect(outside.summary.backend.name).toBe('wasm');
    expect(tf.getBackend()).toBe('cpu'); // the caller's backend is back
    const a = losses(inside.runDir);
    const b = losses(outside.runDir);
    expect(a.length).toBe(16);
    expect(b[0]).toBeGreaterThan(0.1); // not the reinterpreted bits' 2.8e-45
    b.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 5));
    expect(outside.summary.final['acc']).toBeCloseTo(inside.summary.final['acc']!, 5);
    // Borrowed: the caller's tensors are neither disposed nor changed.
    expect(before.x.isDisposed || before.y.isDisposed).toBe(false);
    expect(Array.from(tf.tidy(() => tf.sum(before.y, 0).dataSync()))).toEqual([32, 32, 32, 32]);
    tf.dispose([before.x, before.y]);
  });
});

describe('training.shuffle', () => {
  const rows = defineTask({
    name: 'rows',
    create: () => ({
      model: tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] }),
      loss: 'meanSquaredError' as const,
      train: { x: tf.tensor2d(Array.from({ length: 12 }, (_, i) => [i])), y: tf.zeros([12, 1]) },
    }),
  });
  const firstRows = async (shuffle: boolean) => {
    const seen: number[] = [];
    const plugin = definePlugin({
      name: 'order',
      setup: (ctx) => void ctx.bus.on('grads:computed', (e) => void seen.push(e.inputs.dataSync()[0]!)),
    });
    const r = await runWith({ task: rows, training: { epochs: 2, batchSize: 4, shuffle }, plugins: [{ plugin }] });
    expect([r.status, r.reason]).toEqual(['completed', '2 epochs done']);
    return seen;
  };

  it('false keeps the examples in order every epoch; true (the default) shuffles them', async () => {
    expect(await firstRows(false)).toEqual([0, 4, 8, 0, 4, 8]);
    expect(await firstRows(true)).not.toEqual([0, 4, 8, 0, 4, 8]);
  });
});
