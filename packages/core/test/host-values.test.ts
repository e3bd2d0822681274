import { hostValues, onHostBackend, tf } from '../src';
import { selectBackend } from '../src/backend/select-backend';

describe('hostValues', () => {
  afterAll(() => selectBackend('wasm'));

  it.each(['wasm', 'cpu'] as const)('gives a tensor’s values in host memory on %s', async (name) => {
    await selectBackend(name);
    expect(onHostBackend()).toBe(true);
    const t = tf.tensor2d([
      [1, -2, 3],
      [4, 5, Number.NaN],
    ]);
    const ints = tf.tensor1d([7, -8], 'int32');
    expect(Array.from(hostValues(t)!)).toEqual([1, -2, 3, 4, 5, Number.NaN]);
    expect(Array.from(hostValues(ints)!)).toEqual([7, -8]);
    // A reshape shares the data: the same values, no copy needed.
    const r = tf.reshape(t, [6]);
    expect(Array.from(hostValues(r)!)).toEqual([1, -2, 3, 4, 5, Number.NaN]);
    tf.dispose([t, ints, r]);
    expect(() => hostValues(t)).toThrow(/disposed/);
  });

  it('on wasm, is a view of the heap (what a kernel wrote, without a copy)', async () => {
    await selectBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.mul(x, 2);
    const v = hostValues(y)!;
    expect(v.buffer).toBe((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer);
    expect(Array.from(v)).toEqual([2, 4, 6]);
    tf.dispose([x, y]);
  });

  it('reads a tensor made on cpu before wasm was selected (it is not on the heap yet)', async () => {
    await selectBackend('cpu');
    const t = tf.tensor1d([0.5, 1.5]);
    await selectBackend('wasm');
    expect(Array.from(hostValues(t)!)).toEqual([0.5, 1.5]);
    t.dispose();
  });

  it('has nothing for string tensors', async () => {
    await selectBackend('cpu');
    const s = tf.tensor1d(['a', 'b'], 'string');
    expect(hostValues(s)).toBeUndefined();
    s.dispose();
  });
});
