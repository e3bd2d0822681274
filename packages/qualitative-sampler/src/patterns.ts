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
  const bySlice = new Map<string, { n: number; e: number; ex: number[] }>();
  const byFamily = new Map<string, { n: number; e: number }>();
  for (const o of obs) {
    const s = bySlice.get(o.slice) ?? { n: 0, e: 0, ex: [] };
    s.n++;
    if (o.error) {
      s.e++;
      if (s.ex.length < 8 && !s.ex.includes(o.id)) s.ex.push(o.id);
    }
    bySlice.set(o.slice, s);
    const f = byFamily.get(familyOf(o.slice)) ?? { n: 0, e: 0 };
    f.n++;
    if (o.error) f.e++;
    byFamily.set(familyOf(o.slice), f);
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
 * systematic-error: slices that stand out at `persist` samplings in a row; each slice is reported once.
 */
export class PatternFinder {
  private readonly runs = new Map<string, number>();
  private readonly gate = new FindingGate();
  constructor(private readonly o: QualitativeSamplerOptions['patterns']) {}

  update(
    step: number,
    stats: readonly SliceStat[],
    describe: (s: SliceStat) => { detail: string; evidence: Record<string, unknown> },
  ): FindingInput[] {
    const out: FindingInput[] = [];
    const standing = new Set<string>();
    for (const s of stats) {
      if (s.rate < this.o.minRate || s.rate - s.restRate < this.o.minGap || s.z < this.o.z) continue;
      standing.add(s.slice);
      const run = (this.runs.get(s.slice) ?? 0) + 1;
      this.runs.set(s.slice, run);
      if (run < this.o.persist) continue;
      const d = describe(s);
      const finding = this.gate.admit(
        {
          code: 'systematic-error',
          severity: 'warn',
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
            examples: s.examples,
            ...d.evidence,
          },
          suggestion:
            'Look at the example ids: an error concentrated in one class, token or image region usually means a bug in the data code (labels remapped, a preprocessing step that differs for that slice) rather than a hard problem.',
        },
        { key: s.slice },
      );
      if (finding) out.push(finding);
    }
    for (const k of this.runs.keys()) if (!standing.has(k)) this.runs.set(k, 0);
    return out;
  }
}
