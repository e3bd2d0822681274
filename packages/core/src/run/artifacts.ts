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

/** A writer its creator closes: `close` shuts the files `appendLine` keeps open (a later append reopens). */
export interface OwnedArtifactWriter extends ArtifactWriter {
  close(): void;
}

/** Atomic write: readers never see a half-written file, and a crash leaves the previous version. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    // A full disk must not leave half-written temp files behind.
    fs.rmSync(tmp, { force: true });
    throw e;
  }
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

/** The run's own records: only the core writes them (a plugin that could would erase the run's history). */
export const CORE_RECORDS: readonly string[] = [
  'events.jsonl',
  'findings.json',
  'diagnosis.json',
  'summary.json',
  'config.json',
  'report.html',
];

/**
 * A writer confined to `dir`. With an `owner` (a plugin's name) it is that plugin's: the run's own
 * records are refused, a path must name a file (not the folder itself), and every folder on the way
 * must really be inside the run directory (a link a plugin made cannot lead out). Refusals throw
 * before anything is written, naming the owner.
 */
export function createArtifactWriter(dir: string, owner?: string): OwnedArtifactWriter {
  const root = path.resolve(dir);
  const refuse = (relative: string, why: string): never => {
    throw new TrainwatchError('plugin-error', `${owner ? `${owner}: ` : ''}artifact path "${relative}" ${why}`);
  };
  const resolve = (relative: string): string => {
    const abs = path.resolve(root, relative);
    if (abs !== root && !abs.startsWith(root + path.sep)) refuse(relative, 'leaves the run directory');
    if (!owner) {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      return abs;
    }
    if (abs === root) refuse(relative, 'names the run directory itself, not a file in it');
    const rel = path.relative(root, abs);
    if (CORE_RECORDS.includes(rel)) refuse(relative, "is one of the run's own records (written by the core only)");
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    // Links resolved: the folder must still be inside the run directory, and the file not a link.
    const realDir = fs.realpathSync(path.dirname(abs));
    const realRoot = fs.realpathSync(root);
    if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep))
      refuse(relative, 'leads out of the run directory through a link');
    if (fs.existsSync(abs) && fs.lstatSync(abs).isSymbolicLink()) refuse(relative, 'is a link');
    return abs;
  };
  // Files appendLine writes, open from their first line (checked then) to `close`: a line is one
  // write on the descriptor, where checking the path and appending by name each time (mkdir,
  // realpath, lstat, open, close) cost ~0.2 ms a line. The descriptor stays on the file that was
  // checked, whatever later happens to the path. An atomic write of the same file replaces it, so
  // its descriptor is closed first (lines after it go to the new file).
  const open = new Map<string, number>();
  const release = (file: string) => {
    const fd = open.get(file);
    if (fd === undefined) return;
    open.delete(file);
    fs.closeSync(fd);
  };
  const replace = (relative: string, data: string | Uint8Array) => {
    const file = resolve(relative);
    release(file);
    writeFileAtomic(file, data);
    return file;
  };
  return {
    dir: root,
    path: resolve,
    writeJson: (relative, value) => replace(relative, `${toJson(value, 2)}\n`),
    write: replace,
    appendLine(relative, line) {
      let file = path.resolve(root, relative);
      let fd = open.get(file);
      if (fd === undefined) {
        file = resolve(relative);
        fd = fs.openSync(file, 'a');
        open.set(file, fd);
      }
      fs.writeSync(fd, `${line}\n`);
      return file;
    },
    close() {
      for (const file of [...open.keys()]) release(file);
    },
  };
}
