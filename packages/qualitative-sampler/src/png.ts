import * as zlib from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0); // zlib.crc32: Node >= 20.15, hence "engines"
  return Buffer.concat([len, body, crc]);
}

/**
 * Encodes an 8-bit grey or RGB PNG from values in [0, 1] (row-major, channels last), scaled up by
 * `scale` with nearest neighbour so a 28x28 digit is visible. No dependency: zlib does the deflate.
 */
export function encodePng(
  img: { width: number; height: number; channels: 1 | 3; data: ArrayLike<number> },
  scale = 1,
): Buffer {
  const w = img.width * scale;
  const h = img.height * scale;
  const c = img.channels;
  const raw = Buffer.alloc((w * c + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * c + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const src = (Math.floor(y / scale) * img.width + Math.floor(x / scale)) * c;
      for (let k = 0; k < c; k++) {
        const v = Number(img.data[src + k]);
        raw[y * (w * c + 1) + 1 + x * c + k] = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = c === 1 ? 0 : 2; // grey or RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Reads back width, height, channels and pixels of a PNG written by {@link encodePng} (for tests and the report). */
export function decodePng(buf: Buffer): { width: number; height: number; channels: 1 | 3; pixels: Uint8Array } {
  let off = 8;
  let width = 0;
  let height = 0;
  let channels: 1 | 3 = 1;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (zlib.crc32(buf.subarray(off + 4, off + 8 + len)) >>> 0 !== buf.readUInt32BE(off + 8 + len))
      throw new Error(`PNG chunk ${type}: bad CRC`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 2 ? 3 : 1;
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    pixels.set(raw.subarray(y * (width * channels + 1) + 1, (y + 1) * (width * channels + 1)), y * width * channels);
  return { width, height, channels, pixels };
}
