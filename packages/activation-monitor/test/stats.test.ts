import { tf } from '@trainwatch/core';
import { firstRows, layerStats, type StatsSettings } from '../src/stats';
import type { WatchedLayer } from '../src/layers';

const settings: StatsSettings = { bins: 8, range: 4, samples: 4096, threshold: 2, histogram: true };
const num = (t: tf.Tensor) => t.dataSync()[0]!;

/** The statistics computed independently with tensor ops on the whole sample (the reference). */
function reference(out: tf.Tensor) {
  return tf.tidy(() => {
    const rows = tf.reshape(out, [out.shape[0]!, -1]);
    const { mean, variance } = tf.moments(out);
    const perFeature = tf.moments(rows, 0);
    return {
      mean: num(mean),
      std: Math.sqrt(num(variance)),
      min: num(tf.min(out)),
      max: num(tf.max(out)),
      zeros: num(tf.mean(tf.cast(tf.equal(out, 0), 'float32'))),
      spread: num(tf.mean(tf.sqrt(perFeature.variance))),
    };
  });
}

const layer = (activation: string, kind: WatchedLayer['kind']): WatchedLayer => ({
  layer: 'l',
  activation,
  kind,
  source: undefined,
});

describe('layer statistics on the host', () => {
  const pre = tf.randomNormal([16, 5, 5, 6], 0.3, 2, 'float32', 11);
  afterAll(() => pre.dispose());

  it.each([
    ['relu', 'relu' as const, (x: tf.Tensor) => tf.relu(x)],
    ['sigmoid', 'saturating' as const, (x: tf.Tensor) => tf.sigmoid(x)],
    ['tanh', 'saturating' as const, (x: tf.Tensor) => tf.tanh(x)],
    ['elu', 'other' as const, (x: tf.Tensor) => tf.elu(x)],
  ])('%s: output moments, zeros and spread equal tensor ops on the same values', (activation, kind, f) => {
    const out = f(pre);
    const s = layerStats(layer(activation, kind), out.dataSync() as Float32Array, out.shape, undefined, settings);
    const ref = reference(out);
    expect(s.out.mean).toBeCloseTo(ref.mean, 5);
    expect(s.out.std).toBeCloseTo(ref.std, 4);
    expect(s.out.min).toBe(ref.min);
    expect(s.out.max).toBe(ref.max);
    expect(s.out.zeros).toBeCloseTo(ref.zeros, 6);
    expect(s.spread).toBeCloseTo(ref.spread, 4);
    out.dispose();
  });

  it('per-unit shares: ReLU active and sigmoid/tanh saturated per channel (last axis)', () => {
    const relu = tf.relu(pre);
    const s = layerStats(layer('relu', 'relu'), relu.dataSync() as Float32Array, relu.shape, undefined, settings);
    const active = tf.tidy(() => tf.mean(tf.cast(tf.greater(tf.reshape(pre, [-1, 6]), 0), 'float32'), 0).dataSync());
    expect(Array.from(s.active!)).toEqual(Array.from(active).map((v) => expect.closeTo(v, 6)));
    const sig = tf.sigmoid(pre);
    const t = layerStats(
      layer('sigmoid', 'saturating'),
      sig.dataSync() as Float32Array,
      sig.shape,
      undefined,
      settings,
    );
    const saturated = tf.tidy(() =>
      tf.mean(tf.cast(tf.greaterEqual(tf.abs(tf.reshape(pre, [-1, 6])), 2), 'float32'), 0).dataSync(),
    );
    // Through the output (|x| >= 2 exactly when sigmoid(x) is outside [σ(-2), σ(2)]): float32 rounding of σ near the edge aside.
    for (let u = 0; u < 6; u++) expect(t.saturated![u]).toBeCloseTo(saturated[u]!, 2);
    tf.dispose([relu, sig]);
  });

  it('pre-activation summary and a histogram of it over [-range, range], clipped into the edge bins', () => {
    const relu = tf.relu(pre);
    const values = pre.dataSync() as Float32Array;
    const s = layerStats(layer('relu', 'relu'), relu.dataSync() as Float32Array, relu.shape, values, settings);
    const ref = reference(pre);
    expect(s.pre!.mean).toBeCloseTo(ref.mean, 5);
    expect(s.pre!.std).toBeCloseTo(ref.std, 4);
    expect(s.hist!.of).toBe('pre');
    expect(s.hist!.counts.reduce((a, b) => a + b, 0)).toBe(values.length); // 2,400 values <= samples: all
    const expected = new Array<number>(8).fill(0);
    for (const x of values) expected[Math.min(7, Math.max(0, Math.floor((x + 4) / 1)))]!++;
    expect(s.hist!.counts).toEqual(expected);
    relu.dispose();
  });

  it('a histogram of a large sample takes a stride coprime to the channels, so every channel is binned', () => {
    // Channel c holds the value c everywhere: a stride that is a multiple of 6 would only see channel 0.
    const v = Float32Array.from({ length: 16 * 5 * 5 * 6 }, (_, i) => i % 6);
    const s = layerStats(layer('elu', 'other'), v, [16, 5, 5, 6], undefined, {
      ...settings,
      samples: 400,
      range: 8,
      bins: 16,
    });
    const total = s.hist!.counts.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(401);
    expect(total).toBeGreaterThan(300);
    expect(s.hist!.counts.filter((c) => c > 0).length).toBe(6);
  });

  it('NaN in the output shows in every summary (it is not skipped) and has no histogram bin', () => {
    const v = Float32Array.from([1, 2, Number.NaN, 4]);
    const s = layerStats(layer('elu', 'other'), v, [2, 2], undefined, settings);
    expect(s.out.mean).toBeNaN();
    expect(s.out.max).toBeNaN();
    expect(s.hist!.counts.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('firstRows', () => {
  it('views the first rows of a batch-first array (all of it when the batch is no larger)', () => {
    const v = Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => i);
    const [head, shape] = firstRows(v, [4, 3, 2], 2);
    expect(shape).toEqual([2, 3, 2]);
    expect(Array.from(head)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(firstRows(v, [4, 3, 2], 0)[1]).toEqual([4, 3, 2]);
    expect(firstRows(v, [4, 3, 2], 8)[0].length).toBe(24);
  });
});
