import * as path from 'node:path';
import { createColors } from 'picocolors';
import { type Diagnosis, type LogSink } from '@trainwatch/core';
import { countBySeverity, stderrSink, type RunResult } from '@trainwatch/core/runner';
import { readRun, writeReport, writeTensorboard } from '@trainwatch/report';
import { colourEnabled, type Colours } from './progress';
import { EXIT, type Io } from './exit';

export { EXIT, type Io };

/** Whether the diagnosis names a cause at or above `level` (what `--fail-on` turns into exit code 4). */
export function failsOn(d: Diagnosis, level: 'warn' | 'error' | undefined): boolean {
  if (!level) return false;
  return d.causes.some((c) => c.severity === 'error' || (level === 'warn' && c.severity === 'warn'));
}

/** The diagnosis as the terminal shows it first: the headline, then each cause with its fix. */
export function formatDiagnosis(d: Diagnosis, max = 3, k: Colours = createColors(false)): string {
  if (d.causes.length === 0) return `diagnosis: ${k.green(d.headline)}\n`;
  const lines = d.causes.slice(0, max).map((c, i) => {
    const where = c.layer ? ` [${c.layer}]` : '';
    const folded = c.explains.length > 0 ? `\n       explains: ${c.explains.join(', ')}` : '';
    const sev = c.severity === 'error' ? k.red(c.severity) : k.yellow(c.severity);
    return `  ${i + 1}. ${sev} ${k.bold(c.id)}${where} at step ${c.step} (confidence ${c.confidence.toFixed(2)}): ${c.title}\n     fix: ${c.fix}${folded}`;
  });
  const more = d.causes.length > max ? `\n  (${d.causes.length - max} more in diagnosis.json)` : '';
  return `diagnosis: ${d.causes.length} root cause${d.causes.length === 1 ? '' : 's'}\n${lines.join('\n')}${more}\n`;
}

/** How a command shows progress: a bar on a terminal, lines otherwise, nothing with --quiet, events with --json. */
export type OutputMode = 'tty' | 'plain' | 'quiet' | 'json';

/**
 * The CLI's log sink: debug lines only with TRAINWATCH_DEBUG; with `quiet`, plugins' informational
 * lines (evaluations, sample tables) are progress output too and are dropped. Warnings and errors always pass.
 */
export function cliLogSink(quiet: boolean): LogSink {
  return (level, source, message) => {
    if (level === 'debug' && !process.env['TRAINWATCH_DEBUG']) return;
    if (level === 'info' && quiet) return;
    stderrSink(level, source, message);
  };
}

/** Relative to the working directory when inside it, absolute otherwise. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
}

/** The run-end summary: status, steps, final metrics, findings by severity and code, where the files are. */
export function printSummary(result: RunResult, io: Io, mode: OutputMode, outputs: string[]): void {
  const s = result.summary;
  const counts = countBySeverity(result.findings);
  const finals = Object.entries(s.final)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(4) : String(v)}`)
    .join('  ');
  // Findings grouped by severity with their codes (and how often each fired).
  const bySeverity = (['error', 'warn', 'info'] as const)
    .map((sev) => {
      const codes = new Map<string, number>();
      for (const f of result.findings) if (f.severity === sev) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
      return codes.size ? `    ${sev}: ${[...codes].map(([c, n]) => (n > 1 ? `${c} x${n}` : c)).join(', ')}\n` : '';
    })
    .join('');
  const out = mode === 'json' ? io.stderr : io.stdout;
  const k = createColors(colourEnabled(out));
  // A run that completed with problems is not shown as a success.
  const statusColour =
    s.status === 'failed' ? k.red : s.status !== 'completed' || result.diagnosis.causes.length ? k.yellow : k.green;
  const epochs = `${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`;
  out.write(
    `\n${formatDiagnosis(result.diagnosis, 3, k)}` +
      `${statusColour(k.bold(s.status))}: ${s.reason}\n` +
      `  ${s.steps} steps, ${epochs} in ${(s.wallMs / 1000).toFixed(1)} s on ${s.backend.name}${finals ? `\n  ${finals}` : ''}\n` +
      `  findings: ${counts.error} error, ${counts.warn} warn, ${counts.info} info\n${bySeverity}` +
      `  run directory: ${displayPath(s.runDir)}\n` +
      outputs.map((o) => `  ${o}\n`).join(''),
  );
}

/** report.html (and TensorBoard files) from the run directory; a failure here never loses the run's other outputs. */
export function writeOutputs(runDir: string, o: { report: boolean; tensorboard: boolean }, io: Io): string[] {
  const lines: string[] = [];
  try {
    if (o.report) lines.push(`report: ${displayPath(writeReport(runDir))}`);
    if (o.tensorboard) {
      const dir = path.dirname(writeTensorboard(readRun(runDir)));
      lines.push(`tensorboard: ${displayPath(dir)} (tensorboard --logdir ${displayPath(runDir)})`);
    }
  } catch (e) {
    io.stderr.write(`trainwatch: could not write the report: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  return lines;
}
