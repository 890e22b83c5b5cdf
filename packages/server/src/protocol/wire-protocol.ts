/**
 * Content type → wire protocol, and the codec of each protocol. Kinesis speaks AWS JSON 1.1
 * (`application/x-amz-json-1.1`, `application/json` accepted as well) and AWS CBOR
 * (`application/x-amz-cbor-1.1`); a response always carries the content type of its request.
 */
import type { WireProtocol } from '../model/context.js';
import { CBOR_CONTENT_TYPE, decodeCborBody, encodeCbor } from './cbor-codec.js';
import { JSON_CONTENT_TYPE, decodeJsonBody, encodeJson } from './json-codec.js';

export interface WireCodec {
  readonly protocol: WireProtocol;
  /** Content type of responses. */
  readonly contentType: string;
  /** Throws SerializationException. */
  decode(body: Buffer): unknown;
  encode(value: unknown): Buffer | string;
}

export const jsonCodec: WireCodec = { protocol: 'json', contentType: JSON_CONTENT_TYPE, decode: decodeJsonBody, encode: encodeJson };
const plainJsonCodec: WireCodec = { ...jsonCodec, contentType: 'application/json' };
export const cborCodec: WireCodec = { protocol: 'cbor', contentType: CBOR_CONTENT_TYPE, decode: decodeCborBody, encode: encodeCbor };

/**
 * The codec for a request's Content-Type header. Missing or unrecognised types are read as AWS JSON
 * 1.1 (the body must still parse), which is what every Kinesis client other than CBOR ones sends.
 */
export function codecForContentType(contentType: string | undefined): WireCodec {
  if (contentType === undefined) return jsonCodec;
  const semi = contentType.indexOf(';');
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (media === JSON_CONTENT_TYPE) return jsonCodec;
  if (media === CBOR_CONTENT_TYPE) return cborCodec;
  if (media === 'application/json') return plainJsonCodec;
  return jsonCodec;
}

/** `{"__type": name, "message": …}` in the request's encoding. */
export function encodeErrorBody(codec: WireCodec, name: string, message: string): Buffer | string {
  return codec.encode({ __type: name, message });
}
