import { tensorCounter } from '@trainwatch/core/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '@trainwatch/core';
import { watchedLayers } from '../src';
import { layersWith, loud, mnistWith, monitored, seeded } from './helpers';

describe('activation-monitor on faulty runs', () => {
  it('a ReLU layer whose biases start very negative: dead-units on that layer only', async () => {
    const task = mnistWith('dead-relu', (seed) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [784], name: 'h1', ...seeded(seed) }));
      m.add(
        tf.layers.dense({
          units: 32,
          activation: 'relu',
          name: 'h2',
          biasInitializer: tf.initializers.constant({ value: -10 }),
          ...seeded(seed + 1),
        }),
      );
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 2) }));
      return m;
    });
    const r = await monitored({ task, training: { epochs: 4 } });
    expect(layersWith(r, 'dead-units')).toEqual(['h2']);
    const f = r.findings.find((x) => x.code === 'dead-units')!;
    expect(f.evidence['share']).toBe(1);
    expect(f.message).toMatch(/100% of h2's 32 relu units are dead/);
    // Reported once, not once per step.
    expect(r.findings.filter((x) => x.code === 'dead-units')).toHaveLength(1);
  });

  it('a sigmoid MLP fed raw 0-255 pixels: saturated-activation and unnormalized-input', async () => {
    const task = mnistWith(
      'raw-pixels',
      (seed) => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 64, activation: 'sigmoid', inputShape: [784], name: 's1', ...seeded(seed) }));
        m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 1) }));
        return m;
      },
      { scale: 255 },
    );
    const r = await monitored({ task, training: { epochs: 3 } });
    expect(layersWith(r, 'saturated-activation')).toEqual(['s1']);
    // Inputs measured far outside a normal range: normalising them is the first suggestion.
    expect(r.findings.find((f) => f.code === 'saturated-activation')!.suggestion).toMatch(/^Normalise the inputs/);
    const input = r.findings.find((f) => f.code === 'unnormalized-input')!;
    expect(input).toBeDefined();
    expect(input.evidence['max']).toBe(255);
    expect(input.suggestion).toMatch(/divide by 255/);
  });

  it('the same sigmoid MLP on pixels in [0, 1]: quiet', async () => {
    const task = mnistWith('sigmoid-ok', (seed) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 64, activation: 'sigmoid', inputShape: [784], name: 's1', ...seeded(seed) }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 1) }));
      return m;
    });
    const r = await monitored({ task, training: { epochs: 3 } });
    expect(loud(r)).toEqual([]);
  });

  it('a sigmoid layer saturated by huge initial weights on pixels in [0, 1]: no advice to normalise them', async () => {
    const task = mnistWith('sigmoid-huge-init', (seed) => {
      const m = tf.sequential();
      m.add(
        tf.layers.dense({
          units: 64,
          activation: 'sigmoid',
          inputShape: [784],
          name: 's1',
          kernelInitializer: tf.initializers.randomNormal({ stddev: 3, seed }),
        }),
      );
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 1) }));
      return m;
    });
    const r = await monitored({ task, training: { epochs: 3 } });
    const f = r.findings.find((x) => x.code === 'saturated-activation');
    expect(f?.layer).toBe('s1');
    expect(f!.suggestion).not.toMatch(/[Nn]ormalise the inputs/);
    expect(f!.suggestion).toMatch(/^Use smaller initial weights/);
  });

  it('inputs that are all zeros (a data bug): activation-collapse', async () => {
    const task = mnistWith(
      'zeros',
      (seed) => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 32, activation: 'tanh', inputShape: [784], name: 't1', ...seeded(seed) }));
        m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 1) }));
        return m;
      },
      { scale: 0 },
    );
    const r = await monitored({ task, training: { epochs: 3 } });
    expect(layersWith(r, 'activation-collapse')).toEqual(expect.arrayContaining(['t1', 'out']));
  });

  it('a learning rate that blows up a ReLU network: activation-explosion', async () => {
    const r = await monitored({
      taskOptions: { limit: 1000 },
      training: { epochs: 4, optimizer: 'adam', learningRate: 1 },
    });
    expect(layersWith(r, 'activation-explosion')).toEqual(expect.arrayContaining(['hidden1', 'hidden2']));
    const f = r.findings.find((x) => x.code === 'activation-explosion')!;
    expect(f.evidence['growth']).toBeGreaterThan(100);
  });
});

