import { tf } from '@trainwatch/core';
import { selectBackend } from '@trainwatch/core/runner';
import {
  sampledSquaredDifferences,
  sampleStride,
  SquareSums,
  sumOfSquares,
  sumOfSquaredDifferences,
} from '../src/square-sums';

/** The sums as the plugin gets them: at once on the host, or from the queued readback tensor. */
function finish(sums: SquareSums): Float32Array {
  let queued: Float32Array | undefined;
  const host = sums.finish((_key, x) => {
    queued = x.dataSync().slice() as Float32Array;
    x.dispose();
  }, 'k');
  return host ?? queued ?? new Float32Array(0);
}

describe('sums of squares', () => {
  beforeAll(() => selectBackend('wasm'));

  it('match tensor ops on every length (the unrolled loops’ remainders included)', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 1001]) {
      const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1) * (i % 3));
      const b = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
      const direct = a.reduce((s, v) => s + v * v, 0);
      const diff = a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
      expect(sumOfSquares(a)).toBeCloseTo(direct, 9);
      expect(sumOfSquaredDifferences(a, b)).toBeCloseTo(diff, 9);
    }
  });

  it('host memory and tensor ops give the same sums, in the order asked, for float and int tensors', () => {
    const g = tf.randomNormal([300, 7], 0, 2, 'float32', 3);
    const w = tf.randomNormal([13], 0, 1, 'float32', 4);
    const w2 = tf.add(w, 0.25);
    const ints = tf.tensor1d([3, -4], 'int32');
    const results = [true, false].map((onHost) => {
      const s = new SquareSums(onHost);
      s.of([g, w, ints]);
      s.diff([w2], [w]);
      expect(s.size).toBe(4);
      return finish(s);
    });
    const expected = tf.tidy(() => [tf.sum(tf.square(g)).dataSync()[0]!, tf.sum(tf.square(w)).dataSync()[0]!]);
    expect(results[0]![0]).toBeCloseTo(expected[0]!, 1);
    expect(results[0]![1]).toBeCloseTo(expected[1]!, 4);
    expect(results[0]![2]).toBe(25);
    expect(results[0]![3]).toBeCloseTo(13 * 0.0625, 5);
    for (let i = 0; i < 4; i++) expect(results[0]![i]! / results[1]![i]!).toBeCloseTo(1, 5);
    tf.dispose([g, w, w2, ints]);
  });

  it('a NaN or Inf anywhere makes its sum non-finite, on both paths', () => {
    const t = tf.tensor1d([1, 2, Number.NaN, 4, 5]);
    const u = tf.tensor1d([1, Number.POSITIVE_INFINITY, 0]);
    for (const onHost of [true, false]) {
      const s = new SquareSums(onHost);
      s.of([t, u]);
      const v = finish(s);
      expect(Number.isNaN(v[0]!)).toBe(true);
      expect(v[1]).toBe(Number.POSITIVE_INFINITY);
    }
    tf.dispose([t, u]);
  });

  it('leaves no tensors behind on either path', () => {
    const g = tf.randomNormal([50]);
    const before = tf.memory().numTensors;
    for (const onHost of [true, false]) {
      const s = new SquareSums(onHost);
      s.of([g, g]);
      s.diff([g], [g]);
      finish(s);
    }
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });

  it('a sampled Σ(a−b)² estimates the full sum to a few percent; a sparse change is never read as none', () => {
    const n = 784 * 128;
    const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Float32Array.from(a, (v, i) => v + 1e-3 * Math.cos(3 * i));
    const exact = sumOfSquaredDifferences(a, b);
    const stride = sampleStride(n, 128, 4096);
    expect(stride).toBeGreaterThanOrEqual(25);
    expect(stride % 2).toBe(1); // coprime with 128: every column is visited in turn
    for (const round of [0, 1, 7])
      expect(Math.abs(sampledSquaredDifferences(a, b, stride, round) / exact - 1)).toBeLessThan(0.05);
    // One changed entry the sample skips (an embedding row updated by one token): the full pass finds it.
    const c = a.slice();
    c[1] = a[1]! + 0.5;
    expect(sampledSquaredDifferences(a, c, stride, 0)).toBeCloseTo(0.25, 6);
    expect(sampledSquaredDifferences(a, a, stride, 0)).toBe(0);
    expect(sampleStride(100, 10, 4096)).toBe(1); // small variables are summed whole
    expect(sampleStride(50_000, 10, 4096)).toBe(13); // 13 is the first stride >= 13 coprime with 10
  });
});
