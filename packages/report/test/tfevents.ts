import * as path from 'node:path';
import CRC32C from 'crc-32/crc32c';
import * as protobuf from 'protobufjs';

/** One decoded Event, flattened to what the tests look at. */
export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  tag?: string;
  value?: number;
  buckets?: number[];
  limits?: number[];
}

interface EventMessage {
  wallTime: number;
  step: number | { toNumber(): number };
  fileVersion?: string;
  summary?: { value: { tag: string; simpleValue?: number; histo?: { bucket: number[]; bucketLimit: number[] } }[] };
}

const Event = protobuf.loadSync(path.join(__dirname, 'proto', 'tensorboard.proto')).lookupType('tensorflow.Event');
const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/**
 * Reads a TensorBoard event file: TFRecord framing (u64 length, masked CRC32C of the length, data,
 * masked CRC32C of the data; both CRCs checked), each record decoded by protobufjs as a
 * `tensorflow.Event` from the transcribed `.proto`.
 */
export function decodeEvents(file: Buffer): DecodedEvent[] {
  const events: DecodedEvent[] = [];
  let off = 0;
  while (off < file.length) {
    if (mask(CRC32C.buf(file.subarray(off, off + 8)) >>> 0) !== file.readUInt32LE(off + 8))
      throw new Error(`bad length CRC at ${off}`);
    const len = Number(file.readBigUInt64LE(off));
    const data = file.subarray(off + 12, off + 12 + len);
    if (mask(CRC32C.buf(data) >>> 0) !== file.readUInt32LE(off + 12 + len)) throw new Error(`bad data CRC at ${off}`);
    off += 16 + len;
    const m = Event.toObject(Event.decode(data), { defaults: true }) as EventMessage;
    const step = typeof m.step === 'number' ? m.step : m.step.toNumber();
    const e: DecodedEvent = { wallTime: m.wallTime, step };
    if (m.fileVersion) e.fileVersion = m.fileVersion;
    const v = m.summary?.value[0];
    if (v) {
      e.tag = v.tag;
      if (v.simpleValue !== undefined) e.value = v.simpleValue;
      if (v.histo) {
        e.buckets = v.histo.bucket;
        e.limits = v.histo.bucketLimit;
      }
    }
    events.push(e);
  }
  return events;
}
