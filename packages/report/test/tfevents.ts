import CRC32C from 'crc-32/crc32c';

/** A test-side decoder: TFRecord framing (checking both CRCs) and the Event / Summary fields we write. */
export interface DecodedEvent {
  wallTime?: number;
  step: number;
  fileVersion?: string;
  tag?: string;
  value?: number;
  buckets?: number[];
  limits?: number[];
}

const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

function fields(buf: Buffer): { field: number; wire: number; value: bigint | Buffer }[] {
  const out: { field: number; wire: number; value: bigint | Buffer }[] = [];
  let i = 0;
  const varint = () => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      r |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return r;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) (out.push({ field, wire, value: buf.subarray(i, i + 8) }), (i += 8));
    else if (wire === 5) (out.push({ field, wire, value: buf.subarray(i, i + 4) }), (i += 4));
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, value: buf.subarray(i, i + len) });
      i += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

const doubles = (b: Buffer) => Array.from({ length: b.length / 8 }, (_, k) => b.readDoubleLE(8 * k));

export function decodeEvents(file: Buffer): DecodedEvent[] {
  const events: DecodedEvent[] = [];
  let off = 0;
  while (off < file.length) {
    const lenBytes = file.subarray(off, off + 8);
    if (mask(CRC32C.buf(lenBytes) >>> 0) !== file.readUInt32LE(off + 8)) throw new Error(`bad length CRC at ${off}`);
    const len = Number(file.readBigUInt64LE(off));
    const data = file.subarray(off + 12, off + 12 + len);
    if (mask(CRC32C.buf(data) >>> 0) !== file.readUInt32LE(off + 12 + len)) throw new Error(`bad data CRC at ${off}`);
    off += 16 + len;
    const e: DecodedEvent = { step: 0 };
    for (const f of fields(data)) {
      if (f.field === 1) e.wallTime = (f.value as Buffer).readDoubleLE(0);
      if (f.field === 2) e.step = Number(f.value as bigint);
      if (f.field === 3) e.fileVersion = (f.value as Buffer).toString('utf8');
      if (f.field === 5) {
        const value = fields(fields(f.value as Buffer)[0]!.value as Buffer);
        for (const v of value) {
          if (v.field === 1) e.tag = (v.value as Buffer).toString('utf8');
          if (v.field === 2) e.value = (v.value as Buffer).readFloatLE(0);
          if (v.field === 5) {
            for (const h of fields(v.value as Buffer)) {
              if (h.field === 6) e.limits = doubles(h.value as Buffer);
              if (h.field === 7) e.buckets = doubles(h.value as Buffer);
            }
          }
        }
      }
    }
    events.push(e);
  }
  return events;
}
