/**
 * PutRecords fast path, input side: read an AWS JSON 1.1 PutRecords body straight from its bytes into
 * packed records — partition keys stay where they are in the body, Data is base64-decoded into one
 * buffer per request — with no JSON document, no object and no Buffer per record.
 *
 * It accepts only the plain, valid form every SDK sends: members Records, StreamName and StreamARN;
 * entries with Data, PartitionKey and optionally ExplicitHashKey; strings without escapes; partition
 * keys of printable ASCII. Anything else — another member, `null`, an escape, non-ASCII, a duplicate
 * member, any value the model's validation would refuse — returns undefined and the request takes the
 * generic path (decode + model/input.ts), which gives AWS's errors. So for every body both paths give
 * the same input, and the fast path never decides an error.
 */
import type { PutRecordsInput, PutRecordsRequestEntry } from '../model/generated/kinesis-types.js';
import type { HasPlainInput, ReleasableInput } from '../model/operation.js';
import { PLAIN_INPUT, RELEASE_INPUT } from '../model/operation.js';
import type { PackedRecordSource } from '../storage/contract.js';
import { requestBuffers } from '../model/buffer-pool.js';

// The model's limits and member names, shared with the CBOR scanner (put-records-scan-cbor.ts).
/** Most entries (the model's PutRecordsRequestEntryList length). */
export const MAX_ENTRIES = 500;
/** Most bytes of one Data blob (the model's Data length). */
export const MAX_DATA_BYTES = 10 * 1024 * 1024;
export const MAX_PARTITION_KEY = 256;
export const MAX_STREAM_NAME = 128;
export const MAX_STREAM_ARN = 2048;
export const STREAM_ARN = /^arn:aws.*:kinesis:.*:\d{12}:stream\/\S+$/;
/**
 * Base64 text beyond this many characters is decoded by Node (faster per byte, but ≈0.35 µs per call);
 * the start, and short text, in JavaScript straight from the body bytes (no string).
 */
const JS_BASE64_CHARS = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const EQUALS = 0x3d;

export const NAME_RECORDS = Buffer.from('Records');
export const NAME_STREAM_NAME = Buffer.from('StreamName');
export const NAME_STREAM_ARN = Buffer.from('StreamARN');
export const NAME_DATA = Buffer.from('Data');
export const NAME_PARTITION_KEY = Buffer.from('PartitionKey');
export const NAME_EXPLICIT_HASH_KEY = Buffer.from('ExplicitHashKey');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Value of one base64 character, -1 outside the standard alphabet. */
const B64 = new Int16Array(256).fill(-1);
/** Value (12 bits) of a pair of base64 characters, indexed by (first << 8) | second; -1 if either is invalid. */
const B64_PAIR = new Int32Array(65536).fill(-1);
for (let i = 0; i < 64; i++) B64[ALPHABET.charCodeAt(i)] = i;
for (let a = 0; a < 64; a++) for (let b = 0; b < 64; b++) B64_PAIR[(ALPHABET.charCodeAt(a) << 8) | ALPHABET.charCodeAt(b)] = (a << 6) | b;

/** A PutRecords input scanned by {@link scanPutRecordsJson}. */
export class ScannedPutRecords implements HasPlainInput, ReleasableInput {
  /** Holders of {@link source}: the request itself, and each append in flight (see {@link retain}). */
  private holders = 1;
  /** Views into the source escaped: its buffers are never reused. */
  private pinned = false;
  /** Given by the router: gives the request body back (see {@link RELEASE_INPUT}). */
  private afterRelease: (() => void) | undefined;

  /**
   * @param StreamName as in PutRecordsInput (authorization reads these two)
   * @param count entries in the request
   * @param source the entries, packed (keys in the request body, data in one decoded buffer)
   * @param reusable the source's `dataBytes` and `layout` came from `requestBuffers` (model/buffer-pool.ts)
   *   and go back there once nothing holds them
   */
  constructor(
    readonly StreamName: string | undefined,
    readonly StreamARN: string | undefined,
    readonly count: number,
    readonly source: PackedRecordSource,
    private readonly reusable = false,
  ) {}

  /** One more holder of the source's bytes (an append in flight); each is matched by {@link release}. */
  retain(): void {
    this.holders++;
  }