describe('activation-monitor on healthy runs', () => {
  it.each(['mnist-mlp', 'mnist-cnn'] as const)(
    '%s at defaults: no finding at warn or above, stats recorded',
    async (builtin) => {
      const r = await monitored({ builtin, taskOptions: { limit: 2000 }, training: { epochs: 3 } });
      expect(loud(r)).toEqual([]);
      const lines = fs
        .readFileSync(path.join(r.runDir, 'activation-monitor', 'stats.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0].step).toBe(0);
      expect(lines[1].step).toBe(10);
      const first = lines[0].layers[0];
      expect(first.hist.counts).toHaveLength(40);
      expect(first.hist.counts.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
      expect(first.pre).toBeDefined();
    },
  );

  it('measuring every step: statistics every step, histograms every 10 steps (histogram.everySteps)', async () => {
    const r = await monitored({
      taskOptions: { limit: 500 },
      training: { epochs: 4, maxSteps: 25 },
      monitor: { every: 1, histogram: { everySteps: 10 } },
    });
    const lines = fs
      .readFileSync(path.join(r.runDir, 'activation-monitor', 'stats.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; layers: { hist?: { counts: number[] }; out: object }[] });
    expect(lines.map((l) => l.step)).toEqual([...Array(25).keys()]);
    expect(lines.filter((l) => l.layers.every((x) => x.hist)).map((l) => l.step)).toEqual([0, 10, 20]);
    expect(lines.every((l) => l.layers.every((x) => x.out))).toBe(true);
  });

  it('keeps the tensor count flat across steps', async () => {
    const counter = tensorCounter([40, 70]);
    const before = tf.memory().numTensors;
    const r = await monitored({
      builtin: 'mnist-cnn',
      taskOptions: { limit: 1000 },
      training: { epochs: 6 },
      extra: [counter.use],
    });
    expect(r.status).toBe('completed');
    expect(counter.at(70)).toBeDefined();
    expect(counter.at(70)).toBe(counter.at(40));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('pre-activations', () => {
  it('equal a direct computation with the activation removed (Dense and Conv2D), and map to the outputs', () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const conv = tf.layers.conv2d({
      filters: 3,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'sigmoid',
      name: 'c',
      ...seeded(1),
    });
    const flat = tf.layers.flatten();
    const dense = tf.layers.dense({
      units: 5,
      activation: 'tanh',
      name: 'd',
      biasInitializer: tf.initializers.randomNormal({ seed: 3 }),
      ...seeded(2),
    });
    const model = tf.model({ inputs: input, outputs: dense.apply(flat.apply(conv.apply(input))) as tf.SymbolicTensor });
    const x = tf.randomNormal([4, 8, 8, 2], 0, 1, 'float32', 7);
    const w = watchedLayers(model);
    expect(w.map((l) => [l.layer, l.kind, l.source])).toEqual([
      ['c', 'saturating', undefined],
      ['d', 'saturating', flat.name],
    ]);
    // Direct: the same layers built with a linear activation and the same weights.
    const i2 = tf.input({ shape: [8, 8, 2] });
    const conv2 = tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'linear' });
    const c2 = conv2.apply(i2) as tf.SymbolicTensor;
    const linConv = tf.model({ inputs: i2, outputs: c2 });
    conv2.setWeights(conv.getWeights());
    const preConv = w[0]!.pre!(x);
    expect(tf.max(tf.abs(tf.sub(preConv, linConv.predict(x) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(tf.sigmoid(preConv), conv.apply(x) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
    const flatOut = tf.reshape(conv.apply(x) as tf.Tensor, [4, -1]);
    const dense2 = tf.layers.dense({ units: 5, activation: 'linear', inputShape: [flatOut.shape[1]!] });
    const linDense = tf.sequential({ layers: [dense2] });
    dense2.setWeights(dense.getWeights());
    const preDense = w[1]!.pre!(flatOut);
    expect(tf.max(tf.abs(tf.sub(preDense, linDense.predict(flatOut) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(tf.tanh(preDense), model.predict(x) as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-6);
  });
});
