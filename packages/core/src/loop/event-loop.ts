/**
 * On wasm and cpu every await resolves as a microtask, which would starve timers and signal
 * handlers (Ctrl-C, progress redraws) for the whole run: give the event loop a turn every 50 ms.
 */
export class EventLoopYielder {
  private last = performance.now();

  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < 50) return;
    this.last = now;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
