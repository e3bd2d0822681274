import { definePlugin, tf, type PluginUse } from '../src';
import { run } from './helpers';

/** A plugin that reads the shared validation predictions at every epoch end (twice) and checks them. */
function reader(seen: { same: number[]; matches: number[]; rows: number[]; firstValue: number[] }): PluginUse {
  return {
    plugin: definePlugin({
      name: 'reader',
      setup(ctx) {
        ctx.bus.on('epoch:end', async () => {
          const a = (await ctx.validationPredictions())!;
          const b = (await ctx.validationPredictions())!;
          seen.same.push(a === b ? 1 : 0);
          // What the model predicts now, computed here: the shared pass must be for the current weights.
          const direct = ctx.model.predict(ctx.task.validation!.x) as tf.Tensor;
          seen.matches.push(tf.tidy(() => tf.max(tf.abs(tf.sub(direct, a))).dataSync()[0]!));
          direct.dispose();
          seen.rows.push(a.shape[0]!);
          seen.firstValue.push(a.dataSync()[0]!);
        });
      },
    }),
    options: {},
  };
}

describe('one validation pass per weight update, shared by the trainer and plugins', () => {
  it('at each epoch end the held-out set goes through the model once for the trainer and every reader', async () => {
    const seen = { same: [] as number[], matches: [] as number[], rows: [] as number[], firstValue: [] as number[] };
    const spy = jest.spyOn(tf.LayersModel.prototype, 'predict');
    const before = tf.memory().numTensors;
    let r;
    let rows: number[];
    try {
      r = await run({ plugins: [reader(seen)], training: { epochs: 3, validation: { split: 0.25 } } });
      rows = spy.mock.calls.map(([x]) => (x as tf.Tensor).shape[0]!);
    } finally {
      spy.mockRestore();
    }
    expect(r.status).toBe('completed');
    // Per epoch: one shared pass (64 rows: the trainer's validation and both reads) + the reader's own check.
    expect(rows).toEqual([64, 64, 64, 64, 64, 64]);
    expect(seen.same).toEqual([1, 1, 1]);
    expect(seen.rows).toEqual([64, 64, 64]);
    // The pass is for the current weights: it matches a fresh predict, and it changes as the model trains.
    expect(Math.max(...seen.matches)).toBeLessThan(1e-6);
    expect(new Set(seen.firstValue).size).toBe(3);
    expect(r.summary.final['val_loss']).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
