import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, defineTask, tf, type Finding } from '@trainwatch/core';
import { codes, guarded, mnistWith } from './helpers';

/** A dense layer whose kernel gradient comes from a hand-written tf.customGrad: `scale` 1 is right, 0.5 or -1 is a bug. */
class CustomDense extends tf.layers.Layer {
  static className = 'CustomDense';
  private kernel!: tf.LayerVariable;
  constructor(private readonly cfg: { units: number; scale: number; seed: number; name: string }) {
    super({ name: cfg.name });
  }
  override build(shape: tf.Shape | tf.Shape[]): void {
    const s = shape as tf.Shape;
    this.kernel = this.addWeight(
      'kernel',
      [s[s.length - 1]!, this.cfg.units],
      'float32',
      tf.initializers.glorotUniform({ seed: this.cfg.seed }),
    );
    this.built = true;
  }
  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(shape as tf.Shape)[0]!, this.cfg.units];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
    const scale = this.cfg.scale;
    // customGrad's typing takes one variadic argument list; the layer passes two tensors then `save`.
    const matmul = (tf.customGrad as unknown as CustomGrad)((a: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a, w]);
      return {
        value: tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          tf.matMul(dy as tf.Tensor2D, saved[1] as tf.Tensor2D, false, true),
          tf.mul(tf.matMul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D, true, false), scale),
        ],
      };
    });
    return tf.tanh(matmul(x, this.kernel.read()));
  }
}

type CustomGrad = (
  f: (
    a: tf.Tensor,
    w: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] },
) => (a: tf.Tensor, w: tf.Tensor) => tf.Tensor;

const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

function withCustom(scale: number) {
  return mnistWith(`custom-${scale}`.replace('.', '').replace('-1', 'neg'), (seed) => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [784], name: 'd1', ...seeded(seed) }));
    m.add(new CustomDense({ units: 16, scale, seed: seed + 1, name: 'custom' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 2) }));
    return m;
  });
}

const check = { gradientCheck: { steps: [0, 40] } };
const failures = (fs: readonly Finding[]) => fs.filter((f) => f.code === 'gradient-check-failed');
const passes = (fs: readonly Finding[]) => fs.filter((f) => f.code === 'gradient-check-passed');

/** Token sequences whose label is the first token's parity: an embedding + LSTM task. */
const tokens = defineTask({
  name: 'tokens',
  create(_o, ctx) {
    const n = 256;
    const seqs = Array.from({ length: n }, (_, i) =>
      Array.from({ length: 6 }, (_, j) => (i * 7 + j * 13 + ((i * j) % 5)) % 20),
    );
    const x = tf.tensor2d(seqs, [n, 6], 'float32');
    const y = tf.tidy(() =>
      tf
        .oneHot(
          tf.tensor1d(
            seqs.map((s) => s[0]! % 2),
            'int32',
          ),
          2,
        )
        .toFloat(),
    );
    const m = tf.sequential();
    m.add(
      tf.layers.embedding({
        inputDim: 20,
        outputDim: 8,
        inputLength: 6,
        name: 'emb',
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: ctx.seed }),
      }),
    );
    m.add(
      tf.layers.lstm({
        units: 12,
        name: 'lstm',
        ...seeded(ctx.seed + 1),
        recurrentInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 2 }),
      }),
    );
    m.add(tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', ...seeded(ctx.seed + 3) }));
    return { model: m, loss: 'categoricalCrossentropy', metrics: ['accuracy'], train: { x, y } };
  },
});

