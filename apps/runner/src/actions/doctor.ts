import * as path from 'node:path';
import { loadConfig } from '../config/load-config';
import { doctor, verdictTable } from '../doctor/checks';
import { cliLogSink, displayPath, EXIT, formatDiagnosis, writeOutputs, type Io } from '../display/output';
import { findingLine } from '../display/progress';

/** `trainwatch doctor <config>`: the preflight; exit 1 when its run fails, 3 when a check fails with an error finding. */
export async function doctorCommand(configFile: string, flags: { out?: string; quiet?: boolean }, io: Io) {
  const resolved = await loadConfig(configFile);
  const withReference = resolved.plugins.some((p) => p.plugin.name === 'reference-check');
  io.stdout.write(
    `trainwatch doctor: ${resolved.task.name}: initial loss, gradient check, tiny-set overfit, learning-rate range, input-independent baseline, simpler network${withReference ? ', reference comparison' : ''}\n`,
  );
  const out = flags.out ? path.resolve(flags.out) : undefined;
  const { result, verdicts } = await doctor(resolved, out, cliLogSink(flags.quiet === true));
  const outputs = writeOutputs(result.runDir, { report: true, tensorboard: false }, io);
  io.stdout.write(`\n${formatDiagnosis(result.diagnosis)}\n${verdictTable(verdicts)}\n`);
  for (const f of result.findings.filter((x) => x.severity !== 'info')) io.stdout.write(`${findingLine(f)}\n`);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  // The doctor's own run failing is a failure, never "healthy".
  const failed = result.status === 'failed';
  const verdict = failed
    ? `the doctor's run failed: ${result.reason}`
    : errors
      ? `${errors} error finding${errors === 1 ? '' : 's'}: fix these before training for long`
      : 'healthy: no error finding';
  io.stdout.write(
    `\n${verdict}\n  run directory: ${displayPath(result.runDir)}\n${outputs.map((o) => `  ${o}\n`).join('')}`,
  );
  return failed ? EXIT.failed : errors ? EXIT.stopped : EXIT.completed;
}
