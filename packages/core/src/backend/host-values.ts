import * as tf from './tf';

/**
 * Backends that compute as ops are called, in host memory (cpu, wasm, tfjs-node): reading a
 * tensor there is a memory access, not a wait for a device queue.
 */
const HOST_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/** Whether the current backend keeps tensors in host memory (reading one costs no device sync). */
export function onHostBackend(): boolean {
  return HOST_BACKENDS.has(tf.getBackend());
}

/** The parts of tfjs-backend-wasm's backend this reads (public members of `BackendWasm`). */
interface WasmBackend {
  dataIdMap: { has(dataId: object): boolean };
  typedArrayFromHeap(t: {
    shape: number[];
    dtype: tf.DataType;
    dataId: object;
  }): Float32Array | Int32Array | Uint8Array;
}

/**
 * A numeric tensor's values where the backend already holds them, for reductions a plugin does in
 * JavaScript instead of with tensor ops: on wasm a view of the heap (no copy), on cpu its stored
 * array, on tfjs-node a copy. `undefined` on device backends (webgl, webgpu), where reading would
 * stall the device: queue the tensor with the event's `readback` there instead.
 *
 * Read-only, and valid only until the next tensor op: wasm reuses freed memory and moves the whole
 * heap when it grows. Sum of squares of a 100k-value gradient this way costs ~50 us on wasm, where
 * `tf.sum(tf.square(g))` plus its read costs ~150-300 us a step (kernel calls, allocations, GC).
 */
export function hostValues(t: tf.Tensor): Float32Array | Int32Array | Uint8Array | undefined {
  if (t.dtype === 'string' || t.dtype === 'complex64') return undefined;
  const name = tf.getBackend();
  if (name === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackend;
    // A tensor made on another backend and not moved yet is not on the heap: dataSync moves it.
    if (backend.dataIdMap.has(t.dataId))
      return backend.typedArrayFromHeap({ shape: t.shape, dtype: t.dtype, dataId: t.dataId });
    return t.dataSync() as Float32Array | Int32Array | Uint8Array;
  }
  return HOST_BACKENDS.has(name) ? (t.dataSync() as Float32Array | Int32Array | Uint8Array) : undefined;
}
