import { tensorCounter } from '@trainwatch/core/testing';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '@trainwatch/core';
import { loadSnapshot } from '../src';
import { codes, guarded, loud, mnistWith } from './helpers';

const dense = (units: number, activation: string, seed: number, extra: Record<string, unknown> = {}) =>
  tf.layers.dense({
    units,
    activation: activation as 'relu',
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    ...extra,
  });

describe('gradient-guard on faulty runs', () => {
  it('learning rate far too high: catches the blow-up, stops (status stopped) and writes a snapshot that reproduces the step', async () => {
    const r = await guarded({
      taskOptions: { limit: 1000 },
      training: { optimizer: 'sgd', learningRate: 1e30, epochs: 3 },
    });
    expect(r.status).toBe('stopped');
    // The first warning comes at or before the first NaN: the absurd update itself is flagged.
    const firstNan = r.findings.find((f) => f.code.startsWith('nonfinite-'))!;
    const firstWarn = r.findings.find(
      (f) => ['update-ratio-high', 'exploding-gradient'].includes(f.code) || f.code.startsWith('nonfinite-'),
    )!;
    expect(firstWarn.step).toBeLessThanOrEqual(firstNan.step);
    expect(r.summary.steps).toBe(firstNan.step + 1);
    const stopFinding = r.findings.find((f) => f.code.startsWith('nonfinite-'))!;
    expect(r.reason).toBe(`gradient-guard: ${stopFinding.code} at step ${stopFinding.step}`);
    // The snapshot: weights before the bad step and its batch give the same non-finite result again.
    const snap = loadSnapshot(path.join(r.runDir, 'gradient-guard/snapshots', `step-${stopFinding.step}`));
    expect(snap.manifest.reason).toBe(stopFinding.code);
    const model = tf.sequential({
      layers: [
        dense(128, 'relu', 1, { inputShape: [784], name: 'hidden1' }),
        dense(64, 'relu', 2, { name: 'hidden2' }),
        dense(10, 'softmax', 3, { name: 'output' }),
      ],
    });
    model.setWeights(Object.values(snap.tensors.weight)); // written in model order
    // Replay the step: the snapshot's weights and batch through the same architecture and loss.
    const x = snap.tensors.input['inputs']!;
    const y = snap.tensors.label['labels']!;
    const allFinite = (ts: tf.Tensor[]) => ts.every((t) => tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0] === 1));
    const replay = tf.tidy(() => {
      const lossOf = () =>
        tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(model.predict(x) as tf.Tensor, 1e-7, 1 - 1e-7))), -1)));
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(lossOf as () => tf.Scalar, vars);
      return { loss: value.dataSync()[0]!, gradsFinite: allFinite(Object.values(grads)) };
    });
    // The weights entering the bad step were still finite (the absurd update before it made them
    // huge, not NaN): the snapshot holds those weights, not the wreck after the step.
    expect(allFinite(Object.values(snap.tensors.weight))).toBe(true);
    // The step itself goes non-finite again on replay, as it did in the run, and the snapshot's
    // gradients are the non-finite ones the guard saw.
    expect(replay.gradsFinite).toBe(false);
    expect(allFinite(Object.values(snap.tensors.grad))).toBe(false);
    expect(Number.isFinite(replay.loss)).toBe(Number.isFinite(snap.manifest.loss));
    if (Number.isFinite(snap.manifest.loss)) expect(replay.loss).toBeCloseTo(snap.manifest.loss, 3);
    model.dispose();
    tf.dispose([
      ...Object.values(snap.tensors.input),
      ...Object.values(snap.tensors.label),
      ...Object.values(snap.tensors.weight),
      ...Object.values(snap.tensors.grad),
    ]);
  });

  it('deep sigmoid MLP with small initial weights: vanishing-gradient naming the early layers', async () => {
    const task = mnistWith('deep-sigmoid', (seed) => {
      const m = tf.sequential();
      for (let i = 0; i < 9; i++) {
        m.add(
          tf.layers.dense({
            units: 32,
            activation: 'sigmoid',
            name: `s${i + 1}`,
            kernelInitializer: tf.initializers.randomNormal({ stddev: 0.05, seed: seed + i }),
            ...(i === 0 ? { inputShape: [784] } : {}),
          }),
        );
      }
      m.add(dense(10, 'softmax', seed + 99, { name: 'out' }));
      return m;
    });
    const r = await guarded({ task, training: { epochs: 3 } });
    const f = r.findings.find((x) => x.code === 'vanishing-gradient')!;
    expect(f).toMatchObject({ severity: 'warn', layer: 's1' });
    expect((f.evidence['layers'] as string[]).slice(0, 3)).toEqual(['s1', 's2', 's3']);
  });

  it('learning rate 1e-7: update-ratio-low; learning rate 0: weights-not-updating', async () => {
    const low = await guarded({
      taskOptions: { limit: 1000 },
      training: { learningRate: 1e-7, optimizer: 'sgd', epochs: 10 },
    });
    expect(codes(low)).toContain('update-ratio-low');
    expect(codes(low)).not.toContain('weights-not-updating');
    const zero = await guarded({ taskOptions: { limit: 1000 }, training: { learningRate: 1e-30, optimizer: 'sgd' } });
    expect(zero.findings.filter((f) => f.code === 'weights-not-updating').map((f) => f.layer)).toEqual(
      expect.arrayContaining(['hidden1', 'hidden2', 'output']),
    );
  });
});

