/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320 — the checksum of zlib, gzip and PNG) over a
 * byte range, without allocating a view.
 *
 * Why not just `zlib.crc32`: each call costs ~0.6 µs of fixed overhead (argument validation and the
 * binding), which dominates for record frames of a few hundred bytes, and it needs a subarray per
 * frame. This table-driven slicing-by-8 version runs in-line on the JIT; ranges above
 * {@link NATIVE_THRESHOLD_BYTES} go to zlib, whose per-byte speed is higher. Both give identical
 * results (checked in test/storage/embedded/crc32.test.ts).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

export const NATIVE_THRESHOLD_BYTES = 512;

const TABLES = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let k = 1; k < 8; k++) {
    const prev = TABLES[(k - 1) * 256 + n];
    TABLES[k * 256 + n] = (prev >>> 8) ^ TABLES[prev & 0xff];
  }
}

/** CRC-32 of `buf[start, end)`, continuing from `initial` (the CRC of the bytes before). */
export function crc32Range(buf: Uint8Array, start: number, end: number, initial = 0): number {
  if (end - start > NATIVE_THRESHOLD_BYTES) return zlibCrc32(buf.subarray(start, end), initial);
  const t = TABLES;
  let c = ~initial;
  let i = start;
  const stop8 = end - 8;
  while (i <= stop8) {
    const one = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    c =
      t[1792 + (one & 0xff)] ^
      t[1536 + ((one >>> 8) & 0xff)] ^
      t[1280 + ((one >>> 16) & 0xff)] ^
      t[1024 + (one >>> 24)] ^
      t[768 + buf[i + 4]] ^
      t[512 + buf[i + 5]] ^
      t[256 + buf[i + 6]] ^
      t[buf[i + 7]];
    i += 8;
  }
  while (i < end) c = t[(c ^ buf[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of all of `data`, continuing from `initial` (no view allocated on either path). */
export function crc32Of(data: Uint8Array, initial: number): number {
  return data.length > NATIVE_THRESHOLD_BYTES ? zlibCrc32(data, initial) : crc32Range(data, 0, data.length, initial);
}
