import { pairedSummaries } from '../src/harness';
import { Turns } from '../src/turns';

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
