/**
 * A value, or a promise of it when something on the way was asynchronous. The training step uses
 * it so a step that waits for nothing (no device readback, no async listener, no batch source)
 * runs without a single await: each await is a trip through the microtask queue, a few
 * microseconds a step on a small model (measured with `npm run bench:loop`).
 */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `v` is a promise (or any thenable) to wait for. */
export function isThenable<T = unknown>(v: unknown): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}
