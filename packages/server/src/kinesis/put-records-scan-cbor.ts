/**
 * PutRecords fast path, input side, for AWS CBOR bodies (`application/x-amz-cbor-1.1`, which the Java
 * SDKs v1/v2 and the KPL send): read the body straight from its bytes into the same packed form as
 * the JSON scanner ({@link ScannedPutRecords}, kinesis/put-records-scan.ts), with no decoded document
 * and no object or Buffer per record.
 *
 * CBOR is RFC 8949 (https://www.rfc-editor.org/rfc/rfc8949). Each data item starts with a head byte:
 * major type in the top 3 bits, additional information in the low 5; 0–23 is the argument itself,
 * 24/25/26/27 put it in the next 1/2/4/8 bytes (big-endian), 31 opens an indefinite-length item that a
 * 0xff "break" closes (a string's chunks are then definite strings of its own major type).
 *
 * | major | meaning      | accepted here                                                          |
 * |-------|--------------|------------------------------------------------------------------------|
 * | 5     | map          | the body (definite or indefinite), each entry of Records (either)       |
 * | 3     | text string  | member names (definite); StreamName, StreamARN, PartitionKey,           |
 * |       |              | ExplicitHashKey (definite or chunked), printable ASCII only            |
 * | 2     | byte string  | Data (definite or chunked): the blob itself, no base64                  |
 * | 4     | array        | Records (definite or indefinite)                                        |
 *
 * Anything else — another member, a duplicate member, a tag, null, another major type, a value the
 * model's validation would refuse (the same checks as the JSON scanner: 1–500 entries, Data up to
 * 10 MiB, partition keys of 1–256 printable ASCII characters, the HashKey and stream name / ARN
 * patterns), text outside printable ASCII (so never invalid UTF-8), truncation, trailing bytes —
 * returns undefined and the request takes the generic path (decode + model/input.ts), which gives
 * AWS's errors. So for every body both paths give the same input, and the fast path decides no error.
 *
 * Definite-length keys and data stay where they are in the body (keyBytes = dataBytes = body): no
 * copy at all. Chunked strings are joined in a side buffer; only when a body has any does the source
 * become one new buffer (the body followed by the joined chunks).
 */
import {
  MAX_DATA_BYTES,
  MAX_ENTRIES,
  MAX_PARTITION_KEY,
  MAX_STREAM_ARN,
  MAX_STREAM_NAME,
  NAME_DATA,
  NAME_EXPLICIT_HASH_KEY,
  NAME_PARTITION_KEY,
  NAME_RECORDS,
  NAME_STREAM_ARN,
  NAME_STREAM_NAME,
  STREAM_ARN,
  ScannedPutRecords,
} from './put-records-scan.js';

// The model's limits are the JSON scanner's (kinesis/put-records-scan.ts).
/** The ExplicitHashKey pattern allows at most 39 digits. */
const MAX_HASH_KEY = 39;

const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const INDEFINITE = 31;
const BREAK = 0xff;


/** Set by {@link head}: the argument, or -1 for an indefinite length. */
let arg = 0;

/**
 * Read the head at `p` whose major type must be `major`. Returns the position after it (the argument
 * in {@link arg}), or -1 on another major type, a reserved or too large argument, or truncation.
 */
function head(b: Buffer, p: number, major: number): number {
  if (p >= b.length) return -1;
  const h = b[p];
  if (h >> 5 !== major) return -1;
  const info = h & 31;
  if (info < 24) {
    arg = info;
    return p + 1;
  }
  switch (info) {
    case 24:
      if (p + 2 > b.length) return -1;
      arg = b[p + 1];
      return p + 2;
    case 25:
      if (p + 3 > b.length) return -1;
      arg = (b[p + 1] << 8) | b[p + 2];
      return p + 3;
    case 26:
      if (p + 5 > b.length) return -1;
      arg = b.readUInt32BE(p + 1);
      return p + 5;
    case 27:
      // Any real length fits in 32 bits; a larger one cannot fit in the body either.
      if (p + 9 > b.length || b.readUInt32BE(p + 1) !== 0) return -1;
      arg = b.readUInt32BE(p + 5);
      return p + 9;
    case INDEFINITE:
      arg = -1;
      return p + 1;
    default:
      return -1; // 28–30 are reserved
  }
}

