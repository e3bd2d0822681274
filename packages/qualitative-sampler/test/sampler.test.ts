import { tensorCounter } from '@trainwatch/core/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineTask, tf, type TensorDataset } from '@trainwatch/core';
import { cmudictG2p, mnistMlp } from '@trainwatch/tasks';
import { chooseProbes, decodePng, quadrant, readSampleHistory, sliceStats } from '../src';
import { loud, sampled } from './helpers';

const mlp = { limit: 3000, hidden: [64], activation: 'relu' as const };

/** mnist-mlp whose training labels went through a buggy remap: every 7 becomes a 1 (held-out labels stay right). */
const sevensAreOnes = defineTask({
  name: 'sevens-are-ones',
  async create(_o, ctx) {
    const base = await mnistMlp.create({ validationFraction: 0.2, ...mlp }, ctx);
    const train = base.train as TensorDataset;
    const y = tf.tidy(() => {
      const cls = tf.argMax(train.y, -1);
      const fixed = tf.where(tf.equal(cls, 7), tf.onesLike(cls), cls);
      return tf.oneHot(fixed, 10).toFloat();
    });
    train.y.dispose();
    return { ...base, train: { x: train.x, y } };
  },
});

describe('qualitative-sampler on faulty runs', () => {
  it('training labels with every 7 relabelled as 1: systematic-error naming true 7 and predicted 1', async () => {
    const r = await sampled({ task: sevensAreOnes, training: { epochs: 3 } });
    const f = r.findings.filter((x) => x.code === 'systematic-error');
    const t7 = f.find((x) => x.evidence['slice'] === 'true 7')!;
    expect(t7).toBeDefined();
    expect(t7.evidence['trueClass']).toBe('7');
    expect(t7.evidence['predictedClass']).toBe('1');
    expect(t7.evidence['rate'] as number).toBeGreaterThan(0.9);
    expect(t7.message).toMatch(/true 7 predicted as 1/);
    expect((t7.evidence['examples'] as number[]).length).toBeGreaterThan(0);
    // No other true class stands out.
    expect(f.filter((x) => String(x.evidence['slice']).startsWith('true ')).map((x) => x.evidence['slice'])).toEqual([
      'true 7',
    ]);
  });

  it('a model whose output is constant: constant-predictions', async () => {
    const constant = defineTask({
      name: 'constant-output',
      async create(_o, ctx) {
        const base = await mnistMlp.create({ validationFraction: 0.2, ...mlp, limit: 1000 }, ctx);
        base.model.dispose();
        const m = tf.sequential();
        // The input is multiplied by zero weights that never train: every example gives the same output.
        m.add(tf.layers.dense({ units: 16, inputShape: [784], kernelInitializer: 'zeros', trainable: false }));
        m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
        return { ...base, model: m };
      },
    });
    const r = await sampled({ task: constant, training: { epochs: 2 } });
    const f = r.findings.find((x) => x.code === 'constant-predictions')!;
    expect(f).toBeDefined();
    expect(f.evidence['probes']).toBe(30);
  });
});

describe('label-disagreement', () => {
  it('lists held-out examples whose labels were corrupted (predicted confidently as their true class)', async () => {
    // Held-out examples 0..29 get the label (true + 1) mod 10: a labelling bug a person should see.
    const noisy = defineTask({
      name: 'noisy-labels',
      async create(_o, ctx) {
        const base = await mnistMlp.create({ validationFraction: 0.2, ...mlp }, ctx);
        const val = base.validation!;
        const y = tf.tidy(() => {
          const cls = tf.argMax(val.y, -1);
          const shifted = tf.mod(tf.add(cls, tf.scalar(1, 'int32')), tf.scalar(10, 'int32'));
          const mask = tf.less(tf.range(0, cls.shape[0]!, 1, 'int32'), 30);
          return tf.oneHot(tf.where(mask, shifted, cls) as tf.Tensor1D, 10).toFloat();
        });
        val.y.dispose();
        return { ...base, validation: { x: val.x, y } };
      },
    });
    const r = await sampled({ task: noisy, training: { epochs: 5 } });
    expect(r.status).toBe('completed');
    const f = r.findings.find((x) => x.code === 'label-disagreement')!;
    expect(f).toBeDefined();
    const listed = JSON.parse(
      fs.readFileSync(path.join(r.runDir, 'qualitative-sampler', 'label-disagreement.json'), 'utf8'),
    ) as { id: number }[];
    const corrupted = listed.filter((e) => e.id < 30).length;
    // Most corrupted examples are listed, and they make up most of the list.
    expect(corrupted).toBeGreaterThanOrEqual(20);
    expect(corrupted / listed.length).toBeGreaterThan(0.5);
    // The examples the finding names come with their pictures (for the report).
    const named = f.evidence['examples'] as { id: number; image?: string }[];
    expect(named.length).toBeGreaterThan(0);
    for (const e of named) expect(fs.existsSync(path.join(r.runDir, e.image!))).toBe(true);
  });
});

