import * as path from 'node:path';
import { writeFileAtomic } from '@trainwatch/core';
import { buildCompareHtml, readRun } from '@trainwatch/report';
import { displayPath, EXIT, type Io } from '../display/output';
import { looksLikeRun } from './report';

/** `trainwatch compare <runA> <runB> [...]`: one self-contained page overlaying the runs. */
export function compareCommand(dirs: string[], flags: { out?: string }, io: Io): number {
  if (dirs.length < 2) {
    io.stderr.write('trainwatch compare: give at least two run directories\n');
    return EXIT.usage;
  }
  const bad = dirs.filter((d) => !looksLikeRun(d));
  if (bad.length) {
    for (const d of bad)
      io.stderr.write(
        `trainwatch compare: ${d} is not a run directory (no events.jsonl, findings.json, summary.json or config.json)\n`,
      );
    return EXIT.usage;
  }
  const out = path.resolve(flags.out ?? 'compare.html');
  writeFileAtomic(out, buildCompareHtml(dirs.map((d) => readRun(path.resolve(d)))));
  io.stdout.write(`comparison: ${displayPath(out)}\n`);
  return EXIT.completed;
}