/** Set by {@link member}: the member name's byte range in the body. */
let nameStart = 0;
let nameLength = 0;

/** At a member name (a definite text string): the position of its value, or -1. */
function member(b: Buffer, p: number): number {
  const q = head(b, p, MAJOR_TEXT);
  if (q < 0 || arg < 0 || q + arg > b.length) return -1;
  nameStart = q;
  nameLength = arg;
  return q + arg;
}

function nameIs(b: Buffer, name: Buffer): boolean {
  if (nameLength !== name.length) return false;
  for (let i = 0; i < nameLength; i++) if (b[nameStart + i] !== name[i]) return false;
  return true;
}

/**
 * Chunks of indefinite-length strings, joined (lazily allocated; never longer than the body, whose
 * chunks it copies). Set per scan by {@link scanPutRecordsCbor}.
 */
let joined: Buffer | undefined;
let joinedLength = 0;

/** Set by {@link string}: where the string's content is — the body (`inJoined` false) or {@link joined} — and its length. */
let strStart = 0;
let strLength = 0;
let inJoined = false;

/**
 * Read a byte string (`major` 2) or text string (3), definite or chunked, at `p`. Returns the position
 * after it (content in {@link strStart}/{@link strLength}/{@link inJoined}), or -1 when it is not one
 * or longer than `maxLength`. Text must be printable ASCII (checked here for every byte).
 */
function string(b: Buffer, p: number, major: number, maxLength: number): number {
  let q = head(b, p, major);
  if (q < 0) return -1;
  if (arg >= 0) {
    const n = arg;
    if (n > maxLength || q + n > b.length) return -1;
    if (major === MAJOR_TEXT && !isPrintableAscii(b, q, q + n)) return -1;
    strStart = q;
    strLength = n;
    inJoined = false;
    return q + n;
  }
  joined ??= Buffer.allocUnsafe(b.length);
  const start = joinedLength;
  for (;;) {
    if (q >= b.length) return -1;
    if (b[q] === BREAK) {
      strStart = start;
      strLength = joinedLength - start;
      inJoined = true;
      return q + 1;
    }
    q = head(b, q, major);
    // A chunk is a definite-length string of the same major type.
    if (q < 0 || arg < 0) return -1;
    const n = arg;
    if (joinedLength - start + n > maxLength || q + n > b.length) return -1;
    if (major === MAJOR_TEXT && !isPrintableAscii(b, q, q + n)) return -1;
    b.copy(joined, joinedLength, q, q + n);
    joinedLength += n;
    q += n;
  }
}

/** The content {@link string} just read, as text (printable ASCII, so latin1 is UTF-8). */
function stringText(b: Buffer): string {
  return (inJoined ? (joined as Buffer) : b).toString('latin1', strStart, strStart + strLength);
}

/** Offset of the content {@link string} just read: in the body, or -1 - offset in {@link joined}. */
function stringOffset(): number {
  return inJoined ? -1 - strStart : strStart;
}

/**
 * Scan a PutRecords CBOR body. Returns undefined whenever the generic path must handle the request
 * (see the module comment).
 */
export function scanPutRecordsCbor(b: Buffer): ScannedPutRecords | undefined {
  joined = undefined;
  joinedLength = 0;
  const result = scan(b);
  joined = undefined; // keep no body alive between requests
  return result;
}

