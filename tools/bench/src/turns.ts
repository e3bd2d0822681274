/**
 * Concurrent runs in one process taking turns: exactly one runs at a time, and it hands over at
 * the end of each block of steps, round-robin. Arms measured this way see the same machine within
 * a fraction of a second of each other, where whole runs in turn are seconds to a minute apart
 * (on a shared 2-core machine the load drifts on that scale).
 */
export class Turns {
  private readonly parked = new Map<number, () => void>();
  private readonly active: boolean[];
  private arrived = 0;

  constructor(private readonly n: number) {
    this.active = Array.from({ length: n }, () => true);
  }

  /** Run `i` is ready to be timed; resolves at its first turn (once every run is ready). */
  ready(i: number): Promise<void> {
    const turn = this.park(i);
    if (++this.arrived === this.n) this.handTo(0);
    return turn;
  }

  /** Ends run `i`'s turn; resolves at its next one. */
  pass(i: number): Promise<void> {
    const turn = this.park(i);
    this.handTo(this.after(i));
    return turn;
  }

  /** Run `i` finished (call after its run returned, so its teardown overlaps no one's turn). */
  leave(i: number): void {
    this.active[i] = false;
    const next = this.after(i);
    if (next !== i) this.handTo(next);
  }

  private park(i: number): Promise<void> {
    return new Promise((resolve) => this.parked.set(i, resolve));
  }

  private after(i: number): number {
    for (let k = 1; k <= this.n; k++) {
      const j = (i + k) % this.n;
      if (this.active[j]) return j;
    }
    return i;
  }

  private handTo(i: number): void {
    const resume = this.parked.get(i);
    this.parked.delete(i);
    resume?.();
  }
}
