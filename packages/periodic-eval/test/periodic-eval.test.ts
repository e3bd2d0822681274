import * as fs from 'node:fs';
import { tensorCounter } from '@trainwatch/core/testing';
import * as path from 'node:path';
import { definePlugin, loadModelFiles, tf, type TensorDataset } from '@trainwatch/core';
import { evaluateDataset } from '../src';
import { catchGame, codes, defineTask, evaluated, loud, mnistMlp } from './helpers';

const mlp = { limit: 1000, hidden: [32], activation: 'relu' };

describe('periodic-eval on faulty runs', () => {
  it('a frozen model (learning rate 0) on MNIST: eval-stagnant, constant-behaviour and loss-not-decreasing', async () => {
    const r = await evaluated({
      taskOptions: mlp,
      training: { epochs: 12, learningRate: 0 },
      options: { everySteps: 20, lossWindow: 20 },
    });
    expect(codes(r)).toEqual(expect.arrayContaining(['eval-stagnant', 'constant-behaviour', 'loss-not-decreasing']));
    expect(new Set(r.evals.map((e) => e.metrics['acc'])).size).toBe(1);
  });

  it('the catch game with learning rate 0: constant-behaviour and eval-stagnant', async () => {
    const r = await evaluated({ task: catchGame, training: { epochs: 6, learningRate: 0 } });
    expect(codes(r)).toEqual(expect.arrayContaining(['constant-behaviour', 'eval-stagnant']));
    expect(r.evals[0]!.evaluator).toBe('task');
    expect(r.evals[0]!.behaviour).toHaveLength(3);
  });

  it('the catch game with rewards wired to a constant: eval-stagnant (and constant-behaviour without the entropy bonus)', async () => {
    // The entropy bonus still moves the policy (towards uniform), so behaviour drifts while the reward stays flat.
    const r = await evaluated({
      task: catchGame,
      taskOptions: { reward: 'constant' },
      training: { epochs: 6, learningRate: 0.01 },
    });
    expect(codes(r)).toContain('eval-stagnant');
    const pure = await evaluated({
      task: catchGame,
      taskOptions: { reward: 'constant', entropy: 0 },
      training: { epochs: 6, learningRate: 0.01 },
    });
    expect(codes(pure)).toEqual(expect.arrayContaining(['constant-behaviour', 'eval-stagnant']));
  });

  it('a large network on a tiny training set: overfitting', async () => {
    const r = await evaluated({
      taskOptions: { limit: 500, validationFraction: 0.8, hidden: [256, 256], activation: 'relu' },
      training: { epochs: 40, batchSize: 32, learningRate: 0.003 },
      options: { everySteps: 6, atEpochEnd: false },
    });
    const f = r.findings.find((x) => x.code === 'overfitting');
    expect(f).toBeDefined();
    const ev = f!.evidence as { trainLoss: number[]; evalLoss: number[] };
    expect(ev.trainLoss.at(-1)!).toBeLessThan(ev.trainLoss[0]!);
    expect(ev.evalLoss.at(-1)!).toBeGreaterThan(ev.evalLoss[0]!);
  });

  it('a last layer initialised with huge weights: init-loss-unexpected', async () => {
    const task = defineTask({
      name: 'hot-output',
      async create(_o, ctx) {
        const base = await mnistMlp.create(
          { validationFraction: 0.2, limit: 500, hidden: [32], activation: 'relu' },
          ctx,
        );
        base.model.dispose();
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [784] }));
        m.add(
          tf.layers.dense({
            units: 10,
            activation: 'softmax',
            kernelInitializer: tf.initializers.randomNormal({ stddev: 10, seed: 1 }),
          }),
        );
        return { ...base, model: m };
      },
    });
    const r = await evaluated({ task, training: { epochs: 1, maxSteps: 2 } });
    const f = r.findings.find((x) => x.code === 'init-loss-unexpected')!;
    expect(f).toBeDefined();
    expect(f.evidence['expected']).toBeCloseTo(Math.log(10), 5);
    expect(f.evidence['loss'] as number).toBeGreaterThan(5);
  });
});

