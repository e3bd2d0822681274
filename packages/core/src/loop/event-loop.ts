/**
 * On wasm and cpu every await resolves as a microtask, which would starve timers and signal
 * handlers (Ctrl-C, progress redraws) for as long as training or an evaluation runs: anything
 * that loops over batches calls this, and every 50 ms of the process (one clock for all callers,
 * so many short loops add up) the event loop gets a turn: the returned promise resolves after it,
 * and between turns there is nothing to wait for (`undefined`).
 */
let last = performance.now();

export function maybeYield(): Promise<void> | undefined {
  const now = performance.now();
  if (now - last < 50) return undefined;
  last = now;
  return new Promise<void>((resolve) => setImmediate(resolve));
}
