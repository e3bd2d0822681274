import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, writeOutputs, type Io } from '../display/output';

const RUN_FILES = ['events.jsonl', 'findings.json', 'summary.json', 'config.json'];

/** Whether a folder holds a run's records (one of the files every run writes). */
export const looksLikeRun = (dir: string): boolean => RUN_FILES.some((f) => fs.existsSync(path.join(dir, f)));

/** `trainwatch report <runDir>`: rebuilds report.html (and TensorBoard files), also for crashed or killed runs. */
export function reportCommand(runDir: string, flags: { tensorboard?: boolean }, io: Io): number {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    io.stderr.write(`trainwatch report: ${runDir} is not a directory\n`);
    return EXIT.usage;
  }
  if (!looksLikeRun(dir)) {
    io.stderr.write(
      `trainwatch report: ${runDir} does not look like a run directory (no events.jsonl, findings.json, summary.json or config.json)\n`,
    );
    return EXIT.usage;
  }
  const lines = writeOutputs(dir, { report: true, tensorboard: flags.tensorboard === true }, io);
  if (lines.length === 0) return EXIT.failed;
  io.stdout.write(lines.map((l) => `${l}\n`).join(''));
  return EXIT.completed;
}