describe('periodic-eval on healthy runs', () => {
  it('MNIST: no finding at warn or above; baseline, per-epoch and per-class metrics recorded; eval time kept apart', async () => {
    const r = await evaluated({
      taskOptions: { limit: 2000, hidden: [64], activation: 'relu' },
      training: { epochs: 4 },
    });
    expect(loud(r)).toEqual([]);
    expect(r.evals.map((e) => e.trigger[0])).toEqual(['baseline', 'epoch', 'epoch', 'epoch', 'epoch']);
    expect(r.evals[0]!.step).toBe(0);
    expect(r.evals.at(-1)!.metrics['acc']).toBeGreaterThan(r.evals[0]!.metrics['acc']! + 0.5);
    expect(r.evals.at(-1)!.metrics['acc_class_3']).toBeGreaterThan(0.5);
    expect(
      r.evals
        .at(-1)!
        .confusion!.flat()
        .reduce((a, b) => a + b, 0),
    ).toBe(400);
    expect(r.findings.find((f) => f.code === 'eval-summary')!.evidence['evaluations']).toBe(5);
  });

  it('50 training examples fitted to a loss near 0, then trained on: no loss-not-decreasing (a floor is not a stall)', async () => {
    const r = await evaluated({
      taskOptions: { limit: 250, validationFraction: 0.8, hidden: [128], activation: 'relu' },
      training: { epochs: 400, batchSize: 25, learningRate: 0.05 },
      options: { everySteps: 100, atEpochEnd: false },
    });
    expect(r.evals.at(-1)!.trainLoss!).toBeLessThan(1e-4);
    expect(codes(r)).not.toContain('loss-not-decreasing');
  }, 60_000);

  it('catch: the mean reward rises, no finding at warn or above', async () => {
    const r = await evaluated({ task: catchGame, training: { epochs: 12, learningRate: 0.01 } });
    expect(loud(r)).toEqual([]);
    expect(r.evals.at(-1)!.metrics['reward']).toBeGreaterThan(r.evals[0]!.metrics['reward']! + 0.5);
    expect(r.evals.at(-1)!.metrics['catchRate']).toBeGreaterThan(0.8);
    // The game's metrics reach eval:end (events.jsonl) and the summary, not only periodic-eval's file.
    const events = fs
      .readFileSync(path.join(r.runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; name?: string; metrics?: Record<string, number> });
    const published = events.filter((e) => e.event === 'eval:end' && e.name === 'periodic-eval');
    expect(published).toHaveLength(r.evals.length);
    expect(published.at(-1)!.metrics!['reward']).toBe(r.evals.at(-1)!.metrics['reward']);
    expect(r.summary.evaluations?.['periodic-eval']?.['catchRate']).toBe(r.evals.at(-1)!.metrics['catchRate']);
    // The charts it declares for the report: the game's metrics, and the actions it takes.
    const declared = JSON.parse(fs.readFileSync(path.join(r.runDir, 'periodic-eval', 'report.json'), 'utf8')) as {
      charts: { id: string; series: { field: string; label: string }[] }[];
    };
    expect(declared.charts.map((c) => c.id)).toEqual(['evaluations', 'behaviour']);
    expect(declared.charts[0]!.series.map((x) => x.field)).toEqual(['metrics.reward', 'metrics.catchRate']);
    expect(declared.charts[1]!.series.map((x) => x.label)).toEqual(['left', 'stay', 'right']);
  });
});

describe('schedule, best weights, hygiene', () => {
  it('everyMinutes fires on the (fake) wall clock, and evaluations never repeat a step', async () => {
    let now = 0;
    const r = await evaluated({
      taskOptions: { limit: 500, hidden: [8], activation: 'relu' },
      training: { epochs: 2 },
      options: { everyMinutes: 0.05, atEpochEnd: false, final: false },
      clock: () => now,
      // Every step takes one fake second: 0.05 minutes = 3 s = every 3 steps.
      onBus: (bus) => void bus.on('batch:end', () => void (now += 1000)),
    });
    expect(r.evals.map((e) => e.step)).toEqual([0, 3, 6, 9, 12]);
    expect(r.evals.slice(1).every((e) => e.trigger.includes('minutes'))).toBe(true);
  });

  it('saveBest writes a model that reloads with the same predictions; restoreBest puts the best weights back', async () => {
    let atEnd: number | undefined;
    let val: TensorDataset | undefined;
    const probe = definePlugin({
      name: 'probe',
      order: 'post',
      setup(ctx) {
        ctx.bus.on('run:end', async () => {
          val = { x: tf.clone(ctx.task.validation!.x), y: tf.clone(ctx.task.validation!.y) };
          atEnd = (
            await evaluateDataset(ctx.model, ctx.task.validation!, ctx.task.loss, { batchSize: 256, maxBatches: 0 })
          ).metrics['loss'];
        });
      },
    });
    const r = await evaluated({
      taskOptions: { limit: 500, validationFraction: 0.8, hidden: [128], activation: 'relu' },
      training: { epochs: 30, learningRate: 0.01 },
      options: { saveBest: true, restoreBest: true, stop: true, patience: 2, monitor: { metric: 'loss' } },
      extra: [{ plugin: probe, options: {} }],
    });
    expect(r.status).toBe('stopped');
    expect(r.reason).toMatch(/early stopping/);
    const best = r.evals.filter((e) => e.monitor.best).at(-1)!;
    expect(atEnd).toBeCloseTo(best.metrics['loss']!, 5);
    const loaded = await loadModelFiles(path.join(r.runDir, 'periodic-eval', 'best'));
    const again = await evaluateDataset(
      loaded,
      val!,
      (y, p) => tf.losses.softmaxCrossEntropy(y, tf.log(p)) as tf.Scalar,
      { batchSize: 256, maxBatches: 0 },
    );
    expect(again.metrics['acc']).toBe(best.metrics['acc']);
    loaded.dispose();
    tf.dispose([val!.x, val!.y]);
  });

  it('keeps the tensor count flat across steps and evaluations', async () => {
    const counter = tensorCounter([20, 60]);
    const before = tf.memory().numTensors;
    const r = await evaluated({
      taskOptions: { limit: 1000, hidden: [16], activation: 'relu' },
      training: { epochs: 6 },
      options: { everySteps: 5 },
      extra: [counter.use],
    });
    expect(r.status).toBe('completed');
    expect(counter.at(60)).toBeDefined();
    expect(counter.at(60)).toBe(counter.at(20));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a dataset evaluator without held-out data is a clear plugin error', async () => {
    const r = await evaluated({ task: catchGame, options: { evaluator: 'dataset' }, training: { maxSteps: 1 } });
    const f = r.findings.find((x) => x.code === 'plugin-error')!;
    expect(f.message).toMatch(/periodic-eval.*evaluator "dataset" needs held-out data/);
  });
});
