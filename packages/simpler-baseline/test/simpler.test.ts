import { defineTask, tf, type Task, type TensorDataset } from '@trainwatch/core';
import { type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { mnistMlp } from '@trainwatch/tasks';
import { simplerBaseline } from '../src';

const data = { validationFraction: 0.2, limit: 3000, hidden: [128, 64], activation: 'relu' as const };

async function compare(task: Task, taskOptions: Record<string, unknown> = {}): Promise<RunResult> {
  return runWith({ task, taskOptions, training: { epochs: 1, maxSteps: 1 }, plugins: [{ plugin: simplerBaseline }] });
}

const codes = (r: RunResult) => r.findings.map((f) => f.code);

describe('simpler-baseline', () => {
  it('healthy mnist-mlp: the full model holds its own against the linear model and a narrow MLP', async () => {
    const r = await compare(mnistMlp, data);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const s = r.findings.find((f) => f.code === 'simpler-baseline-summary')!;
    const names = (s.evidence['contenders'] as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(['full', 'linear', 'mlp-32']);
  }, 60_000);

  it('an over-deep sigmoid network on MNIST: simpler-model-better, with both curves', async () => {
    const deep = defineTask({
      name: 'deep-sigmoid',
      async create(_o, ctx) {
        const base = await mnistMlp.create(data, ctx);
        base.model.dispose();
        const m = tf.sequential();
        for (let i = 0; i < 12; i++)
          m.add(
            tf.layers.dense({
              units: 32,
              activation: 'sigmoid',
              ...(i === 0 ? { inputShape: [784] } : {}),
              kernelInitializer: tf.initializers.randomNormal({ stddev: 0.05, seed: ctx.seed + i }),
            }),
          );
        m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
        return { ...base, model: m };
      },
    });
    const r = await compare(deep);
    const f = r.findings.find((x) => x.code === 'simpler-model-better')!;
    expect(f).toBeDefined();
    const cs = f.evidence['contenders'] as { name: string; acc: number; curve: unknown[] }[];
    expect(cs[0]!.acc).toBeLessThan(0.3);
    expect(Math.max(...cs.slice(1).map((c) => c.acc))).toBeGreaterThan(0.7);
    expect(cs.every((c) => c.curve.length > 5)).toBe(true);
  }, 60_000);

  it('labels shuffled away from their inputs: both-fail', async () => {
    const shuffled = defineTask({
      name: 'shuffled-labels',
      async create(_o, ctx) {
        const base = await mnistMlp.create(data, ctx);
        const train = base.train as TensorDataset;
        const n = train.y.shape[0]!;
        const perm = tf.tensor1d(
          Array.from({ length: n }, (_, i) => (i * 7919 + 13) % n),
          'int32',
        );
        const y = tf.gather(train.y, perm);
        tf.dispose([perm, train.y]);
        base.train = { x: train.x, y };
        return base;
      },
    });
    const r = await compare(shuffled);
    expect(codes(r)).toContain('both-fail');
    expect(codes(r)).not.toContain('simpler-model-better');
  }, 60_000);
});

describe('hygiene', () => {
  it('leaves the tensor count as it found it', async () => {
    const before = tf.memory().numTensors;
    await compare(mnistMlp, { ...data, limit: 1000 });
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