describe('finite-difference gradient check', () => {
  it('fires on a layer whose custom gradient is half the true one, naming that layer', async () => {
    const r = await guarded({ task: withCustom(0.5), training: { epochs: 1, maxSteps: 1 }, guard: check });
    const f = failures(r.findings);
    expect(f.map((x) => x.layer)).toEqual(['custom']);
    const ev = f[0]!.evidence as { analytic: number; numeric: number };
    expect(ev.analytic / ev.numeric).toBeCloseTo(0.5, 1);
  });

  it('fires on a wrong sign', async () => {
    const r = await guarded({ task: withCustom(-1), training: { epochs: 1, maxSteps: 1 }, guard: check });
    expect(failures(r.findings).map((x) => x.layer)).toEqual(['custom']);
  });

  it('stays quiet on the same layer with the right gradient (steps 0 and 40)', async () => {
    const r = await guarded({ task: withCustom(1), training: { epochs: 20, maxSteps: 41 }, guard: check });
    expect(failures(r.findings)).toEqual([]);
    expect(passes(r.findings)).toHaveLength(2);
  });

  it.each([
    ['relu', 'relu'],
    ['tanh', 'tanh'],
    ['sigmoid', 'sigmoid'],
  ] as const)('stays quiet on a dense %s network with softmax output', async (_n, activation) => {
    const task = mnistWith(`dense-${activation}`, (seed) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 64, activation, inputShape: [784], name: 'h1', ...seeded(seed) }));
      m.add(tf.layers.dense({ units: 32, activation, name: 'h2', ...seeded(seed + 1) }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 2) }));
      return m;
    });
    const r = await guarded({ task, training: { epochs: 20, maxSteps: 41 }, guard: check });
    expect(failures(r.findings)).toEqual([]);
    expect(passes(r.findings)).toHaveLength(2);
  });

  it('says inconclusive, not passed, when most gradients are exactly 0 (a dead ReLU layer)', async () => {
    // h1's biases at -10 keep every unit off: h1's kernel and bias and out's kernel get no gradient,
    // which finite differences cannot compare; only out's bias can be judged.
    const task = mnistWith('dead-for-check', (seed) => {
      const m = tf.sequential();
      m.add(
        tf.layers.dense({
          units: 16,
          activation: 'relu',
          inputShape: [784],
          name: 'h1',
          biasInitializer: tf.initializers.constant({ value: -10 }),
          ...seeded(seed),
        }),
      );
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'out', ...seeded(seed + 1) }));
      return m;
    });
    const r = await guarded({ task, training: { epochs: 1, maxSteps: 1 }, guard: { gradientCheck: { steps: [0] } } });
    expect(failures(r.findings)).toEqual([]);
    expect(passes(r.findings)).toEqual([]);
    const f = r.findings.find((x) => x.code === 'gradient-check-inconclusive')!;
    expect(f.message).toMatch(/inconclusive: agrees for 1 of 4 variables/);
  });

  it('stays quiet on the ReLU + max-pool CNN (mnist-cnn), before and after training', async () => {
    const r = await guarded({
      builtin: 'mnist-cnn',
      taskOptions: { limit: 1000 },
      training: { epochs: 20, maxSteps: 41 },
      guard: check,
    });
    expect(failures(r.findings)).toEqual([]);
    expect(passes(r.findings)).toHaveLength(2);
  });

  it('stays quiet on embedding + LSTM', async () => {
    const r = await guarded({ task: tokens, training: { epochs: 20, maxSteps: 41 }, guard: check });
    expect(codes(r)).not.toContain('gradient-check-failed');
    expect(passes(r.findings)).toHaveLength(2);
    const judged = passes(r.findings)[0]!.evidence as { variables: Record<string, unknown> };
    // Every variable (embedding, LSTM kernel/recurrent/bias, output) was actually compared.
    expect(Object.values(judged.variables).every((v) => typeof v === 'number')).toBe(true);
  });
});

describe('on demand', () => {
  it('a check-now file in the run directory triggers a check at the next step a second on (looked for once a second)', async () => {
    let dir = '';
    const toucher = definePlugin({
      name: 'toucher',
      setup: (ctx) => {
        dir = ctx.artifacts.dir;
        ctx.bus.on('batch:end', async (e) => {
          if (e.step !== 7) return;
          fs.writeFileSync(ctx.artifacts.path('gradient-guard/check-now'), '');
          await new Promise((resolve) => setTimeout(resolve, 1100));
        });
      },
    });
    const r = await guarded({
      builtin: 'mnist-mlp',
      taskOptions: { limit: 1000 },
      training: { epochs: 2, maxSteps: 12 },
      extra: [{ plugin: toucher, options: {} }],
    });
    expect(passes(r.findings).map((f) => f.step)).toEqual([0, 8]);
    expect(fs.existsSync(path.join(dir, 'gradient-guard', 'check-now'))).toBe(false);
  });
});
