/**
 * AWS CBOR body codec (`application/x-amz-cbor-1.1`), the protocol the Java SDKs (v1 and v2), the KCL
 * and the Kinesis Agent speak to Kinesis by default. Same document model as AWS JSON 1.1, in CBOR
 * (RFC 8949, https://www.rfc-editor.org/rfc/rfc8949):
 *
 * | value                        | encoding written                                          |
 * |------------------------------|-----------------------------------------------------------|
 * | structure / map              | major type 5, definite length, text-string keys           |
 * | list                         | major type 4, definite length                             |
 * | string                       | major type 3 (UTF-8)                                      |
 * | blob (`Uint8Array`/`Buffer`) | major type 2 (byte string)                                |
 * | integer                      | major type 0 / 1, shortest head (up to 64-bit)            |
 * | other number                 | major type 7, float64 (0xfb)                              |
 * | boolean / null               | 0xf5 / 0xf4 / 0xf6                                        |
 * | timestamp (`Date`)           | tag 1 (0xc1) + integer epoch **milliseconds**             |
 *
 * Timestamps are written as the Java SDK writes them (`SdkCborGenerator`: tag 1 + int64 millis), and
 * read back as millis: float epoch seconds would decode in Java as 1970. On input, tag-1 values and
 * plain integers are both handed to the model's parseInput as epoch-millisecond numbers.
 *
 * Decoding uses the `cbor-x` library (indefinite lengths, half floats, …); when cbor-x refuses a body,
 * for whatever reason, the complete reader here (`decodeCborFully`) decides: it reads the valid bodies
 * cbor-x cannot (chunked strings) and says what is wrong with the others. Encoding is done here in one
 * pass because the exact output form matters to Java clients (int64 millis, definite lengths, no
 * library-specific tags such as 64 for typed arrays or record extensions) and because it must skip
 * `undefined` members without a pre-pass over the output.
 */
import { isUtf8 } from 'node:buffer';
import { Decoder } from 'cbor-x';
import { ServiceError } from '../model/service-error.js';

export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

// int64AsNumber: 64-bit heads (Java writes every long that way) decode as numbers, not BigInt.
const decoder = new Decoder({ mapsAsObjects: true, useRecords: false, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]);

/** Replace tag-1 dates (which cbor-x reads as epoch *seconds*) by their epoch-millisecond payload. */
function datesToMillis(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) {
    // cbor-x built the Date as round(payload * 1000); payload was integer ms, so this is exact.
    return value.getTime() / 1000;
  }
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = datesToMillis(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = datesToMillis(record[key]);
  return value;
}

/** The cbor-x half of {@link decodeCborBody}: throws cbor-x's own errors (exported for tests). */
export function decodeCborWithLibrary(body: Buffer): unknown {
  const value: unknown = decoder.decode(body);
  // Only walk the tree when a tag-1 head byte (0xc1) can be present at all.
  return body.includes(0xc1) ? datesToMillis(value) : value;
}

/** Parse a request body. Throws SerializationException on malformed CBOR. */
export function decodeCborBody(body: Buffer): unknown {
  try {
    return decodeCborWithLibrary(body);
  } catch {
    // cbor-x refuses some valid bodies: it has no indefinite-length (chunked) byte and text strings,
    // which Jackson-based Java clients write for long strings, and the native string extractor it runs
    // ahead of the reader can misread a chunked string and throw first, with another message
    // ("Unexpected end of buffer reading string"). So whatever cbor-x says, the complete reader judges
    // the body: it returns what cbor-x would have returned, or throws SerializationException saying
    // what is wrong and where. It accepts nothing cbor-x would refuse for a reason of its own (see
    // decodeCborFully), so a malformed body cannot pass by making cbor-x fail.
    return decodeCborFully(body);
  }
}

const MAX_DEPTH = 128;

/**
 * A complete RFC 8949 reader for the bodies cbor-x refuses. It reads what `decodeCborBody` reads with
 * cbor-x and gives the same value (integers of up to 64 bits as numbers, half/single/double floats,
 * `undefined` for 0xf7, map keys as cbor-x names them, tag 1 as its epoch-millisecond payload),
 * plus indefinite-length strings, and is stricter where cbor-x is lenient or would build something
 * AWS CBOR has no use for:
 *
 * - an indefinite-length string is a sequence of definite-length strings of its own major type
 *   (RFC 8949 §3.2.3): a chunk of another type, an indefinite chunk or a missing break is malformed;
 * - every text string, and every chunk of a chunked one on its own, must be valid UTF-8 (§3.2.3, §5.3.1);
 * - map keys must be text strings, numbers, booleans, null or undefined (what cbor-x accepts), untagged;
 * - tag 1 must hold an integer or a float (§3.4.2); the only other tag is 55799 (self-described CBOR,
 *   §3.4.6), which is skipped. Other tags mean something to cbor-x (bignums, typed arrays, sets,
 *   records, shared references…) that the AWS data model does not have, so they are refused;
 * - unassigned simple values are refused, as cbor-x refuses them, and so is the two-byte form 0xf8 xx
 *   (cbor-x reads 0xf8 0x14 as false; RFC 8949 §3.3 makes 0xf8 with a value below 32 not well-formed);
 * - nesting deeper than 128 levels, or any byte after the top-level item, is refused.
 */
