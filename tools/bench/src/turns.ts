/**
 * Concurrent runs in one process taking turns: exactly one runs at a time, and it hands over at
 * the end of each block of steps. Arms measured this way see the same machine within a fraction of
 * a second of each other, where whole runs in turn are seconds to a minute apart (on a shared
 * 2-core machine the load drifts on that scale). Each cycle visits every run once, in a fresh
 * seeded order: with a fixed order each run would always follow the same one and inherit its
 * garbage-collection debt and cold caches (measured: the baseline, always after the heaviest arm,
 * made the cheapest plugins look 3-4% faster than no plugins).
 */
export class Turns {
  private readonly parked = new Map<number, () => void>();
  private readonly active: boolean[];
  private arrived = 0;
  private order: number[] = [];
  private pos = 0;
  private seed = 12345;

  constructor(private readonly n: number) {
    this.active = Array.from({ length: n }, () => true);
  }

  /** Run `i` is ready to be timed; resolves at its first turn (once every run is ready). */
  ready(i: number): Promise<void> {
    const turn = this.park(i);
    if (++this.arrived === this.n) this.handTo(this.next());
    return turn;
  }

  /** Ends run `i`'s turn; resolves at its next one. */
  pass(i: number): Promise<void> {
    const turn = this.park(i);
    this.handTo(this.next());
    return turn;
  }

  /** Run `i` finished (call after its run returned, so its teardown overlaps no one's turn). */
  leave(i: number): void {
    this.active[i] = false;
    if (this.active.some(Boolean)) this.handTo(this.next());
  }

  private park(i: number): Promise<void> {
    return new Promise((resolve) => this.parked.set(i, resolve));
  }

  /** The next active run: the rest of this cycle's order, then a new shuffled cycle. */
  private next(): number {
    for (;;) {
      if (this.pos >= this.order.length) {
        this.order = this.shuffled();
        this.pos = 0;
      }
      const j = this.order[this.pos++]!;
      if (this.active[j]) return j;
    }
  }

  private handTo(i: number): void {
    const resume = this.parked.get(i);
    this.parked.delete(i);
    resume?.();
  }

  private shuffled(): number[] {
    const a = Array.from({ length: this.n }, (_, i) => i);
    for (let i = a.length - 1; i > 0; i--) {
      this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
      const j = this.seed % (i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}
