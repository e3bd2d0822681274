import { definePlugin, tf } from '../src';
import { run } from './helpers';

describe('grads:computed probe', () => {
  it('evaluates the loss at shifted weights and restores them exactly, without leaking tensors', async () => {
    const seen: { base: number; shifted: number; restored: boolean; leaked: number }[] = [];
    const plugin = definePlugin({
      name: 'probe-user',
      setup(ctx) {
        ctx.bus.on('grads:computed', (e) => {
          if (e.step !== 2) return;
          const name = e.params[0]!.name;
          const w = ctx.model.layers[0]!.getWeights()[0]!;
          const before = w.dataSync().slice();
          const n0 = tf.memory().numTensors;
          const base = e.probe.loss();
          const shifted = e.probe.loss({ [name]: tf.onesLike(w) });
          const grads = e.probe.grads();
          tf.dispose(grads);
          const after = ctx.model.layers[0]!.getWeights()[0]!.dataSync();
          seen.push({
            base,
            shifted,
            restored: after.every((v, i) => v === before[i]),
            leaked: tf.memory().numTensors - n0,
          });
        });
      },
    });
    await run({ plugins: [{ plugin, options: {} }] });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.restored).toBe(true);
    expect(seen[0]!.shifted).not.toBeCloseTo(seen[0]!.base, 3);
    expect(seen[0]!.leaked).toBeLessThanOrEqual(1); // the onesLike offset, freed by the dispatch's tidy
  });
});
