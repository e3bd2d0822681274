import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineTask, tf, type Task, type TensorDataset } from '@trainwatch/core';
import { type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { mnistMlp } from '@trainwatch/tasks';
import { overfitProbe } from '../src';

const mlp = { validationFraction: 0.2, limit: 1000, hidden: [64], activation: 'relu' as const };

async function probe(task: Task, taskOptions: Record<string, unknown> = {}): Promise<RunResult> {
  return runWith({ task, taskOptions, training: { epochs: 1, maxSteps: 1 }, plugins: [{ plugin: overfitProbe }] });
}

/** mnist-mlp with one thing changed by `mutate`. */
function variant(name: string, mutate: (base: Awaited<ReturnType<typeof mnistMlp.create>>, seed: number) => void) {
  return defineTask({
    name,
    async create(_o, ctx) {
      const base = await mnistMlp.create(mlp, ctx);
      mutate(base, ctx.seed);
      return base;
    },
  });
}

const errors = (r: RunResult, code: string) => r.findings.filter((f) => f.code === code);

describe('overfit-probe', () => {
  it('healthy mnist-mlp fits 1 and 100 examples and does clearly better than on zeroed inputs: no finding above info', async () => {
    const r = await probe(mnistMlp, mlp);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const summary = r.findings.find((f) => f.code === 'overfit-probe-summary')!;
    expect(summary.evidence['fitted']).toEqual([true, true]);
    const curves = JSON.parse(fs.readFileSync(path.join(r.runDir, 'overfit-probe', 'curves.json'), 'utf8'));
    expect(curves.probes[1].accuracy).toBeGreaterThanOrEqual(0.99);
  }, 60_000);

  it('a loss wired to a constant instead of the labels: cannot-overfit-tiny-set (the loss falls, the accuracy does not)', async () => {
    const task = variant('loss-bug', (base) => {
      base.loss = (_y, p) =>
        tf.tidy(
          () =>
            tf.neg(
              tf.mean(
                tf.sum(tf.mul(tf.oneHot(tf.zeros([p.shape[0]!], 'int32'), 10), tf.log(tf.clipByValue(p, 1e-7, 1))), -1),
              ),
            ) as tf.Scalar,
        );
    });
    const r = await probe(task);
    const f = errors(r, 'cannot-overfit-tiny-set').find((x) => x.evidence['size'] === 100)!;
    expect(f).toBeDefined();
    expect(f.severity).toBe('error');
    expect(f.evidence['finalLoss'] as number).toBeLessThan(0.05);
    expect(f.evidence['accuracy'] as number).toBeLessThan(0.5);
    expect((f.evidence['curve'] as unknown[]).length).toBeGreaterThan(1);
  }, 60_000);

  it('hidden layers frozen by mistake: cannot-overfit-tiny-set', async () => {
    const task = variant('frozen', (base, seed) => {
      base.model.dispose();
      const m = tf.sequential();
      m.add(
        tf.layers.dense({
          units: 8,
          activation: 'relu',
          inputShape: [784],
          trainable: false,
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
        }),
      );
      m.add(
        tf.layers.dense({
          units: 10,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        }),
      );
      base.model = m;
    });
    const r = await probe(task);
    expect(errors(r, 'cannot-overfit-tiny-set').map((x) => x.evidence['size'])).toContain(100);
  }, 60_000);

  it('inputs zeroed by a pipeline bug: model-ignores-input', async () => {
    const task = variant('zeroed', (base) => {
      const train = base.train as TensorDataset;
      const x = tf.zerosLike(train.x);
      train.x.dispose();
      base.train = { x, y: train.y };
    });
    const r = await probe(task);
    const f = errors(r, 'model-ignores-input')[0]!;
    expect(f).toBeDefined();
    expect(f.evidence['ratio'] as number).toBeGreaterThan(0.5);
  }, 60_000);

  it('labels with a loss floor (each image carries 4 labels): the accuracy shows the inputs are used, no model-ignores-input', async () => {
    // 25 images, image i 4 times with labels i, i+1, i+2, i+3 (mod 10): the best loss is ln 4 with the
    // inputs and ln 10 without (a ratio of 0.6, above zeroRatio 0.5); the accuracy (1/4 against about
    // 1/10, the most common label) tells them apart.
    const task = variant('ambiguous', (base) => {
      const train = base.train as TensorDataset;
      const { x, y } = tf.tidy(() => {
        const image = Array.from({ length: 100 }, (_, i) => Math.floor(i / 4));
        const label = image.map((im, i) => (im + (i % 4)) % 10);
        return {
          x: tf.gather(train.x, tf.tensor1d(image, 'int32')),
          y: tf.oneHot(tf.tensor1d(label, 'int32'), 10).toFloat(),
        };
      });
      tf.dispose([train.x, train.y]);
      base.train = { x, y };
    });
    const r = await probe(task);
    const curves = JSON.parse(fs.readFileSync(path.join(r.runDir, 'overfit-probe', 'curves.json'), 'utf8'));
    const real = curves.probes.at(-1);
    expect(real.size).toBe(100);
    expect(real.finalLoss / curves.zeroInputs.finalLoss).toBeGreaterThan(0.5);
    expect(real.accuracy).toBeGreaterThanOrEqual(curves.zeroInputs.accuracy + 0.1);
    expect(errors(r, 'model-ignores-input')).toEqual([]);
  }, 60_000);

  it('leaves the tensor count as it found it', async () => {
    const before = tf.memory().numTensors;
    await probe(mnistMlp, mlp);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
