/**
 * GetRecords answers written straight into AWS JSON 1.1 bytes (the router's `renderOutput` hook,
 * model/operation.ts), byte for byte what the generic JSON codec writes for the same output
 * (`encodeJson` in protocol/json-codec.ts: blobs as base64, timestamps as epoch seconds, members in
 * the output's own order, undefined members left out).
 *
 * Why: a drained shard answers 10,000 records (several MiB) per call. The generic codec copies the
 * output into plain JSON values and JSON.stringify builds one large string; the router must then
 * measure its UTF-8 length and the socket encode it again. Measured on this VM, for 10,000 records of
 * 100 B: about 5 ms for JSON.stringify, and about 10 ms more for the first Buffer.byteLength of
 * the fresh string. That was about a fifth of a drain's CPU (`bench/kinesis-data.ts --scenarios
 * ingest,drain`, profiled). Here, the answer's UTF-8 bytes are written once into a reused scratch
 * buffer and handed to the socket as one copy.
 *
 * Anything outside the shape the handler builds (kinesis/operations/get-records.ts) is written by
 * `JSON.stringify` of its plain JSON value, member by member, so the bytes stay the generic codec's.
 */
import { toJsonValue } from '../protocol/json-codec.js';

const BASE64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

let scratch = Buffer.allocUnsafeSlow(1 << 20);
let at = 0;

function reserve(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < at + bytes) size *= 2;
  const bigger = Buffer.allocUnsafeSlow(size);
  scratch.copy(bigger, 0, 0, at);
  scratch = bigger;
}

/** Text known to be ASCII with nothing JSON escapes (names, punctuation). */
function raw(text: string): void {
  const n = text.length;
  reserve(n);
  const b = scratch;
  for (let i = 0; i < n; i++) b[at + i] = text.charCodeAt(i);
  at += n;
}

/** A string as JSON.stringify writes it, in UTF-8. */
function jsonString(s: string): void {
  const n = s.length;
  reserve(n + 2);
  const b = scratch;
  let p = at;
  b[p++] = QUOTE;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Printable ASCII other than quote and backslash is written as is; anything else by JSON.stringify.
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
      jsonText(JSON.stringify(s));
      return;
    }
    b[p++] = c;
  }
  b[p++] = QUOTE;
  at = p;
}

/** JSON text (any Unicode) in UTF-8. */
function jsonText(text: string): void {
  reserve(3 * text.length);
  at += scratch.write(text, at, 'utf8');
}

/** A JSON value as the generic codec writes it: its plain JSON value through JSON.stringify. */
function jsonValue(value: unknown): void {
  jsonText(JSON.stringify(toJsonValue(value)) ?? 'null');
}

function jsonNumber(n: number): void {
  raw(Number.isFinite(n) ? String(n) : 'null');
}

/** A blob as its quoted base64 text. */
function base64(data: Uint8Array): void {
  const n = data.length;
  reserve(4 * Math.ceil(n / 3) + 2);
  const b = scratch;
  let p = at;
  b[p++] = QUOTE;
  const whole = n - (n % 3);
  let i = 0;
  for (; i < whole; i += 3) {
    const v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    b[p] = BASE64[v >>> 18];
    b[p + 1] = BASE64[(v >>> 12) & 63];
    b[p + 2] = BASE64[(v >>> 6) & 63];
    b[p + 3] = BASE64[v & 63];
    p += 4;
  }
  if (n - whole === 1) {
    const v = data[i] << 16;
    b[p] = BASE64[v >>> 18];
    b[p + 1] = BASE64[(v >>> 12) & 63];
    b[p + 2] = 0x3d;
    b[p + 3] = 0x3d;
    p += 4;
  } else if (n - whole === 2) {
    const v = (data[i] << 16) | (data[i + 1] << 8);
    b[p] = BASE64[v >>> 18];
    b[p + 1] = BASE64[(v >>> 12) & 63];
    b[p + 2] = BASE64[(v >>> 6) & 63];
    b[p + 3] = 0x3d;
    p += 4;
  }
  b[p++] = QUOTE;
  at = p;
}

/** The epoch-seconds text of the last timestamp written (records of one group share one Date). */
let lastMs = Number.NaN;
let lastSeconds = '';

/** One member value of a record (or of the output), as toJsonValue + JSON.stringify would write it. */
function member(value: unknown): void {
  if (typeof value === 'string') jsonString(value);
  else if (value instanceof Uint8Array) base64(value);
  else if (value instanceof Date) {
    const ms = value.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastSeconds = Number.isFinite(ms) ? String(ms / 1000) : 'null';
    }
    raw(lastSeconds);
  } else if (typeof value === 'number') jsonNumber(value);
  else jsonValue(value);
}

/** `"name":` as JSON text bytes, per member name (a handful of names in practice; the cache is bounded). */
const memberHeads = new Map<string, Buffer>();

function memberHead(key: string): void {
  let head = memberHeads.get(key);
  if (head === undefined) {
    head = Buffer.from(`${JSON.stringify(key)}:`, 'utf8');
    if (memberHeads.size < 256) memberHeads.set(key, head);
  }
  const n = head.length;
  reserve(n + 1);
  const b = scratch;
  for (let i = 0; i < n; i++) b[at + i] = head[i];
  at += n;
}

/** One byte of punctuation. */
function punct(c: number): void {
  reserve(1);
  scratch[at++] = c;
}

/** An object's defined members, in its own order (for…in, as toJsonValue walks it). */
function object(value: Record<string, unknown>, records: boolean): void {
  punct(0x7b);
  let first = true;
  for (const key in value) {
    const v = value[key];
    if (v === undefined) continue;
    if (!first) punct(0x2c);
    first = false;
    memberHead(key);
    if (records && key === 'Records' && Array.isArray(v)) recordList(v);
    else member(v);
  }
  punct(0x7d);
}

function recordList(list: readonly unknown[]): void {
  punct(0x5b);
  for (let i = 0; i < list.length; i++) {
    if (i > 0) punct(0x2c);
    const r = list[i];
    if (r !== null && typeof r === 'object' && !Array.isArray(r) && !(r instanceof Uint8Array) && !(r instanceof Date) && !(r instanceof Map)) {
      object(r as Record<string, unknown>, false);
    } else {
      jsonValue(r === undefined ? null : r);
    }
  }
  punct(0x5d);
}

/**
 * A GetRecords output as the UTF-8 bytes of its AWS JSON 1.1 answer (a new Buffer, exactly sized).
 * Undefined for anything that is not an output object (the generic codec then writes it).
 */
export function renderGetRecordsJson(output: unknown): Buffer | undefined {
  if (output === null || typeof output !== 'object' || Array.isArray(output) || output instanceof Map) return undefined;
  at = 0;
  lastMs = Number.NaN;
  object(output as Record<string, unknown>, true);
  const bytes = Buffer.allocUnsafeSlow(at);
  scratch.copy(bytes, 0, 0, at);
  // A very large answer does not keep its scratch buffer alive.
  if (scratch.length > 64 * 1024 * 1024) scratch = Buffer.allocUnsafeSlow(1 << 20);
  return bytes;
}
