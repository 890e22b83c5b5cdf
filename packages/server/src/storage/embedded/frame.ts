/**
 * Record frames of the embedded engine's segment files (docs/storage-format.md, "Record frame").
 *
 * All integers little-endian. One frame per record:
 *
 * | bytes  | field            | notes                                                          |
 * |--------|------------------|----------------------------------------------------------------|
 * | 0–3    | frameLength u32  | whole frame, header included (≥ 32)                            |
 * | 4–7    | crc32 u32        | CRC-32 (IEEE, zlib) of bytes 8 … frameLength-1                 |
 * | 8–9    | magic            | 0x53 0x4C ("SL")                                               |
 * | 10     | version u8       | 1                                                              |
 * | 11     | frameFlags u8    | bit 0: last record of its append batch; bit 1: has hash key    |
 * | 12–19  | offset u64       | position of the record in the log                              |
 * | 20–27  | arrivalMs u64    | epoch ms                                                       |
 * | 28     | recordFlags u8   | AppendRecord.flags (bit 0: data encrypted)                     |
 * | 29     | hashKeyLength u8 | bytes of the explicit hash key (ASCII decimal), 0 when absent  |
 * | 30–31  | keyLength u16    | bytes of the partition key (UTF-8)                             |
 * | 32…    | partition key, explicit hash key, data (data length = frameLength − 32 − keys) |
 *
 * A batch is visible only as a whole: recovery truncates to the end of the last frame whose
 * "last record of batch" bit is set.
 */
import type { AppendRecord, PackedAppend } from '../contract.js';
import { crc32Range } from './crc32.js';

export const FRAME_HEADER_BYTES = 32;
export const FRAME_MAGIC_0 = 0x53;
export const FRAME_MAGIC_1 = 0x4c;
export const FRAME_VERSION = 1;
export const FrameFlag = { END_OF_BATCH: 1, HAS_HASH_KEY: 2 } as const;
export type FrameFlag = (typeof FrameFlag)[keyof typeof FrameFlag];

const TWO_32 = 4294967296;
/** Largest frame we accept when parsing (guards against a corrupt length field). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Bytes the frame of `record` occupies. Throws TypeError for a record the format cannot hold. */
export function frameBytes(record: AppendRecord): number {
  const keyBytes = utf8Length(record.partitionKey);
  if (keyBytes > 0xffff) throw new TypeError(`partition key too long (${keyBytes} bytes)`);
  let hashKeyBytes = 0;
  if (record.explicitHashKey !== undefined) {
    hashKeyBytes = Buffer.byteLength(record.explicitHashKey, 'utf8');
    if (hashKeyBytes === 0 || hashKeyBytes > 0xff) throw new TypeError(`explicit hash key must be 1–255 bytes (got ${hashKeyBytes})`);
  }
  const flags = record.flags ?? 0;
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xff) throw new TypeError(`record flags must be an integer 0–255 (got ${flags})`);
  const total = FRAME_HEADER_BYTES + keyBytes + hashKeyBytes + record.data.length;
  if (total > MAX_FRAME_BYTES) throw new TypeError(`record too large (${total} bytes framed)`);
  return total;
}

/** Write the frame of `record` at `pos` in `buf`; returns the position after it. */
export function writeFrame(buf: Buffer, pos: number, record: AppendRecord, offset: number, arrivalMs: number, endOfBatch: boolean): number {
  let p = pos + FRAME_HEADER_BYTES;
  const keyBytes = writeString(buf, p, record.partitionKey);
  p += keyBytes;
  let hashKeyBytes = 0;
  let frameFlags = endOfBatch ? FrameFlag.END_OF_BATCH : 0;
  if (record.explicitHashKey !== undefined) {
    hashKeyBytes = writeString(buf, p, record.explicitHashKey);
    p += hashKeyBytes;
    frameFlags |= FrameFlag.HAS_HASH_KEY;
  }
  const data = record.data;
  buf.set(data, p);
  p += data.length;
  writeHeader(buf, pos, p - pos, frameFlags, offset, arrivalMs, record.flags ?? 0, hashKeyBytes, keyBytes);
  // CRC of the header, keys and data as written.
  putU32(buf, pos + 4, crc32Range(buf, pos + 8, p));
  return p;
}