export function decodeCborFully(body: Buffer): unknown {
  let pos = 0;
  const fail = (why: string, at = pos): never => {
    throw new ServiceError('SerializationException', `The request body is not valid CBOR (${why} at byte ${at})`);
  };
  const need = (n: number): void => {
    if (n > body.length - pos) fail('unexpected end of data');
  };
  /** The argument of a head whose additional information is `info`; `at` is where the head is. */
  const argument = (info: number, at: number): number => {
    if (info < 24) return info;
    if (info === 24) return need(1), body[pos++];
    if (info === 25) return need(2), (pos += 2), body.readUInt16BE(pos - 2);
    if (info === 26) return need(4), (pos += 4), body.readUInt32BE(pos - 4);
    if (info === 27) return need(8), (pos += 8), body.readUInt32BE(pos - 8) * 0x100000000 + body.readUInt32BE(pos - 4);
    return fail('reserved additional information', at);
  };
  const text = (bytes: Buffer, at: number, what: string): void => {
    if (!isUtf8(bytes)) fail(`invalid UTF-8 in ${what}`, at);
  };
  /** The chunks of an indefinite-length string of major type 2 or 3, up to and past its break. */
  const chunks = (major: number): Buffer => {
    const kind = major === 2 ? 'byte string' : 'text string';
    const parts: Buffer[] = [];
    for (;;) {
      need(1);
      const at = pos;
      const head = body[pos++];
      if (head === 0xff) return parts.length === 1 ? parts[0] : Buffer.concat(parts);
      if (head >> 5 !== major) fail(`a chunk of major type ${head >> 5} in an indefinite-length ${kind}`, at);
      if ((head & 31) === 31) fail(`an indefinite-length chunk in an indefinite-length ${kind}`, at);
      const n = argument(head & 31, at);
      need(n);
      const part = body.subarray(pos, (pos += n));
      if (major === 3) text(part, at, 'a text string chunk');
      parts.push(part);
    }
  };
  const key = (depth: number): string => {
    need(1);
    const at = pos;
    const major = body[pos] >> 5;
    // cbor-x names members by text strings and by the scalars it can print; nothing else, and no tag.
    if (major === 2 || major === 4 || major === 5 || major === 6) fail(`a map key of major type ${major}`, at);
    const k = item(depth + 1);
    if (typeof k === 'string') return k === '__proto__' ? '__proto_' : k; // as cbor-x's safeKey does
    return String(k);
  };
  const map = (depth: number, n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; n < 0 ? (need(1), body[pos] !== 0xff) : i < n; i++) {
      const k = key(depth);
      out[k] = item(depth + 1);
    }
    if (n < 0) pos++;
    return out;
  };
  const list = (depth: number, n: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; n < 0 ? (need(1), body[pos] !== 0xff) : i < n; i++) out.push(item(depth + 1));
    if (n < 0) pos++;
    return out;
  };
  const item = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    need(1);
    const at = pos;
    const head = body[pos++];
    const major = head >> 5;
    const info = head & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      if (info === 23) return undefined;
      if (info === 25) {
        need(2);
        const half = body.readUInt16BE(pos);
        pos += 2;
        const exp = (half >> 10) & 31;
        const mant = half & 1023;
        const sign = half & 0x8000 ? -1 : 1;
        if (exp === 0) return sign * mant * 2 ** -24;
        if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
        return sign * (1 + mant / 1024) * 2 ** (exp - 15);
      }
      if (info === 26) return need(4), (pos += 4), body.readFloatBE(pos - 4);
      if (info === 27) return need(8), (pos += 8), body.readDoubleBE(pos - 8);
      if (info === 31) return fail('a break outside an indefinite-length item', at);
      if (info < 25) return fail('an unassigned simple value', at);
      return fail('reserved additional information', at);
    }
    if (info === 31) {
      if (major === 2) return chunks(2);
      if (major === 3) return chunks(3).toString('utf8');
      if (major === 4) return list(depth, -1);
      if (major === 5) return map(depth, -1);
      return fail(`an indefinite length on major type ${major}`, at);
    }
    const n = argument(info, at);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        need(n);
        return body.subarray(pos, (pos += n));
      case 3: {
        need(n);
        const bytes = body.subarray(pos, (pos += n));
        text(bytes, at, 'a text string');
        return bytes.toString('utf8');
      }
      case 4:
        return list(depth, n);
      case 5:
        return map(depth, n);
      default: {
        // major type 6, a tag
        if (n === 55799) return item(depth + 1);
        if (n !== 1) return fail(`unsupported tag ${n}`, at);
        need(1);
        const content = body[pos];
        const isNumber = content >> 5 <= 1 ? (content & 31) < 28 : content >= 0xf9 && content <= 0xfb;
        if (!isNumber) fail('tag 1 (epoch date/time) on something other than a number', at);
        // What cbor-x gives for tag 1 (a Date of payload × 1000 ms) and datesToMillis turns back.
        return new Date(Math.round((item(depth + 1) as number) * 1000)).getTime() / 1000;
      }
    }
  };
  const value = item(0);
  if (pos !== body.length) fail('trailing data');
  return value;
}

