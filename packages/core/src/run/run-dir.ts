import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainwatchConfig } from '../config/schema';
import { TrainwatchError } from '../util/errors';
import { toJson, writeFileAtomic } from './artifacts';

/** The files that mark a folder as holding a run. */
const RUN_RECORDS = ['events.jsonl', 'findings.json', 'summary.json'] as const;

/**
 * `<output.dir>/<output.name>`, or `<output.dir>/<timestamp>-<label>` (with `-2`, `-3`... when taken).
 * Pass `useName: false` for side runs (e.g. the doctor's) that must not take the run's own name.
 */
export function defaultRunDir(config: TrainwatchConfig, label: string, useName = true): string {
  if (config.output.name && useName) return path.resolve(config.output.dir, config.output.name);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '-').slice(0, 19);
  let dir = path.resolve(config.output.dir, `${stamp}-${label}`);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.resolve(config.output.dir, `${stamp}-${label}-${i}`);
  return dir;
}

/**
 * Creates the run directory and writes `config.json` (the config as run, defaults filled in).
 * A directory that already holds a run is refused: appending a second run to its files would garble both.
 */
export function prepareRunDir(runDir: string, config: TrainwatchConfig): void {
  const previous = RUN_RECORDS.filter((f) => fs.existsSync(path.join(runDir, f)));
  if (previous.length > 0) {
    throw new TrainwatchError(
      'run-dir-exists',
      `run directory ${runDir} already holds a run (${previous.join(', ')}); choose another directory (--out) or remove it: nothing was overwritten`,
    );
  }
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(path.join(runDir, 'config.json'), `${toJson(config, 2)}\n`);
}