function scan(b: Buffer): ScannedPutRecords | undefined {
  let p = head(b, 0, MAJOR_MAP);
  if (p < 0) return undefined;
  let members = arg; // -1: indefinite
  let streamName: string | undefined;
  let streamArn: string | undefined;
  let layout: Int32Array | undefined;
  let hashKeys: (string | undefined)[] | undefined;
  let count = 0;
  for (;;) {
    if (members === 0) break;
    if (members < 0 && b[p] === BREAK) {
      p++;
      break;
    }
    members--;
    p = member(b, p);
    if (p < 0) return undefined;
    if (nameIs(b, NAME_RECORDS)) {
      if (layout !== undefined) return undefined;
      p = head(b, p, MAJOR_ARRAY);
      if (p < 0 || arg === 0 || arg > MAX_ENTRIES) return undefined;
      let entries = arg;
      layout = new Int32Array(4 * MAX_ENTRIES);
      for (;;) {
        if (entries === 0) break;
        if (entries < 0 && b[p] === BREAK) {
          p++;
          break;
        }
        entries--;
        if (count === MAX_ENTRIES) return undefined;
        p = head(b, p, MAJOR_MAP);
        if (p < 0) return undefined;
        let fields = arg;
        let haveKey = false;
        let haveData = false;
        let hashKey: string | undefined;
        for (;;) {
          if (fields === 0) break;
          if (fields < 0 && b[p] === BREAK) {
            p++;
            break;
          }
          fields--;
          p = member(b, p);
          if (p < 0) return undefined;
          if (nameIs(b, NAME_DATA)) {
            if (haveData) return undefined;
            p = string(b, p, MAJOR_BYTES, MAX_DATA_BYTES);
            if (p < 0) return undefined;
            layout[4 * count + 2] = stringOffset();
            layout[4 * count + 3] = strLength;
            haveData = true;
          } else if (nameIs(b, NAME_PARTITION_KEY)) {
            if (haveKey) return undefined;
            p = string(b, p, MAJOR_TEXT, MAX_PARTITION_KEY);
            if (p < 0 || strLength < 1) return undefined;
            layout[4 * count] = stringOffset();
            layout[4 * count + 1] = strLength;
            haveKey = true;
          } else if (nameIs(b, NAME_EXPLICIT_HASH_KEY)) {
            if (hashKey !== undefined) return undefined;
            p = string(b, p, MAJOR_TEXT, MAX_HASH_KEY);
            if (p < 0) return undefined;
            hashKey = stringText(b);
            if (!isHashKeyText(hashKey)) return undefined;
          } else {
            return undefined;
          }
        }
        if (!haveKey || !haveData) return undefined;
        if (hashKey !== undefined) {
          hashKeys ??= [];
          hashKeys[count] = hashKey;
        }
        count++;
      }
      if (count === 0) return undefined;
    } else if (nameIs(b, NAME_STREAM_NAME)) {
      if (streamName !== undefined) return undefined;
      p = string(b, p, MAJOR_TEXT, MAX_STREAM_NAME);
      if (p < 0) return undefined;
      streamName = stringText(b);
      if (!isStreamNameText(streamName)) return undefined;
    } else if (nameIs(b, NAME_STREAM_ARN)) {
      if (streamArn !== undefined) return undefined;
      p = string(b, p, MAJOR_TEXT, MAX_STREAM_ARN);
      if (p < 0) return undefined;
      streamArn = stringText(b);
      if (!STREAM_ARN.test(streamArn)) return undefined;
    } else {
      return undefined;
    }
  }
  if (p !== b.length || layout === undefined) return undefined;
  if (streamName === undefined && streamArn === undefined) return undefined;
  let bytes = b;
  if (joined !== undefined) {
    // Some strings were chunked: one buffer holds the body and, after it, the joined chunks.
    bytes = Buffer.concat([b, joined.subarray(0, joinedLength)]);
    for (let i = 0; i < count; i++) {
      if (layout[4 * i] < 0) layout[4 * i] = b.length - 1 - layout[4 * i];
      if (layout[4 * i + 2] < 0) layout[4 * i + 2] = b.length - 1 - layout[4 * i + 2];
    }
  }
  return new ScannedPutRecords(streamName, streamArn, count, { keyBytes: bytes, dataBytes: bytes, layout, explicitHashKeys: hashKeys });
}

function isPrintableAscii(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** `0|([1-9]\d{0,38})` (the model's HashKey pattern). */
function isHashKeyText(s: string): boolean {
  const n = s.length;
  if (n < 1 || n > MAX_HASH_KEY) return false;
  if (s.charCodeAt(0) === 0x30) return n === 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** `[a-zA-Z0-9_.-]+`, 1–128 characters (the model's StreamName). */
function isStreamNameText(s: string): boolean {
  const n = s.length;
  if (n < 1 || n > MAX_STREAM_NAME) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}
