import type { Sample } from './harness';

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

/**
 * Times one run's turns: a segment from each resume to the next hand-over (or the run's end), so
 * the k-th segment of every run covers the same units of work (matched blocks).
 */
export class TurnTimer {
  readonly segments: Sample[] = [];
  private units = 0;
  private closedAt = 0;
  private t = 0;
  private c = process.cpuUsage();

  constructor(
    private readonly turns: Turns,
    private readonly i: number,
    private readonly block: number,
  ) {}

  /** Waits for the first turn, then starts timing. */
  async ready(): Promise<void> {
    await this.turns.ready(this.i);
    this.start();
  }

  /**
   * Counts one unit of work done; every `block` units closes the segment and hands over (the
   * returned promise resolves at the next turn). Undefined otherwise: no await, no microtask.
   */
  tick(): Promise<void> | undefined {
    if (++this.units % this.block !== 0) return undefined;
    this.close();
    return this.turns.pass(this.i).then(() => this.start());
  }

  /** Units counted since the last segment closed. */
  get pending(): number {
    return this.units - this.closedAt;
  }

  /** Closes the segment here, even an empty one, and times on without handing over (an epoch boundary). */
  split(): void {
    this.close();
    this.start();
  }

  /** Closes the last segment and leaves the rotation. */
  finish(): void {
    if (this.units > this.closedAt) this.close();
    this.turns.leave(this.i);
  }

  private start(): void {
    this.t = performance.now();
    this.c = process.cpuUsage();
  }

  private close(): void {
    const wallMs = performance.now() - this.t;
    const cpu = process.cpuUsage(this.c);
    this.segments.push({ units: this.units - this.closedAt, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
    this.closedAt = this.units;
  }
}
