/** Internals for tests and sibling packages (not a stable API). */
export * from './index.js';
export { envName, serveOptions } from './config/serve-options.js';
export { isLoopbackHost, validateServerConfig } from './config/server-config.js';
export { HttpListener } from './http/listener.js';
export type { ListenerOptions, ListeningAddress } from './http/listener.js';
export { generateSelfSignedCertificate, loadTlsMaterial } from './http/tls.js';
export type { TlsMaterial } from './http/tls.js';
export { AwsProtocolRouter } from './protocol/router.js';
export type { EventStreamResponder, ProtocolRequest, ResponseSink, RouterOptions } from './protocol/router.js';
export { decodeJsonBody, encodeJson, JSON_CONTENT_TYPE } from './protocol/json-codec.js';
export { decodeCborBody, encodeCbor, CBOR_CONTENT_TYPE } from './protocol/cbor-codec.js';
export { codecForContentType, cborCodec, encodeErrorBody, jsonCodec } from './protocol/wire-protocol.js';
export type { WireCodec } from './protocol/wire-protocol.js';
export { parseSigV4Authorization } from './protocol/sigv4-header.js';
export type { SigV4Authorization } from './protocol/sigv4-header.js';
