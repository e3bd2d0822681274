import * as fs from 'node:fs';
import * as path from 'node:path';
import { inside, readRun, type LineReader } from './read-run';
import { eventFileName, headerRecord, summaryRecords } from './tensorboard';

/**
 * TensorBoard's event file written while the run goes: each {@link flush} reads only the lines the
 * run's JSONL files gained since the previous one (complete lines; a line still being written waits
 * for the next flush) and appends their records, so `tensorboard --logdir runs` shows a run mid-way.
 * The caller flushes every few seconds and once at the end.
 */
export class TensorboardLive {
  readonly file: string;
  private readonly offsets = new Map<string, number>();
  private readonly started = Date.now() / 1000;

  constructor(private readonly runDir: string) {
    this.file = eventFileName(runDir, this.started);
  }

  /**
   * Appends what is new; returns how many records were appended. `final` (the run has ended) also
   * takes a last line that lacks its newline.
   */
  flush(final = false): number {
    const fresh: LineReader = (runDir, file) => {
      if (!inside(runDir, file)) return [];
      const from = this.offsets.get(file) ?? 0;
      const size = fs.statSync(file).size;
      if (size <= from) return [];
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.alloc(size - from);
        fs.readSync(fd, buf, 0, buf.length, from);
        // Only up to the last newline: a half-written line is read whole next time.
        const end = final ? buf.length : buf.lastIndexOf(0x0a);
        if (end < 0) return [];
        this.offsets.set(file, from + end + 1);
        return buf.subarray(0, end).toString('utf8').split('\n');
      } finally {
        fs.closeSync(fd);
      }
    };
    const records = summaryRecords(readRun(this.runDir, fresh), Date.now() / 1000);
    const first = !fs.existsSync(this.file);
    if (!first && records.length === 0) return 0;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, Buffer.concat([...(first ? [headerRecord(this.started)] : []), ...records]));
    return records.length;
  }
}