describe('qualitative-sampler on healthy runs', () => {
  it('mnist-mlp: no finding at warn or above; samples.jsonl, PNGs and per-sample history', async () => {
    const logs: string[] = [];
    const r = await sampled({ taskOptions: mlp, training: { epochs: 3 }, logs });
    expect(loud(r)).toEqual([]);
    const history = readSampleHistory(r.runDir);
    expect(history.size).toBe(30);
    const one = history.values().next().value!;
    expect(one.map((s) => s.step)).toEqual([0, 38, 76, 114]);
    expect(one[0]!.topK).toHaveLength(3);
    // Stratified: 3 probes of each digit.
    const labels = [...history.values()].map((h) => h[0]!.label);
    expect(new Set(labels).size).toBe(10);
    const png = decodePng(fs.readFileSync(path.join(r.runDir, one[0]!.image!)));
    expect([png.width, png.height, png.channels]).toEqual([112, 112, 1]);
    const right = (step: number) => [...history.values()].filter((h) => h.find((s) => s.step === step)!.correct).length;
    expect(right(114)).toBeGreaterThan(right(0));
    expect(logs.some((l) => /^samples @114: \d+\/30 probes right/.test(l))).toBe(true);
  });

  it('cmudict-g2p: decoded samples read like translations and the phoneme error rate falls', async () => {
    const r = await sampled({
      task: cmudictG2p,
      taskOptions: { trainSize: 2000, validationSize: 200 },
      training: { epochs: 2, learningRate: 0.005 },
      options: { size: 40 },
    });
    const history = readSampleHistory(r.runDir);
    const per = (step: number) => {
      let d = 0;
      let n = 0;
      for (const h of history.values()) {
        const s = h.find((x) => x.step === step)!;
        d += s.distance!;
        n += s.refTokens!;
      }
      return d / n;
    };
    const steps = history
      .values()
      .next()
      .value!.map((s) => s.step);
    // Untrained, then after each epoch: the phoneme error rate of the probe samples falls.
    expect(steps).toHaveLength(3);
    expect(per(steps[1]!)).toBeLessThan(per(steps[0]!));
    expect(per(steps[2]!)).toBeLessThan(per(steps[1]!));
    expect(per(steps[2]!)).toBeLessThan(0.75);
    const s = history.values().next().value!.at(-1)!;
    expect(s.input).toMatch(/^[A-Z]+$/);
    expect(s.label).toMatch(/^[A-Z]+( [A-Z]+)*$/);
  }, 120_000);

  it('keeps the tensor count flat across steps and samplings', async () => {
    const counter = tensorCounter([20, 60]);
    const before = tf.memory().numTensors;
    const r = await sampled({
      taskOptions: { ...mlp, limit: 1000 },
      training: { epochs: 6 },
      options: { every: 10 },
      extra: [counter.use],
    });
    expect(r.status).toBe('completed');
    expect(counter.at(60)).toBeDefined();
    expect(counter.at(60)).toBe(counter.at(20));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('building blocks', () => {
  it('probes are stratified by class and seeded', () => {
    const cls = (i: number) => i % 3;
    const a = chooseProbes(300, 9, 1, cls);
    expect(a.map(cls).sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(chooseProbes(300, 9, 1, cls)).toEqual(a);
    expect(chooseProbes(300, 9, 2, cls)).not.toEqual(a);
  });

  it('quadrant of the centre of mass', () => {
    const img = (x: number, y: number) => {
      const data = new Float32Array(16);
      data[y * 4 + x] = 1;
      return { width: 4, height: 4, channels: 1 as const, data };
    };
    expect([quadrant(img(0, 0)), quadrant(img(3, 0)), quadrant(img(0, 3)), quadrant(img(3, 3))]).toEqual([
      'top-left',
      'top-right',
      'bottom-left',
      'bottom-right',
    ]);
  });

  it('a slice that is wrong far more often than its family stands out; an even spread does not', () => {
    const obs = [];
    for (let i = 0; i < 200; i++)
      obs.push({ slice: `true ${i % 4}`, error: i % 4 === 2 ? i % 10 !== 0 : i % 10 === 0, id: i });
    const stats = sliceStats(obs, 20);
    expect(stats[0]!.slice).toBe('true 2');
    expect(stats[0]!.z).toBeGreaterThan(4);
    const even = sliceStats(
      obs.map((o) => ({ ...o, error: o.id % 5 === 0 })),
      20,
    );
    expect(Math.max(...even.map((s) => s.z))).toBeLessThan(2);
  });
});
