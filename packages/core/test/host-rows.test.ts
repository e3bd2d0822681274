import { tf } from '../src';
import { hostRows } from '../src/runner';
import { selectBackend } from '../src/runner';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('batches built from a host copy of the dataset', () => {
  it('gather and range give the rows tf.gather / tf.slice give, in every dtype, and leave the dataset alone', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor3d(
      Array.from({ length: 5 * 2 * 3 }, (_, i) => i * 0.5),
      [5, 2, 3],
    );
    const labels = tf.tensor1d([4, 3, 2, 1, 0], 'int32');
    const flags = tf.tensor1d([true, false, true, true, false], 'bool');
    // Rows wider than 16 values are copied another way (whole-row views).
    const wide = tf.tensor2d(
      Array.from({ length: 5 * 20 }, (_, i) => i),
      [5, 20],
    );
    const idx = Int32Array.from([3, 0, 4]);
    for (const t of [x, labels, flags, wide]) {
      const rows = hostRows(t);
      const got = rows.gather(idx);
      const want = tf.gather(t, Array.from(idx));
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(want.shape);
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
      const r = rows.range(1, 3);
      const s = tf.slice(t, 1, 3);
      expect(r.shape).toEqual(s.shape);
      expect(Array.from(r.dataSync())).toEqual(Array.from(s.dataSync()));
      tf.dispose([got, want, r, s]);
      expect(t.isDisposed).toBe(false);
    }
    // The same view is reused (one host copy per tensor).
    expect(hostRows(x)).toBe(hostRows(x));
    tf.dispose([x, labels, flags, wide]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