/** Bytes the frame of record `i` of a packed append occupies (its keys are valid by construction). */
export function packedFrameBytes(batch: PackedAppend, i: number): number {
  const layout = batch.source.layout;
  const hashKey = batch.keepExplicitHashKeys ? batch.source.explicitHashKeys?.[i] : undefined;
  return FRAME_HEADER_BYTES + layout[4 * i + 1] + (hashKey === undefined ? 0 : hashKey.length) + layout[4 * i + 3];
}

/**
 * Write the frame of record `i` of a packed append at `pos` in `buf`; returns the position after it.
 * Same bytes as {@link writeFrame} for the equivalent AppendRecord.
 */
export function writePackedFrame(buf: Buffer, pos: number, batch: PackedAppend, i: number, offset: number, arrivalMs: number, endOfBatch: boolean): number {
  const { keyBytes, dataBytes, layout } = batch.source;
  const k = 4 * i;
  const keyStart = layout[k];
  const keyLength = layout[k + 1];
  let p = pos + FRAME_HEADER_BYTES;
  for (let j = 0; j < keyLength; j++) buf[p + j] = keyBytes[keyStart + j];
  p += keyLength;
  let hashKeyBytes = 0;
  let frameFlags = endOfBatch ? FrameFlag.END_OF_BATCH : 0;
  const hashKey = batch.keepExplicitHashKeys ? batch.source.explicitHashKeys?.[i] : undefined;
  if (hashKey !== undefined) {
    hashKeyBytes = writeString(buf, p, hashKey);
    p += hashKeyBytes;
    frameFlags |= FrameFlag.HAS_HASH_KEY;
  }
  const dataLength = layout[k + 3];
  if (dataLength > 0) dataBytes.copy(buf, p, layout[k + 2], layout[k + 2] + dataLength);
  p += dataLength;
  writeHeader(buf, pos, p - pos, frameFlags, offset, arrivalMs, batch.flags, hashKeyBytes, keyLength);
  putU32(buf, pos + 4, crc32Range(buf, pos + 8, p));
  return p;
}

/** The 32-byte header of a frame of `length` bytes at `pos`, all but its CRC (bytes 4–7). */
function writeHeader(
  buf: Buffer,
  pos: number,
  length: number,
  frameFlags: number,
  offset: number,
  arrivalMs: number,
  recordFlags: number,
  hashKeyBytes: number,
  keyBytes: number,
): void {
  putU32(buf, pos, length);
  buf[pos + 8] = FRAME_MAGIC_0;
  buf[pos + 9] = FRAME_MAGIC_1;
  buf[pos + 10] = FRAME_VERSION;
  buf[pos + 11] = frameFlags;
  putU32(buf, pos + 12, offset >>> 0);
  putU32(buf, pos + 16, Math.floor(offset / TWO_32));
  putU32(buf, pos + 20, arrivalMs >>> 0);
  putU32(buf, pos + 24, Math.floor(arrivalMs / TWO_32));
  buf[pos + 28] = recordFlags;
  buf[pos + 29] = hashKeyBytes;
  buf[pos + 30] = keyBytes & 0xff;
  buf[pos + 31] = keyBytes >>> 8;
}

/** Little-endian u32 store without Buffer#writeUInt32LE's argument checks (values are ours). */
function putU32(buf: Buffer, p: number, v: number): void {
  buf[p] = v;
  buf[p + 1] = v >>> 8;
  buf[p + 2] = v >>> 16;
  buf[p + 3] = v >>> 24;
}

/** UTF-8 length of `s`: counted in line for short ASCII strings (partition keys), else by Node. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return n;
}

/** Write `s` as UTF-8 at `p`; returns the bytes written. ASCII (the common case) is copied in-line. */
function writeString(buf: Buffer, p: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return buf.write(s, p, 'utf8');
    buf[p + i] = c;
  }
  return n;
}

/** Why a frame failed to parse. */
export const FrameProblem = {
  /** Not enough bytes for the header or the declared length (a torn write at the tail). */
  INCOMPLETE: 'incomplete frame',
  BAD_LENGTH: 'impossible frame length',
  BAD_MAGIC: 'bad magic or version',
  BAD_CRC: 'CRC mismatch',
  BAD_LAYOUT: 'key lengths exceed the frame',
} as const;
export type FrameProblem = (typeof FrameProblem)[keyof typeof FrameProblem];

