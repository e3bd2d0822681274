import { TrainwatchError } from '../util/errors';

/** How bad a finding is: `info` (a fact), `warn` (likely a problem), `error` (a bug or a broken run). */
export type Severity = 'info' | 'warn' | 'error';

/**
 * A diagnosis a plugin makes about the run. Codes are stable kebab-case strings
 * (`nonfinite-gradient`, `dead-units`...): what users grep for and tools match on.
 */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  /** Plugin that reported it (filled in by the core). */
  readonly plugin: string;
  readonly step: number;
  readonly epoch: number;
  readonly layer?: string;
  readonly message: string;
  /** Numbers and short facts that back the message (JSON-serialisable). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** What to try next. */
  readonly suggestion?: string;
}

/** What a plugin passes to `ctx.report`; the core fills in plugin, and step/epoch when omitted. */
export type FindingInput = Omit<Finding, 'plugin' | 'step' | 'epoch' | 'evidence'> & {
  step?: number;
  epoch?: number;
  evidence?: Record<string, unknown>;
};

const CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEVERITIES: readonly Severity[] = ['info', 'warn', 'error'];

/** Checks a plugin's finding and completes it; throws a clear error for a malformed one. */
export function completeFinding(input: FindingInput, plugin: string, step: number, epoch: number): Finding {
  if (typeof input.code !== 'string' || !CODE.test(input.code)) {
    throw new TrainwatchError(
      'plugin-error',
      `finding code must be kebab-case (e.g. "loss-spike"), got ${JSON.stringify(input.code)}`,
    );
  }
  if (!SEVERITIES.includes(input.severity)) {
    throw new TrainwatchError(
      'plugin-error',
      `finding severity must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(input.severity)}`,
    );
  }
  if (typeof input.message !== 'string' || input.message.length === 0) {
    throw new TrainwatchError('plugin-error', `finding "${input.code}" needs a message`);
  }
  return {
    code: input.code,
    severity: input.severity,
    plugin,
    step: input.step ?? step,
    epoch: input.epoch ?? epoch,
    ...(input.layer !== undefined ? { layer: input.layer } : {}),
    message: input.message,
    evidence: input.evidence ?? {},
    ...(input.suggestion !== undefined ? { suggestion: input.suggestion } : {}),
  };
}

/** Counts findings by severity, for summaries and exit decisions. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { info: 0, warn: 0, error: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}
