import { hostValues, onHostBackend, tf, type ReadbackRequest } from '@trainwatch/core';

/** A float view for tensor ops (an int32 sum would not stack with float ones). */
const float = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));

/** Σx² in double precision; four accumulators so the additions do not wait on each other (~2x faster). */
export function sumOfSquares(a: ArrayLike<number>): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length;
  const m = n - (n % 4);
  let i = 0;
  for (; i < m; i += 4) {
    const a0 = a[i]!;
    const a1 = a[i + 1]!;
    const a2 = a[i + 2]!;
    const a3 = a[i + 3]!;
    s0 += a0 * a0;
    s1 += a1 * a1;
    s2 += a2 * a2;
    s3 += a3 * a3;
  }
  for (; i < n; i++) s0 += a[i]! * a[i]!;
  return s0 + s1 + s2 + s3;
}

/** Σ(a−b)² in double precision (same length). */
export function sumOfSquaredDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s0 = 0;
  let s1 = 0;
  const n = a.length;
  const m = n - (n % 2);
  let i = 0;
  for (; i < m; i += 2) {
    const d0 = a[i]! - b[i]!;
    const d1 = a[i + 1]! - b[i + 1]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
  }
  for (; i < n; i++) s0 += (a[i]! - b[i]!) ** 2;
  return s0 + s1;
}

/** The stride `sampledSquaredDifferences` takes every entry at: at least `n / maxTerms`, coprime with the row width. */
export function sampleStride(n: number, rowWidth: number, maxTerms: number): number {
  let stride = Math.max(1, Math.ceil(n / maxTerms));
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  // Coprime with the last dimension, so the samples visit every column (and every unit) in turn.
  while (stride > 1 && gcd(stride, Math.max(1, rowWidth)) !== 1) stride++;
  return stride;
}

/**
 * Σ(a−b)² estimated from every `stride`-th entry from `offset`, scaled by n / samples. An estimate
 * of exactly zero is confirmed by a full pass: a frozen variable reads exactly 0, and a sparse
 * update (an embedding's rows) is never taken for none.
 */
export function sampledSquaredDifferences(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  stride: number,
  offset: number,
): number {
  if (stride <= 1) return sumOfSquaredDifferences(a, b);
  let s = 0;
  let k = 0;
  for (let i = offset % stride; i < a.length; i += stride, k++) s += (a[i]! - b[i]!) ** 2;
  if (s === 0 || k === 0) return sumOfSquaredDifferences(a, b);
  return (s * a.length) / k;
}

/**
 * One step's sums of squares, in the order asked for, computed where the values live. On host
 * backends (wasm, cpu, tfjs-node) each sum is a JavaScript loop over the tensor's memory, done at
 * once: on mnist-mlp's gradients ~50 us a step on wasm, where a `tf.sum(tf.square(g))` per
 * variable and their stack cost ~300-400 us in the loop (kernel calls, allocations, the GC they
 * feed). On device backends (webgl, webgpu) the sums are tensor ops queued for the step's one
 * readback, so the device is never waited on mid-step.
 */
export class SquareSums {
  private readonly host: number[] = [];
  private readonly queued: tf.Tensor[] = [];

  constructor(readonly onHost: boolean = onHostBackend()) {}

  /** Σx² of each tensor. */
  of(ts: readonly tf.Tensor[]): void {
    for (const t of ts) {
      if (this.onHost) this.host.push(sumOfSquares(hostValues(t)!));
      else this.queued.push(tf.tidy(() => tf.sum(tf.square(float(t)))));
    }
  }

  /**
   * Σ(a−b)² of each pair (`as[i]`, `bs[i]`, same shapes). With `sample`, on the host, a variable
   * larger than `sample.maxTerms` is estimated from a strided sample (`sampledSquaredDifferences`;
   * `sample.round` moves the offset so successive calls visit different entries).
   */
  diff(as: readonly tf.Tensor[], bs: readonly tf.Tensor[], sample?: { maxTerms: number; round: number }): void {
    as.forEach((a, i) => {
      const b = bs[i]!;
      if (this.onHost) {
        // Two views at once are safe: nothing runs between them that could move the heap.
        const [va, vb] = [hostValues(a)!, hostValues(b)!];
        const stride = sample ? sampleStride(a.size, a.shape.at(-1) ?? 1, sample.maxTerms) : 1;
        this.host.push(sampledSquaredDifferences(va, vb, stride, sample?.round ?? 0));
      } else this.queued.push(tf.tidy(() => tf.sum(tf.squaredDifference(float(a), float(b)))));
    });
  }

  get size(): number {
    return this.onHost ? this.host.length : this.queued.length;
  }

  /**
   * The sums: on the host, their values now (float32, like a readback's); on a device backend,
   * `undefined`, the sums stacked and queued through `readback` under `key` (read in `batch:end`
   * and by interceptors as `readback[key]`).
   */
  finish(readback: ReadbackRequest, key: string): Float32Array | undefined {
    if (this.onHost) return Float32Array.from(this.host);
    if (this.queued.length > 0)
      readback(
        key,
        tf.tidy(() => tf.stack(this.queued)),
      );
    tf.dispose(this.queued);
    return undefined;
  }
}