/**
 * Check the frame at `pos` (bytes up to `limit` available). Returns its length, or the problem.
 * `verifyCrc` false skips the checksum (header-only walks).
 */
export function checkFrame(buf: Buffer, pos: number, limit: number, verifyCrc: boolean): number | FrameProblem {
  if (limit - pos < FRAME_HEADER_BYTES) return FrameProblem.INCOMPLETE;
  const length = buf.readUInt32LE(pos);
  if (buf[pos + 8] !== FRAME_MAGIC_0 || buf[pos + 9] !== FRAME_MAGIC_1 || buf[pos + 10] !== FRAME_VERSION) return FrameProblem.BAD_MAGIC;
  if (length < FRAME_HEADER_BYTES || length > MAX_FRAME_BYTES) return FrameProblem.BAD_LENGTH;
  if (limit - pos < length) return FrameProblem.INCOMPLETE;
  if (FRAME_HEADER_BYTES + buf[pos + 29] + buf.readUInt16LE(pos + 30) > length) return FrameProblem.BAD_LAYOUT;
  if (verifyCrc && crc32Range(buf, pos + 8, pos + length) !== buf.readUInt32LE(pos + 4)) return FrameProblem.BAD_CRC;
  return length;
}

export function frameOffset(buf: Buffer, pos: number): number {
  return buf.readUInt32LE(pos + 12) + buf.readUInt32LE(pos + 16) * TWO_32;
}

export function frameArrivalMs(buf: Buffer, pos: number): number {
  return buf.readUInt32LE(pos + 20) + buf.readUInt32LE(pos + 24) * TWO_32;
}

export function frameEndsBatch(buf: Buffer, pos: number): boolean {
  return (buf[pos + 11] & FrameFlag.END_OF_BATCH) !== 0;
}

export function frameDataLength(buf: Buffer, pos: number, length: number): number {
  return length - FRAME_HEADER_BYTES - buf[pos + 29] - buf.readUInt16LE(pos + 30);
}

export interface DecodedFrame {
  readonly offset: number;
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly explicitHashKey?: string | undefined;
  /** A view into `buf` (no copy). */
  readonly data: Uint8Array;
  readonly flags: number;
}

/** Decode a frame already checked with {@link checkFrame}. */
export function decodeFrame(buf: Buffer, pos: number, length: number): DecodedFrame {
  const hashKeyBytes = buf[pos + 29];
  const keyBytes = buf.readUInt16LE(pos + 30);
  const keyStart = pos + FRAME_HEADER_BYTES;
  const hashStart = keyStart + keyBytes;
  const dataStart = hashStart + hashKeyBytes;
  return {
    offset: frameOffset(buf, pos),
    arrivalMs: frameArrivalMs(buf, pos),
    partitionKey: keyBytes === 0 ? '' : buf.toString('utf8', keyStart, hashStart),
    explicitHashKey: (buf[pos + 11] & FrameFlag.HAS_HASH_KEY) !== 0 ? buf.toString('utf8', hashStart, dataStart) : undefined,
    data: buf.subarray(dataStart, pos + length),
    flags: buf[pos + 28],
  };
}

/**
 * Search forward from `from` for the next position that holds a valid frame (magic, version, length,
 * CRC) whose offset is at least `minOffset`. Used to tell a corrupt frame in the middle (valid frames
 * follow) from a torn tail (nothing valid follows). Returns -1 when there is none.
 */
export function findNextValidFrame(buf: Buffer, from: number, limit: number, minOffset: number): number {
  const marker = Buffer.from([FRAME_MAGIC_0, FRAME_MAGIC_1, FRAME_VERSION]);
  let search = from + 8;
  while (search < limit) {
    const hit = buf.indexOf(marker, search);
    if (hit < 0 || hit + 3 > limit) return -1;
    const start = hit - 8;
    if (start > from && typeof checkFrame(buf, start, limit, true) === 'number' && frameOffset(buf, start) >= minOffset) return start;
    search = hit + 1;
  }
  return -1;
}
