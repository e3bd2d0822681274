import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as CRC32C from 'crc-32/crc32c';
import type { RunData } from './read-run';

/** TFRecord's masked CRC32C: rotate right by 15 and add a constant (so CRCs of CRCs stay strong). */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = CRC32C.buf(data) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Minimal protobuf writer: the handful of field kinds TensorBoard's Event/Summary messages need. */
class Proto {
  private readonly parts: Buffer[] = [];
  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  varint(v: number | bigint): void {
    let n = BigInt(v);
    const bytes: number[] = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      bytes.push(b);
    } while (n > 0n);
    this.parts.push(Buffer.from(bytes));
  }
  double(field: number, v: number): this {
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.parts.push(b);
    return this;
  }
  int64(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  bytes(field: number, v: Uint8Array | string): this {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
    this.key(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }
  packedDoubles(field: number, vs: readonly number[]): this {
    const b = Buffer.alloc(8 * vs.length);
    vs.forEach((v, i) => b.writeDoubleLE(v, 8 * i));
    return this.bytes(field, b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** One TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const c1 = Buffer.alloc(4);
  c1.writeUInt32LE(maskedCrc32c(len));
  const c2 = Buffer.alloc(4);
  c2.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([len, c1, Buffer.from(data), c2]);
}

/** Event { wall_time = 1, step = 2, file_version = 3 | summary = 5 }. */
function event(wallTime: number, step: number, body: (p: Proto) => void): Buffer {
  const p = new Proto().double(1, wallTime).int64(2, step);
  body(p);
  return tfRecord(p.done());
}

/** Summary { value = 1: Value { tag = 1, simple_value = 2 } }. */
function scalar(tag: string, value: number): Buffer {
  return new Proto().bytes(1, new Proto().bytes(1, tag).float(2, value).done()).done();
}

/** Summary.Value { tag = 1, histo = 5: HistogramProto { min 1, max 2, num 3, sum 4, sum_squares 5, bucket_limit 6, bucket 7 } }. */
function histogram(
  tag: string,
  lo: number,
  hi: number,
  counts: readonly number[],
  stats: { min: number; max: number; mean: number; std: number },
): Buffer {
  const n = counts.reduce((a, b) => a + b, 0);
  const width = (hi - lo) / counts.length;
  const limits = counts.map((_, i) => (i === counts.length - 1 ? Number.MAX_VALUE : lo + (i + 1) * width));
  const sum = stats.mean * n;
  const sumSq = (stats.std * stats.std + stats.mean * stats.mean) * n;
  const h = new Proto()
    .double(1, stats.min)
    .double(2, stats.max)
    .double(3, n)
    .double(4, sum)
    .double(5, sumSq)
    .packedDoubles(6, limits)
    .packedDoubles(7, counts)
    .done();
  return new Proto().bytes(1, new Proto().bytes(1, tag).bytes(5, h).done()).done();
}

/** The event-file name TensorBoard expects, under `<runDir>/tensorboard/`. */
export function eventFileName(runDir: string, startSeconds: number): string {
  return path.join(
    runDir,
    'tensorboard',
    `events.out.tfevents.${Math.floor(startSeconds)}.${os.hostname()}.trainwatch`,
  );
}

/** The file header record (`brain.Event:2`). */
export function headerRecord(wallTime: number): Buffer {
  return event(wallTime, 0, (p) => p.bytes(3, 'brain.Event:2'));
}

/**
 * The records for what `d` holds: losses and metrics per step, validation metrics per epoch,
 * gradient norms and update ratios per layer, activation histograms, evaluations.
 */
export function summaryRecords(d: RunData, wallTime: number): Buffer[] {
  const records: Buffer[] = [];
  const add = (step: number, summary: Buffer) => records.push(event(wallTime, step, (p) => p.bytes(5, summary)));
  for (const s of d.steps) {
    add(s.step, scalar('train/loss', s.loss));
    for (const [k, v] of Object.entries(s.metrics)) add(s.step, scalar(`train/${k}`, v));
    if (s.learningRate !== undefined) add(s.step, scalar('train/learning_rate', s.learningRate));
  }
  for (const e of d.epochs) for (const [k, v] of Object.entries(e.val)) add(e.step, scalar(`val/${k}`, Number(v)));
  for (const g of d.gradients) {
    for (const l of g.layers) {
      if (Number.isFinite(l.grad)) add(g.step, scalar(`gradients/${l.layer}/norm`, l.grad));
      if (typeof l.update === 'number' && Number.isFinite(l.update))
        add(g.step, scalar(`updates/${l.layer}/ratio`, l.update));
    }
  }
  for (const a of d.activations) {
    for (const l of a.layers) {
      const st = { min: l.out['min'] ?? 0, max: l.out['max'] ?? 0, mean: l.out['mean'] ?? 0, std: l.out['std'] ?? 0 };
      add(a.step, histogram(`activations/${l.layer}/${l.hist.of}`, l.hist.lo, l.hist.hi, l.hist.counts, st));
    }
  }
  for (const e of d.evals)
    for (const [k, v] of Object.entries(e.metrics))
      if (!k.startsWith('acc_class_')) add(e.step, scalar(`eval/${k}`, v));
  return records;
}

/**
 * Writes a run's TensorBoard event file in one go (from its files, after the run).
 * Returns the file written (under `<runDir>/tensorboard/`).
 */
export function writeTensorboard(d: RunData): string {
  const start = Date.parse(String(d.summary?.['startedAt'] ?? '')) / 1000 || Date.now() / 1000;
  const file = eventFileName(d.runDir, start);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([headerRecord(start), ...summaryRecords(d, start)]));
  return file;
}
