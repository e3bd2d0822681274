import * as path from 'node:path';
import type { Finding, Severity } from '../api/findings';
import { toJson, writeFileAtomic } from '../run/artifacts';
import { CAUSE_RULES, type CauseRule } from './rules';

const RANK: Record<Severity, number> = { info: 0, warn: 1, error: 2 };

/** A finding as the diagnosis cites it: enough to read it without opening findings.json. */
export interface CitedFinding {
  readonly code: string;
  readonly severity: Severity;
  readonly plugin: string;
  readonly step: number;
  readonly layer?: string;
  readonly message: string;
}

/** One ranked root cause. */
export interface Cause {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** 0-1: how strongly its signs point at it, raised a little by each consequence it explains. */
  readonly confidence: number;
  /** The layer (or slice) its first sign names, when it names one. */
  readonly layer?: string;
  /** The step its first sign was seen at. */
  readonly step: number;
  /** The one fix to try first. */
  readonly fix: string;
  /** The findings that point at it directly. */
  readonly evidence: readonly CitedFinding[];
  /** Codes of the findings it explains, folded under it. */
  readonly explains: readonly string[];
}

/** What `diagnosis.json` holds. */
export interface Diagnosis {
  /** `problems-found` when a warn or error cause stands; `no-problem-found` otherwise. */
  readonly verdict: 'problems-found' | 'no-problem-found';
  /** One line: the top cause, or "no problem found". */
  readonly headline: string;
  readonly causes: readonly Cause[];
  /** Plugins whose checks ran (what "no problem found" covers). */
  readonly checked: readonly string[];
  /** Warn and error findings counted, and how many the causes fold. */
  readonly findings: { readonly loud: number; readonly folded: number };
}

const cite = (f: Finding): CitedFinding => ({
  code: f.code,
  severity: f.severity,
  plugin: f.plugin,
  step: f.step,
  ...(f.layer !== undefined ? { layer: f.layer } : {}),
  message: f.message,
});

const placeOf = (f: Finding) => f.layer ?? (f.evidence['slice'] as string | undefined);

/**
 * Reads the findings and their evidence and names ranked root causes. The rules are walked
 * root-most first: each cause claims its signs and every still-unclaimed finding it explains,
 * so one fault reads as one cause with its consequences folded under it. Findings no rule
 * claims stand as causes of their own (id = their code). Info findings never make a cause.
 */
export function diagnose(
  findings: readonly Finding[],
  checked: readonly string[] = [],
  rules: readonly CauseRule[] = CAUSE_RULES,
): Diagnosis {
  const loud = findings.filter((f) => RANK[f.severity] >= 1 && f.code !== 'plugin-error');
  const claimed = new Set<Finding>();
  const causes: (Cause & { order: number })[] = [];
  rules.forEach((rule, order) => {
    const signs = loud.filter((f) => !claimed.has(f) && rule.signs[f.code] !== undefined);
    if (signs.length === 0) return;
    signs.sort((a, b) => rule.signs[b.code]! - rule.signs[a.code]! || a.step - b.step);
    for (const f of signs) claimed.add(f);
    const folded = loud.filter((f) => !claimed.has(f) && rule.explains.includes(f.code));
    for (const f of folded) claimed.add(f);
    const first = signs[0]!;
    const place = signs.map(placeOf).find((p) => p !== undefined);
    causes.push({
      id: rule.id,
      title: rule.title,
      severity: [...signs, ...folded].some((f) => f.severity === 'error') ? 'error' : 'warn',
      confidence: Math.min(0.99, rule.signs[first.code]! + 0.02 * new Set(folded.map((f) => f.code)).size),
      ...(place !== undefined ? { layer: place } : {}),
      step: Math.min(...signs.map((f) => f.step)),
      fix: rule.fix,
      evidence: signs.map(cite),
      explains: [...new Set(folded.map((f) => f.code))],
      order,
    });
  });
  for (const f of loud) {
    if (claimed.has(f)) continue;
    claimed.add(f);
    const place = placeOf(f);
    causes.push({
      id: f.code,
      title: f.message,
      severity: f.severity,
      confidence: 0.3,
      ...(place !== undefined ? { layer: place } : {}),
      step: f.step,
      fix: f.suggestion ?? 'See the finding.',
      evidence: [cite(f)],
      explains: [],
      order: rules.length,
    });
  }
  const ranked = causes
    .sort((a, b) => b.confidence - a.confidence || a.order - b.order)
    .map(({ order: _order, ...c }) => c);
  const top = ranked[0];
  return {
    verdict: top ? 'problems-found' : 'no-problem-found',
    headline: top
      ? `${top.title}${top.layer ? ` (${top.layer})` : ''}`
      : `no problem found (${checked.length > 0 ? `checked by ${checked.join(', ')}` : 'no plugins ran'})`,
    causes: ranked,
    checked,
    findings: { loud: loud.length, folded: loud.length - ranked.reduce((n, c) => n + c.evidence.length, 0) },
  };
}

/** Writes `<runDir>/diagnosis.json` (atomically: a reader never sees half a file). */
export function writeDiagnosis(runDir: string, d: Diagnosis): void {
  writeFileAtomic(path.join(runDir, 'diagnosis.json'), `${toJson(d, 2)}\n`);
}
