import { tf } from '../src';
import { kernelGapReport, selectBackend } from '../src/runner';

/** Relative L2 error of a against b. */
function relErr(a: Float32Array | number[], b: Float32Array | number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (Number(a[i]) - Number(b[i])) ** 2;
    den += Number(b[i]) ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Runs the same gradient computation on wasm (with the core's fixes) and on cpu, returns both. */
async function onBoth(fn: () => tf.Tensor[]): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const out: Record<string, Float32Array[]> = {};
  for (const b of ['wasm', 'cpu'] as const) {
    await selectBackend(b);
    out[b] = tf.tidy(fn).map((t) => {
      const d = t.dataSync() as Float32Array;
      t.dispose();
      return d;
    });
  }
  return { wasm: out['wasm']!, cpu: out['cpu']! };
}

describe('wasm gradient kernels match the cpu backend', () => {
  const x0 = Array.from({ length: 6 * 11 * 11 * 3 }, (_, i) => Math.sin(i * 0.37));
  const w0 = Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 0.91));

  it.each([
    [1, 'same'],
    [2, 'same'],
    [1, 'valid'],
    [2, 'valid'],
  ] as const)('conv2d stride %i padding %s: dx and dW', async (stride, pad) => {
    const { wasm, cpu } = await onBoth(() => {
      const x = tf.tensor4d(x0, [6, 11, 11, 3]);
      const w = tf.tensor4d(w0, [3, 3, 3, 4]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad))),
      );
      return g([x, w]);
    });
    expect(relErr(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    expect(relErr(wasm[1]!, cpu[1]!)).toBeLessThan(1e-4);
  });

  it('conv2D layer with bias and linear activation (the fused path) trains on wasm', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const x = tf.tensor4d(x0, [6, 11, 11, 3]);
      const w = tf.tensor4d(w0, [3, 3, 3, 4]);
      const bias = tf.tensor1d([0.1, -0.2, 0.3, 0]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', bias: c }),
          ),
        ),
      );
      return g([x, w, bias]);
    });
    for (let i = 0; i < 3; i++) expect(relErr(wasm[i]!, cpu[i]!)).toBeLessThan(1e-4);
  });

  it('depthwise conv2d gradients (run through cpu on wasm)', async () => {
    const { wasm, cpu } = await onBoth(() => {
      const x = tf.tensor4d(x0, [6, 11, 11, 3]);
      const w = tf.tensor4d(w0.slice(0, 3 * 3 * 3 * 2), [3, 3, 3, 2]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))),
      );
      return g([x, w]);
    });
    expect(relErr(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    expect(relErr(wasm[1]!, cpu[1]!)).toBeLessThan(1e-4);
    expect(kernelGapReport().bridged['DepthwiseConv2dNativeBackpropFilter']).toBeGreaterThan(0);
  });

  it('embedding gradient (UnsortedSegmentSum) on wasm', async () => {
    const { wasm, cpu } = await onBoth(() => {
      tf.engine().startScope();
      const layer = tf.layers.embedding({
        inputDim: 7,
        outputDim: 5,
        embeddingsInitializer: tf.initializers.randomNormal({ seed: 3 }),
      });
      const ids = tf.tensor2d(
        [
          [1, 2, 2],
          [6, 0, 1],
        ],
        [2, 3],
        'int32',
      );
      layer.apply(ids);
      const table = layer.getWeights()[0]!;
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, ids))));
      const out = g(table);
      tf.engine().endScope([out]);
      layer.dispose();
      return [out];
    });
    expect(relErr(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    expect(kernelGapReport().bridged['UnsortedSegmentSum']).toBeGreaterThan(0);
  });

  it('reports what it filled, bridged and could not fill', async () => {
    const info = await selectBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.kernels?.filled).toContain('Conv2DBackpropFilter');
    expect(Object.keys(info.kernels?.bridged ?? {})).toEqual(
      expect.arrayContaining(['UnsortedSegmentSum', 'DepthwiseConv2dNativeBackpropInput', 'Einsum']),
    );
    expect(info.kernels?.missing).toContain('FFT');
  });

  it('fails clearly when a forced backend cannot load', async () => {
    await expect(selectBackend('tensorflow')).rejects.toMatchObject({
      code: 'backend-unavailable',
      message: expect.stringMatching(/backend "tensorflow" could not be loaded/),
    });
  });

  it('auto falls back past tensorflow and says why', async () => {
    const info = await selectBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow']);
  });
});
