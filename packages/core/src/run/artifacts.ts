import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrainwatchError } from '../util/errors';

/** Writes files under the run directory; paths are relative to it and may not leave it. */
export interface ArtifactWriter {
  /** The run directory (absolute). */
  readonly dir: string;
  /** Absolute path of a file in the run directory (parent folders are created). */
  path(relative: string): string;
  /** Writes JSON atomically (temp file + rename). */
  writeJson(relative: string, value: unknown): string;
  /** Writes text or bytes atomically. */
  write(relative: string, data: string | Uint8Array): string;
  /** Appends one line (a newline is added). */
  appendLine(relative: string, line: string): string;
}

/** Atomic write: readers never see a half-written file, and a crash leaves the previous version. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** JSON with non-finite numbers kept readable: NaN and ±Infinity become strings, not `null`. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
      if (ArrayBuffer.isView(v) && !(v instanceof DataView))
        return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : String(x)));
      return v;
    },
    indent,
  );
}

export function createArtifactWriter(dir: string): ArtifactWriter {
  const root = path.resolve(dir);
  const resolve = (relative: string): string => {
    const abs = path.resolve(root, relative);
    if (abs !== root && !abs.startsWith(root + path.sep)) {
      throw new TrainwatchError('plugin-error', `artifact path "${relative}" leaves the run directory`);
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    return abs;
  };
  return {
    dir: root,
    path: resolve,
    writeJson(relative, value) {
      const file = resolve(relative);
      writeFileAtomic(file, `${toJson(value, 2)}\n`);
      return file;
    },
    write(relative, data) {
      const file = resolve(relative);
      writeFileAtomic(file, data);
      return file;
    },
    appendLine(relative, line) {
      const file = resolve(relative);
      fs.appendFileSync(file, `${line}\n`);
      return file;
    },
  };
}
