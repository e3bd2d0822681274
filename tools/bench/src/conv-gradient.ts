/**
 * The wasm Conv2D filter gradient trainwatch fills (wasm 4.22 has no Conv2DBackpropFilter) against
 * the cpu backend's kernel, on the same tensors in one process, alternating round by round. Prints
 * ms per call for each, their ratio and the largest relative difference.
 *
 *   npm run bench:conv --workspace @trainwatch/bench      ROUNDS=5 for more rounds
 */
import { tf } from '@trainwatch/core';
import { selectBackend } from '@trainwatch/core/runner';
import { SMOKE } from './harness';

const ROUNDS = SMOKE ? 1 : Number(process.env['ROUNDS'] ?? 3);
const X: [number, number, number, number] = [64, 26, 26, 8];
const DY: [number, number, number, number] = [64, 24, 24, 16];
const FILTER: [number, number, number, number] = [3, 3, 8, 16];

/** ms of one `conv2dBackpropFilter` on the current backend, and its values. */
function timed(x: Float32Array, dy: Float32Array): { ms: number; dw: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, X);
    const dyt = tf.tensor4d(dy, DY);
    // The kernel itself, as the conv2d gradient calls it (tfjs does not export the op).
    const run = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: xt, dy: dyt },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: FILTER },
        ) as tf.Tensor;
    run().dataSync(); // warm-up (kernel setup)
    const t0 = performance.now();
    const dw = run().dataSync() as Float32Array;
    return { ms: performance.now() - t0, dw: dw.slice() };
  });
}

async function main() {
  await selectBackend('wasm'); // fills the kernel gaps
  const x = tf.randomNormal(X, 0, 1, 'float32', 1).dataSync() as Float32Array;
  const dy = tf.randomNormal(DY, 0, 1, 'float32', 2).dataSync() as Float32Array;
  const rows: { wasm: number; cpu: number; rel: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    await tf.setBackend('wasm');
    const w = timed(x, dy);
    await tf.setBackend('cpu');
    const c = timed(x, dy);
    let rel = 0;
    const scale = Math.max(...c.dw.map(Math.abs));
    for (let i = 0; i < c.dw.length; i++) rel = Math.max(rel, Math.abs(w.dw[i]! - c.dw[i]!) / scale);
    rows.push({ wasm: w.ms, cpu: c.ms, rel });
    console.log(
      `round ${r + 1}: wasm fill ${w.ms.toFixed(1)} ms, cpu kernel ${c.ms.toFixed(0)} ms, x${(c.ms / w.ms).toFixed(0)}, max rel diff ${rel.toExponential(1)}`,
    );
  }
  const med = (k: 'wasm' | 'cpu') => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
  console.log(
    `Conv2DBackpropFilter x[${X}] dy[${DY}]: wasm fill ${med('wasm').toFixed(1)} ms vs cpu ${med('cpu').toFixed(0)} ms (median of ${ROUNDS}), cpu/wasm x${(med('cpu') / med('wasm')).toFixed(0)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
