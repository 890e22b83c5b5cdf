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
 * Decoding uses the `cbor-x` library (indefinite lengths, half floats, …). Encoding is done here in one
 * pass because the exact output form matters to Java clients (int64 millis, definite lengths, no
 * library-specific tags such as 64 for typed arrays or record extensions) and because it must skip
 * `undefined` members without a pre-pass over the output.
 */
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

/** Parse a request body. Throws SerializationException on malformed CBOR. */
export function decodeCborBody(body: Buffer): unknown {
  let value: unknown;
  try {
    value = decoder.decode(body);
  } catch (cause) {
    // cbor-x does not read indefinite-length (chunked) byte and text strings, which Jackson-based
    // Java clients write for long strings; such bodies take the complete (slower) reader below.
    if (cause instanceof Error && /Indefinite length not supported/.test(cause.message)) return decodeCborFully(body);
    throw new ServiceError('SerializationException', 'The request body is not valid CBOR', { cause });
  }
  // Only walk the tree when a tag-1 head byte (0xc1) can be present at all.
  return body.includes(0xc1) ? datesToMillis(value) : value;
}

const MAX_DEPTH = 128;

/**
 * A complete RFC 8949 reader for the bodies cbor-x refuses: all major types, indefinite lengths,
 * half/single/double floats; tag 1 yields its payload (epoch millis), other tags their content.
 */
export function decodeCborFully(body: Buffer): unknown {
  let pos = 0;
  const fail = (why: string): never => {
    throw new ServiceError('SerializationException', `The request body is not valid CBOR (${why} at byte ${pos})`);
  };
  const need = (n: number): void => {
    if (pos + n > body.length) fail('unexpected end of data');
  };
  const argument = (info: number): number => {
    if (info < 24) return info;
    if (info === 24) return need(1), body[pos++];
    if (info === 25) return need(2), (pos += 2), body.readUInt16BE(pos - 2);
    if (info === 26) return need(4), (pos += 4), body.readUInt32BE(pos - 4);
    if (info === 27) return need(8), (pos += 8), body.readUInt32BE(pos - 8) * 0x100000000 + body.readUInt32BE(pos - 4);
    return fail('reserved additional information');
  };
  const chunks = (major: number): Buffer[] => {
    const parts: Buffer[] = [];
    for (;;) {
      need(1);
      if (body[pos] === 0xff) {
        pos++;
        return parts;
      }
      const head = body[pos++];
      if (head >> 5 !== major || (head & 31) === 31) fail('bad chunk in an indefinite-length string');
      const n = argument(head & 31);
      need(n);
      parts.push(body.subarray(pos, (pos += n)));
    }
  };
  const item = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    need(1);
    const head = body[pos++];
    const major = head >> 5;
    const info = head & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
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
      if (info < 24) return null; // unassigned simple values
      return fail('unsupported simple value');
    }
    if (info === 31) {
      if (major === 2) return Buffer.concat(chunks(2));
      if (major === 3) return Buffer.concat(chunks(3)).toString('utf8');
      if (major === 4) {
        const list: unknown[] = [];
        while ((need(1), body[pos]) !== 0xff) list.push(item(depth + 1));
        pos++;
        return list;
      }
      if (major === 5) {
        const map: Record<string, unknown> = {};
        while ((need(1), body[pos]) !== 0xff) {
          const key = String(item(depth + 1));
          Object.defineProperty(map, key, { value: item(depth + 1), enumerable: true, writable: true, configurable: true });
        }
        pos++;
        return map;
      }
      return fail('indefinite length on a major type that has none');
    }
    const n = argument(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        need(n);
        return body.subarray(pos, (pos += n));
      case 3:
        need(n);
        return body.toString('utf8', pos, (pos += n));
      case 4: {
        const list: unknown[] = [];
        for (let i = 0; i < n; i++) list.push(item(depth + 1));
        return list;
      }
      case 5: {
        const map: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = String(item(depth + 1));
          Object.defineProperty(map, key, { value: item(depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return map;
      }
      default:
        return item(depth + 1); // major 6: a tag; tag 1 (epoch millis) and others yield their content
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
      const entries: [string, unknown][] = [];
      const source: Iterable<[string, unknown]> = value instanceof Map ? (value as Map<string, unknown>) : Object.entries(value);
      for (const entry of source) if (entry[1] !== undefined) entries.push(entry);
      w.head(5, entries.length);
      for (const [key, member] of entries) {
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
