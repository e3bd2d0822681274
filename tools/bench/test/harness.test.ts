import { pairedSummaries } from '../src/harness';
import { Turns, TurnTimer } from '../src/turns';

describe('Turns', () => {
  it('runs one arm at a time, each block whole, every arm once per cycle, until every arm left', async () => {
    const n = 4;
    const blocks = 6;
    const turns = new Turns(n);
    const log: string[] = [];
    let running = 0;
    const arm = async (i: number) => {
      await turns.ready(i);
      for (let b = 0; b < blocks; b++) {
        running++;
        expect(running).toBe(1);
        log.push(`${i}:${b}`);
        await Promise.resolve(); // work that awaits inside a turn: no one else may run
        running--;
        if (b < blocks - 1) await turns.pass(i);
      }
    };
    await Promise.all(Array.from({ length: n }, (_, i) => arm(i).then(() => turns.leave(i))));
    expect(log).toHaveLength(n * blocks);
    for (let i = 0; i < n; i++) expect(log.filter((l) => l.startsWith(`${i}:`))).toHaveLength(blocks);
    // Cycles: the first n turns hold every arm once; the orders are not all the same.
    expect(new Set(log.slice(0, n).map((l) => l[0])).size).toBe(n);
    const firsts = new Set<string>();
    for (let c = 0; c + n <= log.length; c += n)
      firsts.add(
        log
          .slice(c, c + n)
          .map((l) => l[0])
          .join(''),
      );
    expect(firsts.size).toBeGreaterThan(1);
  });
});

describe('pairedSummaries', () => {
  it('is the ratio of totals (a heavy block weighs what it costs), with an interval around it', () => {
    const s = (wallMs: number) => ({ units: 5, wallMs, cpuMs: wallMs });
    const base = [10, 10, 10, 10, 50].map(s);
    const arm = [11, 11, 11, 11, 60].map(s); // per-block median ratio 1.1; totals 104 / 90
    const [b, a] = pairedSummaries(['base', 'arm'], [base, arm]);
    expect(b!.ratio.median).toBe(1);
    expect(a!.ratio.median).toBeCloseTo(104 / 90, 10);
    expect(a!.ratio.lo).toBeLessThanOrEqual(a!.ratio.median);
    expect(a!.ratio.hi).toBeGreaterThanOrEqual(a!.ratio.median);
    expect(a!.perUnit).toBeCloseTo(104 / 25, 10);
  });
});

describe('pairedSummaries over rounds', () => {
  it('widens the interval when rounds disagree more than their blocks do', () => {
    const s = (wallMs: number) => ({ units: 5, wallMs, cpuMs: wallMs });
    // Four rounds of ten blocks; within a round the arm costs the same every block, between
    // rounds it costs x1.00 or x1.10: the blocks alone look precise, the rounds say otherwise.
    const roundOf = Array.from({ length: 40 }, (_, i) => Math.floor(i / 10));
    const base = roundOf.map(() => s(10));
    const arm = roundOf.map((r, i) => s(r % 2 ? 11 + (i % 3) * 0.01 : 10 + (i % 3) * 0.01));
    const [, flat] = pairedSummaries(['base', 'arm'], [base, arm]);
    const [, nested] = pairedSummaries(['base', 'arm'], [base, arm], roundOf);
    expect(nested!.ratio.median).toBeCloseTo(flat!.ratio.median, 10);
    const width = (x: typeof flat) => x!.ratio.hi - x!.ratio.lo;
    expect(width(nested)).toBeGreaterThan(2 * width(flat));
    expect(nested!.ratio.lo).toBeLessThanOrEqual(1.01);
    expect(nested!.ratio.hi).toBeGreaterThanOrEqual(1.09);
  });
});

describe('TurnTimer', () => {
  it('closes a segment every block of units and at the end, the same units for every run, one run timed at a time', async () => {
    const turns = new Turns(3);
    const timers = [0, 1, 2].map((i) => new TurnTimer(turns, i, 4));
    let running = 0;
    const run = async (t: TurnTimer) => {
      await t.ready();
      for (let u = 0; u < 10; u++) {
        running++;
        await Promise.resolve(); // work that awaits within a turn: no other run may start
        expect(running).toBe(1);
        running--;
        const turn = t.tick();
        if (turn) await turn;
      }
      t.finish();
    };
    await Promise.all(timers.map(run));
    for (const t of timers) {
      expect(t.segments.map((s) => s.units)).toEqual([4, 4, 2]);
      for (const s of t.segments) expect(s.wallMs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('TurnTimer.split', () => {
  it('closes a segment at a boundary, an empty one too, without handing over', async () => {
    const t = new TurnTimer(new Turns(1), 0, 100);
    await t.ready();
    void t.tick();
    void t.tick();
    expect(t.pending).toBe(2);
    t.split();
    t.split(); // an epoch's end with no step in it
    void t.tick();
    t.finish();
    expect(t.segments.map((s) => s.units)).toEqual([2, 0, 1]);
  });
});
