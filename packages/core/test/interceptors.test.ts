import { definePlugin, tf, type GradientDecision, type GradientStep } from '../src';
import { runWith } from '../src/testing';
import { blobs } from './helpers';

const intercepting = (name: string, decide: (s: GradientStep) => unknown) =>
  definePlugin({ name, setup: (ctx) => void ctx.interceptGradients((s) => decide(s) as GradientDecision) });

describe('an interceptor that returns something the core cannot apply', () => {
  it("is that plugin's error (named, with what is wrong); the step keeps its own gradients and the run goes on", async () => {
    const r = await runWith({
      task: blobs,
      taskOptions: { n: 64 },
      training: { epochs: 1 },
      plugins: [
        { plugin: intercepting('nulls', () => ({ action: 'replace', reason: 'x', grads: null })) },
        {
          plugin: intercepting('shapes', (s) => ({
            action: 'replace',
            reason: 'x',
            grads: Object.fromEntries(Object.keys(s.grads).map((k) => [k, tf.zeros([1])])),
          })),
        },
        {
          plugin: intercepting('dtypes', (s) => ({
            action: 'replace',
            reason: 'x',
            grads: Object.fromEntries(Object.entries(s.grads).map(([k, g]) => [k, tf.zerosLike(g).toInt()])),
          })),
        },
        { plugin: intercepting('promises', async () => undefined) },
        { plugin: intercepting('actions', () => ({ action: 'clip', reason: 'x' })) },
      ],
    });
    expect(r.status).toBe('completed');
    const byPlugin = Object.fromEntries(
      r.findings.filter((f) => f.code === 'plugin-error').map((f) => [f.plugin, f.message]),
    );
    expect(byPlugin['nulls']).toMatch(
      /failed in interceptGradients: replace: grads must be a map of tensors by variable name, got null/,
    );
    expect(byPlugin['shapes']).toMatch(/replace: grads\["[^"]+"\] has shape \[1\], the variable's gradient \[8,16\]/);
    expect(byPlugin['dtypes']).toMatch(/replace: grads\["[^"]+"\] is int32, the variable's gradient float32/);
    expect(byPlugin['promises']).toMatch(/must return its decision synchronously, not a Promise/);
    expect(byPlugin['actions']).toMatch(/unknown action "clip"/);
    // Every step applied its own gradients: the same losses as a run without the interceptors.
    const plain = await runWith({ task: blobs, taskOptions: { n: 64 }, training: { epochs: 1 } });
    expect(r.summary.final['loss']).toBeCloseTo(plain.summary.final['loss']!, 6);
  });
});

describe('a listener that disposes what it was lent', () => {
  const disposer = (
    name: string,
    what: (
      e: { inputs: tf.Tensor; grads: tf.NamedTensorMap },
      model: { weights: { read(): tf.Tensor }[] },
    ) => tf.Tensor,
  ) =>
    definePlugin({
      name,
      setup: (ctx) =>
        void ctx.bus.on('grads:computed', (e) => {
          if (e.step === 1) what(e, ctx.model as never).dispose();
        }),
    });

  it.each([
    ['an input batch', 'a lent tensor', (e: { inputs: tf.Tensor }) => e.inputs],
    ['a gradient', 'a lent tensor', (e: { grads: tf.NamedTensorMap }) => Object.values(e.grads)[0]!],
    [
      'a model weight',
      'a model weight',
      (_e: unknown, m: { weights: { read(): tf.Tensor }[] }) => m.weights[0]!.read(),
    ],
  ])('%s: the run fails with a reason naming the plugin and the event', async (_what, kind, pick) => {
    const r = await runWith({
      task: blobs,
      taskOptions: { n: 96 },
      training: { epochs: 1 },
      plugins: [{ plugin: disposer('careless', pick as never) }],
    });
    expect(r.status).toBe('failed');
    expect(r.reason).toBe(
      `careless disposed ${kind} in its "grads:computed" listener: event tensors are lent (clone what you keep) and the weights are the run's`,
    );
    expect(r.summary.steps).toBe(1);
  });
});
