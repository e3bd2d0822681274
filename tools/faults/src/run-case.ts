import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '@trainwatch/core';
import { runWith } from '@trainwatch/core/testing';
import { activationMonitor } from '@trainwatch/activation-monitor';
import { gradientGuard } from '@trainwatch/gradient-guard';
import { periodicEval } from '@trainwatch/periodic-eval';
import { qualitativeSampler } from '@trainwatch/qualitative-sampler';
import { TRAINING_DEFAULTS, type FaultCase } from './case';

/** The standard plugin set, at defaults: the same for every case. */
export const STANDARD_PLUGINS = [gradientGuard, activationMonitor, periodicEval, qualitativeSampler];

/** A root cause as `diagnosis.json` lists it (only what the benchmark reads). */
export interface CauseRecord {
  id: string;
  severity: string;
  layer?: string;
  explains: string[];
}

/** What one case's run produced. */
export interface CaseRun {
  case: FaultCase;
  status: string;
  final: Record<string, number>;
  findings: Finding[];
  /** The diagnosis' ranked root causes, or undefined when the run wrote none. */
  causes: CauseRecord[] | undefined;
  wallMs: number;
}

/** Runs one case with the standard plugins in a fresh folder under `root`. */
export async function runCase(c: FaultCase, root: string): Promise<CaseRun> {
  const runDir = path.join(root, c.name);
  fs.rmSync(runDir, { recursive: true, force: true });
  const t0 = Date.now();
  const r = await runWith({
    task: c.task,
    taskOptions: c.taskOptions ?? {},
    training: { ...TRAINING_DEFAULTS, ...c.training },
    plugins: STANDARD_PLUGINS.map((plugin) => ({ plugin, options: {} })),
    runDir,
  });
  const file = path.join(runDir, 'diagnosis.json');
  const causes = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { causes: CauseRecord[] }).causes
    : undefined;
  // A task evaluator's metrics (reward, catch rate) are in periodic-eval's records, not the summary.
  const evals = path.join(runDir, 'periodic-eval', 'evals.jsonl');
  const lines = fs.existsSync(evals) ? fs.readFileSync(evals, 'utf8').trim().split('\n') : [];
  const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]!) as { metrics?: Record<string, number> }) : {};
  return {
    case: c,
    status: r.status,
    final: { ...last.metrics, ...r.summary.final },
    findings: r.findings,
    causes,
    wallMs: Date.now() - t0,
  };
}
