import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainwatchConfig } from '../config/schema';
import { TrainwatchError } from '../util/errors';
import { toJson } from './artifacts';

/** The files that mark a folder as holding a run. */
const RUN_RECORDS = ['events.jsonl', 'findings.json', 'summary.json'] as const;

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').replace('T', '-').slice(0, 19);

/**
 * `<output.dir>/<output.name>`, or `<output.dir>/<timestamp>-<label>` (with `-2`, `-3`... when taken).
 * Pass `useName: false` for side runs (e.g. the doctor's) that must not take the run's own name.
 * A name only: {@link claimRunDir} is what takes it.
 */
export function defaultRunDir(config: TrainwatchConfig, label: string, useName = true): string {
  if (config.output.name && useName) return path.resolve(config.output.dir, config.output.name);
  let dir = path.resolve(config.output.dir, `${stamp()}-${label}`);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.resolve(config.output.dir, `${stamp()}-${label}-${i}`);
  return dir;
}

const dirError = (code: 'run-dir-exists' | 'run-dir-not-empty' | 'run-dir-invalid', message: string) =>
  new TrainwatchError(code, message);

/**
 * `mkdir -p` one level at a time: Node's recursive mode never returns for some paths (`/proc/x`),
 * and each failure here names the path and why (a file on the way, no permission, a read-only disk).
 */
function makeParents(dir: string): void {
  const missing: string[] = [];
  let cur = dir;
  while (!fs.existsSync(cur)) {
    missing.push(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  if (fs.existsSync(cur) && !fs.statSync(cur).isDirectory())
    throw dirError('run-dir-invalid', `cannot make run directory ${dir}: ${cur} is a file, not a folder`);
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw dirError('run-dir-invalid', `cannot make run directory ${dir}: ${d}: ${code ?? String(e)}`);
    }
  }
}

/**
 * Takes `runDir` for one run and writes `config.json` (the config as run, defaults filled in),
 * atomically: `config.json` is created exclusively, so of two runs started on the same folder one
 * gets it and the other is refused (or, with `retry`, takes `<name>-2`, `-3`...). A folder that
 * already holds a run, or any other file, is refused: nothing of the user's is ever written over.
 * Returns the directory taken.
 */
export function claimRunDir(runDir: string, config: TrainwatchConfig, o: { retry?: boolean } = {}): string {
  for (let i = 1; ; i++) {
    const dir = i === 1 ? runDir : `${runDir}-${i}`;
    const taken = tryClaim(dir, config);
    if (taken === 'ok') return dir;
    if (!o.retry || i >= 100) {
      const held = RUN_RECORDS.filter((f) => fs.existsSync(path.join(dir, f)));
      if (held.length > 0 || taken === 'claimed')
        throw dirError(
          'run-dir-exists',
          `run directory ${dir} already holds a run (${held.join(', ') || 'config.json'}); choose another directory (--out) or remove it: nothing was overwritten`,
        );
      throw dirError(
        'run-dir-not-empty',
        `run directory ${dir} is not empty and holds no run (${fs.readdirSync(dir).slice(0, 3).join(', ')}...); a run directory must be new or empty: nothing was written`,
      );
    }
  }
}

function tryClaim(dir: string, config: TrainwatchConfig): 'ok' | 'claimed' | 'not-empty' {
  makeParents(path.dirname(dir));
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') throw dirError('run-dir-invalid', `cannot make run directory ${dir}: ${code ?? String(e)}`);
    if (!fs.statSync(dir).isDirectory()) throw dirError('run-dir-invalid', `run directory ${dir} is a file`);
    const entries = fs.readdirSync(dir);
    if (entries.includes('config.json')) return 'claimed';
    if (entries.length > 0) return 'not-empty';
  }
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, 'config.json'), 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'claimed';
    throw dirError(
      'run-dir-invalid',
      `cannot write in run directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  try {
    fs.writeSync(fd, `${toJson(config, 2)}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return 'ok';
}
