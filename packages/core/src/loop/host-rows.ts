import * as tf from '../backend/tf';

/**
 * Rows of an in-memory dataset tensor built on the JS side from one host copy of its values.
 *
 * Why: on tfjs-wasm `tf.gather` of a 64-row batch from 8,000 MNIST rows costs ~1.5 ms and
 * `tf.slice` reads its whole input back (8 ms for 64 rows), against ~0.14 ms to copy the rows out
 * of a host array and upload them (measured in `tools/bench`, `npm run bench`). The copy is made
 * once per tensor (a `dataSync`, which also reads tensors a caller made on another backend safely)
 * and is the trainer's own: the caller's tensor is never changed or disposed.
 */
export interface HostRows {
  /** Rows `idx` (in that order) as a new tensor the caller owns. */
  gather(idx: Int32Array): tf.Tensor;
  /** Rows `[start, start + size)` as a new tensor the caller owns. */
  range(start: number, size: number): tf.Tensor;
}

/** Above this many bytes the values stay on the device only (gather/slice there): no second copy of a huge set. */
const MAX_HOST_BYTES = 512 * 1024 * 1024;

const cache = new WeakMap<tf.Tensor, HostRows>();

/** The host-rows view of `t` (made once per tensor), or a device fallback for string tensors and huge sets. */
export function hostRows(t: tf.Tensor): HostRows {
  let rows = cache.get(t);
  if (!rows) {
    rows = makeHostRows(t);
    cache.set(t, rows);
  }
  return rows;
}

function makeHostRows(t: tf.Tensor): HostRows {
  const n = t.shape[0] ?? 0;
  const width = n > 0 ? t.size / n : 0;
  const rowShape = t.shape.slice(1);
  if (t.dtype === 'string' || t.dtype === 'complex64' || t.size * 4 > MAX_HOST_BYTES || n === 0) {
    return {
      gather: (idx) => tf.tidy(() => tf.gather(t, tf.tensor1d(idx, 'int32'))),
      range: (start, size) => tf.slice(t, start, size),
    };
  }
  let values: Float32Array | Int32Array | Uint8Array | undefined;
  // Read lazily: a dataset nobody batches from is never copied.
  const host = () => (values ??= t.dataSync() as Float32Array | Int32Array | Uint8Array);
  const make = (buf: Float32Array | Int32Array | Uint8Array, rows: number) =>
    tf.tensor(buf, [rows, ...rowShape], t.dtype);
  return {
    gather(idx) {
      const src = host();
      const out = new (src.constructor as Float32ArrayConstructor)(idx.length * width);
      if (width <= 16) {
        // Narrow rows (tabular data, labels): a subarray view per row costs more than the copy
        // (64 rows of 8 values: ~5 us copied one by one against ~11 us through views, Node 20).
        for (let i = 0; i < idx.length; i++) {
          const from = idx[i]! * width;
          const to = i * width;
          for (let j = 0; j < width; j++) out[to + j] = src[from + j]!;
        }
      } else {
        for (let i = 0; i < idx.length; i++) {
          const r = idx[i]!;
          out.set(src.subarray(r * width, (r + 1) * width), i * width);
        }
      }
      return make(out, idx.length);
    },
    range(start, size) {
      // slice() copies: tf.tensor may keep the array it is given.
      return make(host().slice(start * width, (start + size) * width), size);
    },
  };
}
