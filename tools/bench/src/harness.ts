/**
 * A bench harness that can tell: arms measured in turn within each round (the order alternating so
 * drift favours none), wall and CPU time per arm, the ratio to the baseline per round, and a 95%
 * interval of the median ratio (bootstrap over rounds). A verdict is printed only when the interval
 * clears the target; otherwise it says the bench cannot tell.
 */

/** Smoke mode (`BENCH_SMOKE=1`): one short round per case, no verdicts; `npm test` runs every bench this way. */
export const SMOKE = process.env['BENCH_SMOKE'] === '1';

/** What one measurement of an arm returns: its work in units (steps), wall and CPU time. */
export interface Sample {
  units: number;
  wallMs: number;
  cpuMs: number;
}

/** Times `fn` (which returns how many units of work it did) in wall and process CPU time. */
export async function timed(fn: () => Promise<number>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const units = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { units, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

export interface Arm {
  name: string;
  run: (round: number) => Promise<Sample>;
}

export interface ArmResult {
  name: string;
  /** Per round: wall ms per unit. */
  perUnit: number[];
  cpuPerUnit: number[];
  /** Per round: wall ratio to the baseline arm (the first). */
  ratios: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A seeded generator for the bootstrap: the interval is the same on every print of the same data. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** The median and its 95% bootstrap interval (2,000 resamples of the rounds). */
export function medianInterval(xs: number[]): { median: number; lo: number; hi: number } {
  const m = median(xs);
  if (xs.length < 3) return { median: m, lo: Math.min(...xs), hi: Math.max(...xs) };
  const rnd = lcg(xs.length * 7919);
  const meds: number[] = [];
  for (let b = 0; b < 2000; b++) meds.push(median(xs.map(() => xs[Math.floor(rnd() * xs.length)]!)));
  meds.sort((a, b) => a - b);
  return { median: m, lo: meds[Math.floor(0.025 * meds.length)]!, hi: meds[Math.floor(0.975 * meds.length)]! };
}

/** Runs every arm once per round, in alternating order; the first arm is the baseline. */
export async function compareArms(arms: Arm[], rounds: number): Promise<ArmResult[]> {
  const samples: Sample[][] = arms.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = arms.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) samples[i]!.push(await arms[i]!.run(r));
  }
  return resultsFrom(
    arms.map((a) => a.name),
    samples,
  );
}

/** Per-unit times and per-round ratios to the first arm, from samples taken round by round (`samples[arm][round]`). */
export function resultsFrom(names: readonly string[], samples: readonly (readonly Sample[])[]): ArmResult[] {
  const base = samples[0]!.map((s) => s.wallMs / s.units);
  return names.map((name, i) => ({
    name,
    perUnit: samples[i]!.map((s) => s.wallMs / s.units),
    cpuPerUnit: samples[i]!.map((s) => s.cpuMs / s.units),
    ratios: samples[i]!.map((s, r) => s.wallMs / s.units / base[r]!),
  }));
}

/** What a report line is made of: time per unit, CPU per unit, the ratio to the baseline and its 95% interval. */
export interface ArmSummary {
  name: string;
  perUnit: number;
  cpuPerUnit: number;
  ratio: { median: number; lo: number; hi: number };
}

/** Round-based results summarised: median time per unit, median per-round ratio and its bootstrap interval. */
export function summarize(results: readonly ArmResult[]): ArmSummary[] {
  return results.map((a) => ({
    name: a.name,
    perUnit: median(a.perUnit),
    cpuPerUnit: median(a.cpuPerUnit),
    ratio: medianInterval(a.ratios),
  }));
}

/**
 * Arms measured in matched blocks (`blocks[arm][k]`: the same steps of every arm, timed one after
 * another): the ratio of total times to the first arm's, and its 95% interval from a paired
 * bootstrap (2,000 resamples; a resample keeps each block's arms together). Totals, not a median of
 * per-block ratios: the blocks holding epoch-end work weigh what they cost.
 *
 * With `roundOf` (the round each block came from, the same for every arm), the bootstrap has two
 * levels: rounds are drawn with replacement, then blocks within each drawn round. Rounds differ by
 * more than their blocks do (the machine's state drifts between them), and an interval from blocks
 * alone would claim a precision that the next run of the bench does not reproduce.
 */
export function pairedSummaries(
  names: readonly string[],
  blocks: readonly (readonly Sample[])[],
  roundOf?: readonly number[],
): ArmSummary[] {
  const n = blocks[0]!.length;
  const total = (xs: readonly Sample[], pick: (s: Sample) => number, idx?: readonly number[]) =>
    (idx ?? xs.map((_, i) => i)).reduce((sum, i) => sum + pick(xs[i]!), 0);
  const wall = (s: Sample) => s.wallMs;
  const units = total(blocks[0]!, (s) => s.units);
  const rnd = lcg(n * 7919);
  const groups = roundOf && [...new Set(roundOf)].map((r) => [...roundOf.keys()].filter((i) => roundOf[i] === r));
  const resamples = Array.from({ length: 2000 }, () => resample(n, rnd, groups));
  return names.map((name, a) => {
    const arm = blocks[a]!;
    const ratio = total(arm, wall) / total(blocks[0]!, wall);
    const boot = resamples.map((idx) => total(arm, wall, idx) / total(blocks[0]!, wall, idx)).sort((x, y) => x - y);
    return {
      name,
      perUnit: total(arm, wall) / units,
      cpuPerUnit: total(arm, (s) => s.cpuMs) / units,
      ratio: { median: ratio, lo: boot[Math.floor(0.025 * boot.length)]!, hi: boot[Math.floor(0.975 * boot.length)]! },
    };
  });
}

/** One bootstrap draw of block indexes: flat, or rounds first and then blocks within each drawn round. */
function resample(n: number, rnd: () => number, rounds?: readonly (readonly number[])[]): number[] {
  if (!rounds) return Array.from({ length: n }, () => Math.floor(rnd() * n));
  const idx: number[] = [];
  for (let k = 0; k < rounds.length; k++) {
    const members = rounds[Math.floor(rnd() * rounds.length)]!;
    for (let j = 0; j < members.length; j++) idx.push(members[Math.floor(rnd() * members.length)]!);
  }
  return idx;
}

/** A target: a ratio to the baseline, extra microseconds per unit, or both (the stricter one counts). */
export interface Target {
  ratio?: number;
  extraUs?: number;
}

/**
 * One line per arm: time per unit, the ratio with its interval, the extra time per unit, and the
 * verdict against `target`. A microsecond target is turned into the ratio it means on this
 * baseline, so the verdict always rests on the ratio's interval.
 */
export function report(
  results: readonly ArmResult[] | readonly ArmSummary[],
  unit: string,
  targets?: Target | readonly (Target | undefined)[],
): string[] {
  const arms = results.map((r) => ('ratios' in r ? summarize([r])[0]! : r));
  const base = arms[0]!.perUnit;
  return arms.map((a, i) => {
    const target = Array.isArray(targets) ? targets[i] : (targets as Target | undefined);
    const per = a.perUnit;
    const cpu = a.cpuPerUnit;
    if (i === 0) return `${a.name.padEnd(34)} ${per.toFixed(3)} ms/${unit} (cpu ${cpu.toFixed(3)})  baseline`;
    const ci = a.ratio;
    const extraUs = (per - base) * 1000;
    let verdict = '';
    if (target && !SMOKE) {
      const limits = [target.ratio, target.extraUs !== undefined ? 1 + target.extraUs / (base * 1000) : undefined];
      const limit = Math.min(...limits.filter((x): x is number => x !== undefined));
      if (ci.hi <= limit) verdict = '  MEETS';
      else if (ci.lo > limit) verdict = '  MISSES';
      else verdict = '  cannot tell (the interval spans the target)';
      const said = [
        target.ratio !== undefined ? `x${target.ratio}` : '',
        target.extraUs !== undefined ? `${target.extraUs} us/${unit} (x${limit.toFixed(3)} here)` : '',
      ];
      verdict += ` target <= ${said.filter(Boolean).join(' and <= ')}`;
    }
    return `${a.name.padEnd(34)} ${per.toFixed(3)} ms/${unit} (cpu ${cpu.toFixed(3)})  x${ci.median.toFixed(3)} [95% ${ci.lo.toFixed(3)}-${ci.hi.toFixed(3)}]  ${extraUs >= 0 ? '+' : ''}${extraUs.toFixed(0)} us/${unit}${verdict}`;
  });
}
