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
// Security (issue 7): key store for a `shardline keys` command, auth-file validation, policies.
export { DEFAULT_KINESIS_ALIAS, KeyStore, KeyStoreError, kmsAliasArn, kmsKeyArn, parseMasterKey } from './security/keys.js';
export type { KeyMetadata, KeyStoreOptions } from './security/keys.js';
export { createSecurity, keysDirFor } from './security/security.js';
export type { RequestGuard, Security, SecuritySettings } from './security/security.js';
export { AuthFileError, loadAuthFile, parseAuthFile } from './security/auth-file.js';
export { parsePolicy, PolicyParseError } from './security/policy.js';
