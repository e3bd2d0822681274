import type { FindingInput } from './findings';

/** How {@link FindingGate.admit} tells a repeat of a problem from a new or a worse one. */
export interface ReportOnceOptions {
  /** What counts as the same problem (default: the finding's code and layer). */
  readonly key?: string;
  /** How bad the problem is now, higher is worse (a share, a ratio). Without it a key reports once. */
  readonly measure?: number;
  /** Report again once `measure` has grown by at least this much since the last report. */
  readonly worseBy?: number;
  /** Report again once `measure` reaches this value (e.g. 1 for "every unit"), however small the step. */
  readonly worstAt?: number;
}

/**
 * "Report each problem once, and again only when it is clearly worse": the rule every detector
 * follows, so a run with one fault does not print the same warning at every check. A repeat that
 * passes is marked `worse:` and carries the measure last reported as `evidence.previous`.
 */
export class FindingGate {
  private readonly last = new Map<string, number>();

  /** The finding to report now, or undefined when the same problem was reported and is not clearly worse. */
  admit(finding: FindingInput, o: ReportOnceOptions = {}): FindingInput | undefined {
    const key = o.key ?? `${finding.code}|${finding.layer ?? ''}`;
    const measure = o.measure ?? 0;
    const last = this.last.get(key);
    if (last !== undefined) {
      const worse =
        (o.worseBy !== undefined && measure >= last + o.worseBy) ||
        (o.worstAt !== undefined && measure >= o.worstAt && last < o.worstAt);
      if (!worse) return undefined;
    }
    this.last.set(key, measure);
    if (last === undefined) return finding;
    return { ...finding, message: `worse: ${finding.message}`, evidence: { ...finding.evidence, previous: last } };
  }

  /** True once anything was admitted under `key`. */
  has(key: string): boolean {
    return this.last.has(key);
  }
}