describe('gradient-guard on healthy runs', () => {
  it.each(['mnist-mlp', 'mnist-cnn'] as const)(
    '%s with default options: no finding at warn or above',
    async (builtin) => {
      const r = await guarded({ builtin, taskOptions: { limit: 3000 }, training: { epochs: 2 } });
      expect(r.status).toBe('completed');
      expect(loud(r)).toEqual([]);
      expect(r.summary.final['val_acc']).toBeGreaterThan(0.7);
    },
  );
});

describe('gradient-guard actions', () => {
  it('clip bounds the applied gradient norm; the clipping shows in batch:end', async () => {
    const r = await guarded({
      taskOptions: { limit: 500 },
      training: { learningRate: 0.01 },
      guard: { exploding: { action: ['clip'], clipNorm: 0.05 } },
    });
    expect(r.status).toBe('completed');
    const events = fs
      .readFileSync(path.join(r.runDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l: string) => JSON.parse(l));
    const ends = events.filter((e: { event: string }) => e.event === 'batch:end');
    const clipped = ends.filter((e: { update: { interventions: { reason: string }[] } }) =>
      e.update.interventions.some((i) => /clipped global gradient norm/.test(i.reason)),
    );
    expect(clipped.length).toBeGreaterThan(ends.length / 2);
  });

  it('skip-step leaves the weights unchanged on the steps it skips', async () => {
    const r = await guarded({
      taskOptions: { limit: 1000 },
      training: { optimizer: 'sgd', learningRate: 1e30 },
      guard: { nonfinite: { action: ['skip-step'] } },
    });
    expect(r.status).toBe('completed');
    const f = r.findings.find((x) => x.code.startsWith('nonfinite-'))!;
    expect(f).toBeDefined();
    // Weights stay finite: every non-finite update was dropped, so training goes on.
    expect(codes(r)).not.toContain('nonfinite-weights');
  });

  it('non-finite gradients applied (warn only) make the weights NaN: named at the next step, though Σw² is read every 10th check', async () => {
    const r = await guarded({
      taskOptions: { limit: 1000 },
      training: { optimizer: 'sgd', learningRate: 1e30, maxSteps: 8 },
      guard: { nonfinite: { action: ['warn'] } },
    });
    const first = r.findings.find((x) => x.code.startsWith('nonfinite-'))!;
    const weights = r.findings.find((x) => x.code === 'nonfinite-weights');
    expect(weights).toBeDefined();
    expect(weights!.layer).toBeDefined();
    expect(weights!.step).toBe(first.step! + 1);
  });

  it('series.jsonl keeps every step of the first 50, then every 10th check', async () => {
    const r = await guarded({ taskOptions: { limit: 3000, hidden: [16] }, training: { epochs: 5, maxSteps: 80 } });
    const steps = fs
      .readFileSync(path.join(r.runDir, 'gradient-guard', 'series.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([...Array.from({ length: 50 }, (_, i) => i), 50, 60, 70]);
  });

  it('keeps the tensor count flat across steps (gradient checks included)', async () => {
    const counter = tensorCounter([10, 60]);
    const before = tf.memory().numTensors;
    const r = await guarded({
      taskOptions: { limit: 1000 },
      training: { epochs: 5 },
      guard: { gradientCheck: { mode: 'directional', steps: [0, 20] } },
      extra: [counter.use],
    });
    expect(r.status).toBe('completed');
    expect(counter.at(60)).toBeDefined();
    expect(counter.at(60)).toBe(counter.at(10));
    expect(tf.memory().numTensors).toBe(before);
  });
});