  /** A holder is done; the last one gives reusable buffers back. */
  release(): void {
    if (--this.holders !== 0 || this.pinned) return;
    if (this.reusable) {
      requestBuffers.releaseArena(this.source.dataBytes);
      requestBuffers.releaseLayout(this.source.layout);
    }
    const then = this.afterRelease;
    this.afterRelease = undefined;
    then?.();
  }

  /** Views into the source's bytes may outlive the request: never reuse its buffers. */
  pin(): void {
    this.pinned = true;
  }

  /** The request is done with its input (the router calls this once, after the answer). */
  [RELEASE_INPUT](then?: () => void): void {
    this.afterRelease = then;
    this.release();
  }

  /** Bytes of entry `i` as the limits count them: data plus partition key (ASCII, so one byte a character). */
  size(i: number): number {
    return this.source.layout[4 * i + 1] + this.source.layout[4 * i + 3];
  }

  partitionKey(i: number): string {
    const layout = this.source.layout;
    return this.source.keyBytes.toString('latin1', layout[4 * i], layout[4 * i] + layout[4 * i + 1]);
  }

  explicitHashKey(i: number): string | undefined {
    return this.source.explicitHashKeys?.[i];
  }

  /** The input the generic path would have produced. */
  [PLAIN_INPUT](): PutRecordsInput {
    // Its Data members are views into the source.
    this.pin();
    const { dataBytes, layout } = this.source;
    const records: PutRecordsRequestEntry[] = [];
    for (let i = 0; i < this.count; i++) {
      const entry: { Data: Uint8Array; PartitionKey: string; ExplicitHashKey?: string } = {
        Data: dataBytes.subarray(layout[4 * i + 2], layout[4 * i + 2] + layout[4 * i + 3]),
        PartitionKey: this.partitionKey(i),
      };
      const hashKey = this.explicitHashKey(i);
      if (hashKey !== undefined) entry.ExplicitHashKey = hashKey;
      records.push(entry);
    }
    const input: { Records: PutRecordsRequestEntry[]; StreamName?: string; StreamARN?: string } = { Records: records };
    if (this.StreamName !== undefined) input.StreamName = this.StreamName;
    if (this.StreamARN !== undefined) input.StreamARN = this.StreamARN;
    return input;
  }
}

function ws(b: Buffer, p: number): number {
  for (;;) {
    const c = b[p];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
    else return p;
  }
}

function nameIs(b: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[start + i] !== name[i]) return false;
  return true;
}

