import { tf, resolveLoss, type BatchSource } from '../src';
import { EventBus, InterceptorChain, RunControl, selectBackend, Trainer } from '../src/runner';

beforeAll(async () => {
  await selectBackend('cpu');
});

function model(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
}

/** A batch source that answers with a promise on odd batches and at once on even ones. */
function mixedSource(steps: number): BatchSource {
  const make = (seed: number) =>
    tf.tidy(() => ({
      x: tf.randomNormal([8, 2], 0, 1, 'float32', seed),
      y: tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0], 'int32'), 2).toFloat(),
    }));
  return {
    kind: 'batch-source',
    stepsPerEpoch: steps,
    next: (ctx) =>
      ctx.batch % 2 === 1 ? new Promise((resolve) => setImmediate(() => resolve(make(ctx.step)))) : make(ctx.step),
  };
}

function trainer(bus: EventBus, train: BatchSource, m: tf.LayersModel, steps: number): Trainer {
  return new Trainer({
    runId: 't',
    task: 'mixed',
    backend: 'cpu',
    model: m,
    loss: resolveLoss('categoricalCrossentropy'),
    metrics: ['accuracy'],
    optimizer: tf.train.sgd(0.1),
    train,
    epochs: 2,
    batchSize: 8,
    seed: 3,
    maxSteps: steps,
    bus,
    interceptors: new InterceptorChain(() => {}),
    control: new RunControl(),
  });
}

describe('a step waits for exactly what is pending: async batch sources and listeners, in order', () => {
  it('steps run one after another whether the source or a batch:end listener answers now or later', async () => {
    const m = model();
    const bus = new EventBus();
    const seen: string[] = [];
    const box: { t?: Trainer } = {};
    bus.on('batch:begin', (e) => void seen.push(`begin${e.step}`));
    bus.on('batch:end', async (e) => {
      // The trainer reports this step's index while its batch:end runs, later ones only after.
      seen.push(`end${e.step}@${box.t!.step}`);
      if (e.step % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      seen.push(`done${e.step}`);
    });
    const t = (box.t = trainer(bus, mixedSource(4), m, 6));
    const before = tf.memory().numTensors;
    const end = await t.run();
    expect(end.status).toBe('completed');
    expect(t.step).toBe(6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5].flatMap((s) => [`begin${s}`, `end${s}@${s}`, `done${s}`]));
    expect(Number.isFinite(t.metrics['loss'])).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('a batch:end listener that rejects is reported and the run goes on; one that throws at once too', async () => {
    const m = model();
    const bus = new EventBus();
    const errors: string[] = [];
    bus.setErrorHandler((owner, event) => void errors.push(`${owner}/${event}`));
    bus.on(
      'batch:end',
      async (e) => {
        if (e.step === 1) throw new Error('later');
      },
      undefined,
      'late',
    );
    bus.on(
      'batch:end',
      (e) => {
        if (e.step === 2) throw new Error('now');
      },
      undefined,
      'now',
    );
    const t = trainer(bus, mixedSource(4), m, 4);
    const end = await t.run();
    expect(end.status).toBe('completed');
    expect(t.step).toBe(4);
    expect(errors).toEqual(['late/batch:end', 'now/batch:end']);
    m.dispose();
  });
});
