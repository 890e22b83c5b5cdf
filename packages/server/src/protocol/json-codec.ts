/**
 * AWS JSON 1.1 body codec (`application/x-amz-json-1.1`; `application/json` is accepted too).
 *
 * Document model (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html):
 * - structures and maps → JSON objects; members whose value is `undefined` are omitted;
 * - blobs (`Uint8Array`/`Buffer` at run time) → base64 strings (standard alphabet, padded);
 * - timestamps (`Date` at run time) → epoch seconds as a JSON number with a millisecond fraction
 *   (clients also send integers; coercion on input is the model's parseInput, not this module);
 * - lists → arrays; strings, numbers, booleans as themselves.
 *
 * The encoder writes the text in one pass over the output (no intermediate copy, no replacer), so a
 * response costs exactly one serialization.
 */
import { ServiceError } from '../model/service-error.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Parse a request body. Throws SerializationException on malformed JSON. */
export function decodeJsonBody(body: Buffer): unknown {
  // `{}` is the whole body of every call without parameters (ListStreams, DescribeLimits, …).
  if (body.length === 2 && body[0] === 0x7b && body[1] === 0x7d) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON', { cause });
  }
}

function blobToBase64(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('base64');
}

function writeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined ? 'null' : writeValue(item);
        }
        return out + ']';
      }
      if (value instanceof Uint8Array) return '"' + blobToBase64(value) + '"';
      if (value instanceof Date) return String(value.getTime() / 1000);
      let out = '{';
      let first = true;
      const entries: Iterable<[string, unknown]> = value instanceof Map ? (value as Map<string, unknown>) : Object.entries(value);
      for (const [key, member] of entries) {
        if (member === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(key) + ':' + writeValue(member);
      }
      return out + '}';
    }
    default:
      // undefined, functions and symbols have no JSON form; callers skip undefined members
      return 'null';
  }
}

/** Render an output structure (or any document value) as AWS JSON 1.1 text. */
export function encodeJson(value: unknown): string {
  return writeValue(value);
}
