import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '../backend/tf';
import type { BackendInfo } from '../backend/select-backend';
import { kernelGapReport } from '../backend/wasm-kernels';
import { countBySeverity, type Finding } from '../api/findings';
import type { EventBus } from '../loop/bus';
import type { RunEndEvent, RunStatus } from '../loop/events';
import { toJson, writeFileAtomic } from './artifacts';
import { errorMessage } from '../util/errors';

/** `summary.json`: how the run ended, what it reached and what it ran on. */
export interface RunSummary {
  runId: string;
  task: string;
  status: RunStatus;
  reason: string;
  steps: number;
  epochs: number;
  final: Record<string, number>;
  /** The last metrics of each named evaluation other than the loop's validation (e.g. a game's reward from periodic-eval). */
  evaluations?: Record<string, Record<string, number>>;
  findings: Record<string, number>;
  backend: BackendInfo;
  versions: Record<string, string>;
  wallMs: number;
  startedAt: string;
  endedAt: string;
  runDir: string;
}

function versions(): Record<string, string> {
  const file = path.join(__dirname, '..', '..', 'package.json');
  const own = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string };
  return { trainwatch: own.version, tfjs: tf.version_core, node: process.versions.node };
}

/** Builds the run's summary from its end event and writes it to `<runDir>/summary.json`. */
export function writeSummary(o: {
  runDir: string;
  task: string;
  end: RunEndEvent;
  completedEpochs: number;
  findings: readonly Finding[];
  backend: BackendInfo;
  startedAt: Date;
  evaluations?: Record<string, Record<string, number>>;
}): RunSummary {
  const { end, backend } = o;
  const summary: RunSummary = {
    runId: path.basename(o.runDir),
    task: o.task,
    status: end.status,
    reason: end.reason,
    steps: end.step,
    epochs: o.completedEpochs,
    final: { ...end.final },
    ...(o.evaluations && Object.keys(o.evaluations).length ? { evaluations: o.evaluations } : {}),
    findings: countBySeverity(o.findings),
    // Which kernels the core had to fill on wasm: a user comparing backends needs to know.
    backend: backend.kernels ? { ...backend, kernels: kernelGapReport() } : backend,
    versions: versions(),
    wallMs: Date.now() - o.startedAt.getTime(),
    startedAt: o.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    runDir: o.runDir,
  };
  try {
    writeFileAtomic(path.join(o.runDir, 'summary.json'), `${toJson(summary, 2)}\n`);
  } catch (e) {
    // The run is over either way: say why the file is missing instead of throwing its outcome away.
    summary.status = 'failed';
    summary.reason = `cannot write summary.json: ${errorMessage(e)}; events.jsonl and findings.json keep what was written (free space, then trainwatch report ${o.runDir})`;
  }
  return summary;
}

/**
 * Keeps the last metrics of each named `eval:end` other than the loop's own validation, for the
 * summary. Returns the live record.
 */
export function trackEvaluations(bus: EventBus): Record<string, Record<string, number>> {
  const last: Record<string, Record<string, number>> = {};
  bus.on('eval:end', (e) => {
    if (e.name !== 'validation') last[e.name] = { ...e.metrics };
  });
  return last;
}