/** End (closing quote) of a string of printable ASCII without escapes starting after `start`'s quote, or -1. */
function plainStringEnd(b: Buffer, start: number): number {
  for (let p = start; p < b.length; p++) {
    const c = b[p];
    if (c === QUOTE) return p;
    if (c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
  }
  return -1;
}

/** Set by {@link memberValue}: the member name's byte range. */
let nameStart = 0;
let nameEnd = 0;

/** At `"name":` (whitespace allowed): the position of the value after it, or -1. */
function memberValue(b: Buffer, p: number): number {
  if (b[p] !== QUOTE) return -1;
  const end = plainStringEnd(b, p + 1);
  if (end < 0) return -1;
  nameStart = p + 1;
  nameEnd = end;
  const q = ws(b, end + 1);
  return b[q] === COLON ? ws(b, q + 1) : -1;
}

/** Set by {@link afterValue}: whether the object or list ended. */
let closed = false;

/** After a value in an object or list that `close` ends: the next position (see {@link closed}), or -1. */
function afterValue(b: Buffer, p: number, close: number): number {
  const q = ws(b, p);
  if (b[q] === COMMA) {
    closed = false;
    return ws(b, q + 1);
  }
  if (b[q] !== close) return -1;
  closed = true;
  return ws(b, q + 1);
}

/** Set by {@link decodeData}: bytes written. */
let decodedBytes = 0;

/**
 * Decode the base64 text that starts at `s` (after the opening quote) into `out` at `d`. Returns the
 * position of the closing quote, or -1 when the text is not canonical standard base64 (the generic
 * path then reports it).
 */
function decodeData(b: Buffer, s: number, out: Buffer, d: number): number {
  let i = s;
  const d0 = d;
  // Whole quads in JavaScript, straight from the body bytes.
  for (;;) {
    const v = (B64_PAIR[(b[i] << 8) | b[i + 1]] << 12) | B64_PAIR[(b[i + 2] << 8) | b[i + 3]];
    if (v < 0) break;
    out[d] = v >>> 16;
    out[d + 1] = v >>> 8;
    out[d + 2] = v;
    d += 3;
    i += 4;
    if (i - s === JS_BASE64_CHARS) {
      // Long text: Node decodes the rest.
      const end = decodeNative(b, i, out, d);
      decodedBytes += d - d0;
      return end;
    }
  }
  if (b[i] === QUOTE) {
    decodedBytes = d - d0;
    return i;
  }
  // A final padded quad: xx== or xxx=, whose bits beyond the data must be zero.
  const c0 = B64[b[i]];
  const c1 = B64[b[i + 1]];
  if (c0 < 0 || c1 < 0 || b[i + 3] !== EQUALS || b[i + 4] !== QUOTE) return -1;
  if (b[i + 2] === EQUALS) {
    if ((c1 & 0x0f) !== 0) return -1;
    out[d] = (c0 << 2) | (c1 >>> 4);
    d += 1;
  } else {
    const c2 = B64[b[i + 2]];
    if (c2 < 0 || (c2 & 0x03) !== 0) return -1;
    out[d] = (c0 << 2) | (c1 >>> 4);
    out[d + 1] = ((c1 & 0x0f) << 4) | (c2 >>> 2);
    d += 2;
  }
  decodedBytes = d - d0;
  return i + 4;
}

/** {@link decodeData} for long text, by Node's decoder (which skips invalid characters: checked by length). */
function decodeNative(b: Buffer, s: number, out: Buffer, d: number): number {
  const e = b.indexOf(QUOTE, s);
  if (e < 0) return -1;
  const n = e - s;
  if (n % 4 !== 0 || (n / 4) * 3 > MAX_DATA_BYTES + 3) return -1;
  const text = b.toString('latin1', s, e);
  let pad = 0;
  if (b[e - 1] === EQUALS) pad = b[e - 2] === EQUALS ? 2 : 1;
  // Node also accepts the URL-safe alphabet; the service does not.
  if (text.indexOf('-') !== -1 || text.indexOf('_') !== -1) return -1;
  const written = out.write(text, d, 'base64');
  if (written !== (n / 4) * 3 - pad) return -1;
  if (pad > 0) {
    const last = B64[b[e - pad - 1]];
    if ((pad === 1 && (last & 0x03) !== 0) || (pad === 2 && (last & 0x0f) !== 0)) return -1;
  }
  decodedBytes = written;
  return e;
}

/**
 * Scan a PutRecords JSON body. Returns undefined whenever the generic path must handle the request
 * (see the module comment).
 */
export function scanPutRecordsJson(b: Buffer): ScannedPutRecords | undefined {
  const scanned = scanJson(b);
  // A declined body gives its reused buffers straight back.
  if (scanned === undefined) {
    if (acquiredArena !== undefined) requestBuffers.releaseArena(acquiredArena);
    if (acquiredLayout !== undefined) requestBuffers.releaseLayout(acquiredLayout);
  }
  acquiredArena = undefined;
  acquiredLayout = undefined;
  return scanned;
}

/** Set by {@link scanJson}: the reused buffers it took (given back when it declines). */
let acquiredArena: Buffer | undefined;
let acquiredLayout: Int32Array | undefined;

function scanJson(b: Buffer): ScannedPutRecords | undefined {
  let p = ws(b, 0);
  if (b[p] !== LBRACE) return undefined;
  p = ws(b, p + 1);
  let streamName: string | undefined;
  let streamArn: string | undefined;
  let layout: Int32Array | undefined;
  let arena: Buffer | undefined;
  let hashKeys: (string | undefined)[] | undefined;
  let count = 0;
  for (;;) {
    p = memberValue(b, p);
    if (p < 0) return undefined;
    if (nameIs(b, nameStart, nameEnd, NAME_RECORDS)) {
      if (layout !== undefined || b[p] !== LBRACKET) return undefined;
      layout = requestBuffers.acquireLayout();
      // Decoded data is at most 3/4 of the body.
      arena = requestBuffers.acquireArena(Math.ceil((b.length * 3) / 4) + 4);
      acquiredLayout = layout;
      acquiredArena = arena;
      let d = 0;
      p = ws(b, p + 1);
      for (;;) {
        if (count === MAX_ENTRIES || b[p] !== LBRACE) return undefined;
        p = ws(b, p + 1);
        let keyStart = -1;
        let keyLength = 0;
        let dataStart = -1;
        let hashKey: string | undefined;
        for (;;) {
          p = memberValue(b, p);
          if (p < 0 || b[p] !== QUOTE) return undefined;
          if (nameIs(b, nameStart, nameEnd, NAME_DATA)) {
            if (dataStart >= 0) return undefined;
            const end = decodeData(b, p + 1, arena, d);
            if (end < 0 || decodedBytes > MAX_DATA_BYTES) return undefined;
            dataStart = d;
            d += decodedBytes;
            layout[4 * count + 2] = dataStart;
            layout[4 * count + 3] = decodedBytes;
            p = end + 1;
          } else if (nameIs(b, nameStart, nameEnd, NAME_PARTITION_KEY)) {
            if (keyStart >= 0) return undefined;
            const end = plainStringEnd(b, p + 1);
            keyLength = end - p - 1;
            if (end < 0 || keyLength < 1 || keyLength > MAX_PARTITION_KEY) return undefined;
            keyStart = p + 1;
            p = end + 1;
          } else if (nameIs(b, nameStart, nameEnd, NAME_EXPLICIT_HASH_KEY)) {
            if (hashKey !== undefined) return undefined;
            const end = plainStringEnd(b, p + 1);
            if (end < 0 || !isHashKeyText(b, p + 1, end)) return undefined;
            hashKey = b.toString('latin1', p + 1, end);
            p = end + 1;
          } else {
            return undefined;
          }
          p = afterValue(b, p, RBRACE);
          if (p < 0) return undefined;
          if (closed) break;
        }
        if (keyStart < 0 || dataStart < 0) return undefined;
        layout[4 * count] = keyStart;
        layout[4 * count + 1] = keyLength;
        if (hashKey !== undefined) {
          hashKeys ??= [];
          hashKeys[count] = hashKey;
        }
        count++;
        p = afterValue(b, p, RBRACKET);
        if (p < 0) return undefined;
        if (closed) break;
      }
    } else if (nameIs(b, nameStart, nameEnd, NAME_STREAM_NAME)) {
      if (streamName !== undefined || b[p] !== QUOTE) return undefined;
      const end = plainStringEnd(b, p + 1);
      if (end < 0 || !isStreamNameText(b, p + 1, end)) return undefined;
      streamName = b.toString('latin1', p + 1, end);
      p = end + 1;
    } else if (nameIs(b, nameStart, nameEnd, NAME_STREAM_ARN)) {
      if (streamArn !== undefined || b[p] !== QUOTE) return undefined;
      const end = plainStringEnd(b, p + 1);
      if (end < 0 || end - p - 1 > MAX_STREAM_ARN) return undefined;
      streamArn = b.toString('latin1', p + 1, end);
      if (!STREAM_ARN.test(streamArn)) return undefined;
      p = end + 1;
    } else {
      return undefined;
    }
    p = afterValue(b, p, RBRACE);
    if (p < 0) return undefined;
    if (closed) break;
  }
  if (p !== b.length || layout === undefined || arena === undefined || count === 0) return undefined;
  if (streamName === undefined && streamArn === undefined) return undefined;
  return new ScannedPutRecords(streamName, streamArn, count, { keyBytes: b, dataBytes: arena, layout, explicitHashKeys: hashKeys }, true);
}

/** `0|([1-9]\d{0,38})` (the model's HashKey pattern). */
function isHashKeyText(b: Buffer, start: number, end: number): boolean {
  const n = end - start;
  if (n < 1 || n > 39) return false;
  if (b[start] === 0x30) return n === 1;
  for (let i = start; i < end; i++) if (b[i] < 0x30 || b[i] > 0x39) return false;
  return true;
}

/** `[a-zA-Z0-9_.-]+`, 1–128 characters (the model's StreamName). */
function isStreamNameText(b: Buffer, start: number, end: number): boolean {
  const n = end - start;
  if (n < 1 || n > MAX_STREAM_NAME) return false;
  for (let i = start; i < end; i++) {
    const c = b[i];
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}
