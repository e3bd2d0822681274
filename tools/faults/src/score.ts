import type { Finding } from '@trainwatch/core';
import type { CaseRun } from './run-case';

const RANK = { info: 0, warn: 1, error: 2 } as const;
const loud = (f: Finding) => RANK[f.severity] >= 1;

/** Where a finding points: its layer, or the slice / region / token its evidence names. */
export function placeOf(f: Finding): string {
  const e = f.evidence as Record<string, unknown>;
  return [f.layer, e['slice'], e['region'], e['token'], e['layers']].filter((v) => v !== undefined).join(' ');
}

/** One row of the benchmark table. */
export interface CaseScore {
  name: string;
  kind: 'fault' | 'healthy';
  expected: string;
  detected: boolean;
  top1: boolean;
  /** undefined when the case names no place. */
  localised: boolean | undefined;
  /** Faulty: root causes (or loud codes without a diagnosis) besides the expected one. Healthy: loud findings. */
  wrong: string[];
  first: string;
  reached: boolean | undefined;
  metric: string;
}

/** Scores one run against what its case expected. */
export function scoreCase(run: CaseRun): CaseScore {
  const c = run.case;
  const loudFindings = run.findings.filter(loud);
  const metric = Object.entries(run.final)
    .filter(([k]) => /^(val_)?(acc|loss)$|^reward$/.test(k))
    .map(([k, v]) => `${k}=${v.toFixed(3)}`)
    .join(' ');
  const sorted = [...loudFindings].sort((a, b) => RANK[b.severity] - RANK[a.severity] || a.step - b.step);
  const loudCauses = run.causes?.filter((k) => k.severity !== 'info');
  const first = loudCauses ? (loudCauses[0]?.id ?? 'no problem found') : (sorted[0]?.code ?? 'none');
  if (!c.expected) {
    const reached = Object.entries(c.reaches ?? {}).every(([k, v]) => (run.final[k] ?? -Infinity) >= v);
    return {
      name: c.name,
      kind: 'healthy',
      expected: 'healthy',
      detected: false,
      top1: false,
      localised: undefined,
      wrong: [...new Set(loudFindings.map((f) => f.code))],
      first,
      reached,
      metric,
    };
  }
  const e = c.expected;
  const hits = loudFindings.filter((f) => e.codes.includes(f.code));
  const top1 = loudCauses ? loudCauses[0]?.id === e.cause : sorted[0] !== undefined && e.codes.includes(sorted[0].code);
  const wrong = loudCauses
    ? loudCauses.filter((k) => k.id !== e.cause).map((k) => k.id)
    : [...new Set(loudFindings.filter((f) => !e.codes.includes(f.code)).map((f) => f.code))];
  return {
    name: c.name,
    kind: 'fault',
    expected: `${e.cause}${e.where ? ` @${e.where}` : ''}`,
    detected: hits.length > 0,
    top1,
    localised: e.where === undefined ? undefined : hits.some((f) => placeOf(f).includes(e.where!)),
    wrong,
    first,
    reached: undefined,
    metric,
  };
}

/** The benchmark's headline numbers. */
export interface Totals {
  faults: number;
  healthy: number;
  recall: number;
  top1: number;
  localisation: number;
  /** Healthy runs with at least one warn+ finding. */
  falseAlarmRuns: number;
  /** Mean wrong-code alarms per faulty run, and the worst. */
  wrongPerFault: number;
  wrongMax: number;
  healthyTrained: number;
}

/** Sums the rows. */
export function totals(rows: readonly CaseScore[]): Totals {
  const f = rows.filter((r) => r.kind === 'fault');
  const h = rows.filter((r) => r.kind === 'healthy');
  const placed = f.filter((r) => r.localised !== undefined);
  const share = (n: number, d: number) => (d === 0 ? 1 : n / d);
  return {
    faults: f.length,
    healthy: h.length,
    recall: share(f.filter((r) => r.detected).length, f.length),
    top1: share(f.filter((r) => r.top1).length, f.length),
    localisation: share(placed.filter((r) => r.localised).length, placed.length),
    falseAlarmRuns: h.filter((r) => r.wrong.length > 0).length,
    // A mean over no faulty runs is no alarm at all (share's 1 would read as one alarm per run).
    wrongPerFault: f.length === 0 ? 0 : f.reduce((a, r) => a + r.wrong.length, 0) / f.length,
    wrongMax: Math.max(0, ...f.map((r) => r.wrong.length)),
    healthyTrained: h.filter((r) => r.reached).length,
  };
}