/** Growable output buffer. */
class CborWriter {
  private buf: Buffer;
  private pos = 0;
  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }
  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** Major type + argument, in the shortest form (RFC 8949 §3 and §4.2.1). */
  head(major: number, n: number): void {
    const m = major << 5;
    this.ensure(9);
    if (n < 24) this.buf[this.pos++] = m | n;
    else if (n < 0x100) {
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25;
      this.buf.writeUInt16BE(n, this.pos);
      this.pos += 2;
    } else if (n < 0x100000000) {
      this.buf[this.pos++] = m | 26;
      this.buf.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.buf[this.pos++] = m | 27;
      this.buf.writeUInt32BE(Math.floor(n / 0x100000000), this.pos);
      this.buf.writeUInt32BE(n % 0x100000000, this.pos + 4);
      this.pos += 8;
    }
  }
  headBig(major: number, n: bigint): void {
    this.ensure(9);
    this.buf[this.pos++] = (major << 5) | 27;
    this.buf.writeBigUInt64BE(n, this.pos);
    this.pos += 8;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  float64(x: number): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xfb;
    this.buf.writeDoubleBE(x, this.pos);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.head(2, b.byteLength);
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }
  text(s: string): void {
    const len = s.length;
    if (len < 24) {
      // Short text (member names, sequence numbers' neighbours, shard ids): written in line when it is
      // ASCII, which spares two calls into Node per string.
      this.ensure(1 + len);
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        b[this.pos] = 0x60 | len;
        this.pos = start + len;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.head(3, n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function writeInteger(w: CborWriter, n: number): void {
  if (n >= 0) w.head(0, n);
  else w.head(1, -1 - n);
}

function writeValue(w: CborWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.text(value);
      return;
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) writeInteger(w, value);
      else w.float64(value);
      return;
    case 'boolean':
      w.byte(value ? 0xf5 : 0xf4);
      return;
    case 'bigint':
      if (value >= 0n && value < 1n << 64n) {
        if (value <= BigInt(Number.MAX_SAFE_INTEGER)) w.head(0, Number(value));
        else w.headBig(0, value);
      } else if (value < 0n && value >= -(1n << 64n)) {
        const arg = -1n - value;
        if (arg <= BigInt(Number.MAX_SAFE_INTEGER)) w.head(1, Number(arg));
        else w.headBig(1, arg);
      } else {
        w.float64(Number(value));
      }
      return;
    case 'object': {
      if (value === null) {
        w.byte(0xf6);
        return;
      }
      if (Array.isArray(value)) {
        w.head(4, value.length);
        for (const item of value as unknown[]) {
          if (item === undefined) w.byte(0xf6);
          else writeValue(w, item);
        }
        return;
      }
      if (value instanceof Uint8Array) {
        w.bytes(value);
        return;
      }
      if (value instanceof Date) {
        w.byte(0xc1); // tag 1: epoch-based date/time
        writeInteger(w, Math.trunc(value.getTime()));
        return;
      }
      if (value instanceof Map) {
        const entries: [string, unknown][] = [];
        for (const entry of value as Map<string, unknown>) if (entry[1] !== undefined) entries.push(entry);
        w.head(5, entries.length);
        for (const [key, member] of entries) {
          w.text(key);
          writeValue(w, member);
        }
        return;
      }
      // Own enumerable members in Object.entries' order, without building the entries (GetRecords
      // answers have one object per record): count the defined ones, then write them.
      const record = value as Record<string, unknown>;
      let count = 0;
      for (const key in record) if (Object.hasOwn(record, key) && record[key] !== undefined) count++;
      w.head(5, count);
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        const member = record[key];
        if (member === undefined) continue;
        w.text(key);
        writeValue(w, member);
      }
      return;
    }
    default:
      w.byte(0xf6); // no CBOR form; callers skip undefined members
  }
}

/** Render an output structure (or any document value) as AWS CBOR. */
export function encodeCbor(value: unknown): Buffer {
  const w = new CborWriter(256);
  writeValue(w, value);
  return w.result();
}
