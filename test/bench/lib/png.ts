/**
 * Valid PNG files of a chosen byte size, built with node's zlib: an RGB image whose pixels are mostly noise (so the
 * file is as large as it claims, like a photo) with a flat band at the top (so it is not pure static).
 */
import * as zlib from 'zlib';
import type { Prng } from './prng';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(chunks: Buffer[]): number {
  let c = 0xffffffff;
  for (const buf of chunks) for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32([head.subarray(4), data]), 0);
  return Buffer.concat([head, data, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG of about `bytes` bytes (within a few percent), 3:2 or so, deterministic for a given PRNG state. */
export function makePng(prng: Prng, bytes: number): { png: Buffer; width: number; height: number } {
  // The flat band (a tenth of the rows) deflates to almost nothing; the noise does not shrink at all.
  const pixels = Math.max(64, Math.round(bytes / 3 / 0.9));
  const aspect = 1 + prng.float(); // width / height between 1 and 2
  const height = Math.max(8, Math.round(Math.sqrt(pixels / aspect)));
  const width = Math.max(8, Math.round(pixels / height));
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  prng.fill(raw);
  const band = Math.floor(height / 10);
  const [r, g, b] = [prng.int(0, 255), prng.int(0, 255), prng.int(0, 255)];
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    if (y < band) for (let x = 0; x < width; x++) raw.set([r, g, b], y * stride + 1 + x * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const idat = zlib.deflateSync(raw, { level: 1 });
  return { png: Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]), width, height };
}
