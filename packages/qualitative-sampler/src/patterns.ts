import { FindingGate, type FindingInput } from '@trainwatch/core';
import type { QualitativeSamplerOptions } from './options';

/** An observation with the example it came from. */
export interface Observation {
  slice: string;
  error: boolean;
  id: number;
}

export interface SliceStat {
  slice: string;
  family: string;
  n: number;
  errors: number;
  rate: number;
  restRate: number;
  z: number;
  examples: number[];
}

/** The family of a slice is its first word: `true 7` and `true 3` are compared with each other. */
export const familyOf = (slice: string) => slice.split(' ')[0]!;

/** Two-proportion z score of a slice's error rate against the rest of its family. */
export function sliceStats(obs: readonly Observation[], minSupport: number): SliceStat[] {
  // Counted per slice first, families from the slices after: a slice's family is worked out once,
  // not split out of its name for each of the thousands of observations.
  const bySlice = new Map<string, { n: number; e: number; ex: number[] }>();
  for (const o of obs) {
    let s = bySlice.get(o.slice);
    if (!s) bySlice.set(o.slice, (s = { n: 0, e: 0, ex: [] }));
    s.n++;
    if (o.error) {
      s.e++;
      if (s.ex.length < 8 && !s.ex.includes(o.id)) s.ex.push(o.id);
    }
  }
  const byFamily = new Map<string, { n: number; e: number }>();
  for (const [slice, s] of bySlice) {
    const key = familyOf(slice);
    const f = byFamily.get(key) ?? { n: 0, e: 0 };
    f.n += s.n;
    f.e += s.e;
    byFamily.set(key, f);
  }
  const out: SliceStat[] = [];
  for (const [slice, s] of bySlice) {
    if (s.n < minSupport) continue;
    const f = byFamily.get(familyOf(slice))!;
    const restN = f.n - s.n;
    if (restN < minSupport) continue;
    const restE = f.e - s.e;
    const p1 = s.e / s.n;
    const p2 = restE / restN;
    const pooled = f.e / f.n;
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / s.n + 1 / restN));
    out.push({
      slice,
      family: familyOf(slice),
      n: s.n,
      errors: s.e,
      rate: p1,
      restRate: p2,
      z: se > 0 ? (p1 - p2) / se : 0,
      examples: s.ex,
    });
  }
  return out.sort((a, b) => b.z - a.z);
}

/**
 * systematic-error: slices that stand out at `persist` samplings in a row and still at the run's
 * last sampling (a class a healthy net learns late stands out mid-run, then stops); each slice is
 * reported once, by `settle()` at the end of the run.
 */
export class PatternFinder {
  private readonly runs = new Map<string, number>();
  private readonly pending = new Map<string, FindingInput>();
  private readonly gate = new FindingGate();
  constructor(private readonly o: QualitativeSamplerOptions['patterns']) {}

  update(
    step: number,
    stats: readonly SliceStat[],
    describe: (s: SliceStat) => { detail: string; evidence: Record<string, unknown> },
  ): FindingInput[] {
    const out: FindingInput[] = [];
    const standing = new Set<string>();
    // Many slices are tested at once: the z bound rises with their number (Bonferroni at 0.001).
    const zBound = Math.max(this.o.z, bonferroniZ(0.001, stats.length));
    for (const s of stats) {
      if (s.rate < this.o.minRate || s.rate - s.restRate < this.o.minGap || s.z < zBound) continue;
      standing.add(s.slice);
      const run = (this.runs.get(s.slice) ?? 0) + 1;
      this.runs.set(s.slice, run);
      if (run < this.o.persist) continue;
      const d = describe(s);
      const finding: FindingInput = {
        code: 'systematic-error',
        severity: s.rate >= this.o.warnRate && s.restRate <= this.o.maxRestRate ? 'warn' : 'info',
        step,
        message: `systematic error in slice "${s.slice}": wrong ${(100 * s.rate).toFixed(0)}% of ${s.n} vs ${(100 * s.restRate).toFixed(0)}% for the rest of "${s.family}" (z = ${s.z.toFixed(1)})${d.detail}`,
        evidence: {
          slice: s.slice,
          family: s.family,
          support: s.n,
          errors: s.errors,
          rate: s.rate,
          restRate: s.restRate,
          z: s.z,
          zBound,
          slicesTested: stats.length,
          examples: s.examples,
          ...d.evidence,
        },
        suggestion:
          'Look at the example ids: an error concentrated in one class, token or image region usually means a bug in the data code (labels remapped, a preprocessing step that differs for that slice) rather than a hard problem.',
      };

      out.push(finding);
    }
    for (const k of this.runs.keys()) if (!standing.has(k)) this.runs.set(k, 0);
    for (const k of this.pending.keys()) if (!standing.has(k)) this.pending.delete(k);
    for (const f of out) this.pending.set(f.evidence!['slice'] as string, f);
    return out;
  }

  /** The patterns still standing at the last sampling: what to report when the run ends. */
  settle(): FindingInput[] {
    const out = [...this.pending.entries()].flatMap(([key, f]) => this.gate.admit(f, { key }) ?? []);
    this.pending.clear();
    return out;
  }
}

/** The one-sided z a test must pass for a family-wise error rate `alpha` over `m` tests (Bonferroni). */
export function bonferroniZ(alpha: number, m: number): number {
  // Inverse normal tail by bisection: no dependency for one number per sampling.
  const p = alpha / Math.max(1, m);
  const tail = (z: number) => 0.5 * erfc(z / Math.SQRT2);
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > p) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851973 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
