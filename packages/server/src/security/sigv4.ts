/**
 * AWS Signature Version 4 verification, for the Authorization header and for presigned query strings.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-query-string-auth.html
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
 *                  SignedHeaders=<h1;h2;…>, Signature=<64 hex>
 *   presigned:     ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Date=<yyyymmddThhmmssZ>
 *                  &X-Amz-Expires=<seconds ≤ 604800>&X-Amz-SignedHeaders=…&X-Amz-Signature=…
 *
 * The expected signature is computed by `@smithy/signature-v4` (the signer the AWS SDKs use) over a
 * request rebuilt from exactly the headers the client says it signed; this module only parses,
 * checks the scope, the clock and the payload hash, and compares signatures in constant time.
 *
 * Checks, in order: a well-formed Authorization header / query (IncompleteSignatureException), a known
 * access key (UnrecognizedClientException), the credential scope (terminator, service, region, date),
 * the request time within ±5 minutes, or the presigned URL's expiry (InvalidSignatureException), the
 * `x-amz-content-sha256` header equal to the body's SHA-256 (a body changed in transit is caught even
 * when the header was left as signed), and finally the signature (InvalidSignatureException).
 *
 * The input is a plain object (no HTTP types) so that any protocol front end can call it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HttpRequest, QueryParameterBag, SourceData } from '@smithy/types';
import type { Clock } from '../model/context.js';
import { ServiceError } from '../model/service-error.js';
import type { CredentialStore, Identity } from './auth-file.js';

/** A request as the verifier needs it. */
export interface SigV4Request {
  readonly method: string;
  /** The request path as received on the wire (percent-encoded), without the query string. */
  readonly path: string;
  /** Decoded query parameters; repeated keys as arrays. */
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  /** Header names in any case; HTTP/2 `:authority` stands in for a missing `host`. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body: Uint8Array;
}

export interface SigV4Options {
  readonly credentials: CredentialStore;
  /** The service's signing name, e.g. `kinesis`. */
  readonly service: string;
  readonly clock: Clock;
  /** Allowed difference between the request time and the server clock; AWS uses 5 minutes. */
  readonly maxSkewMs?: number | undefined;
}

export interface VerifiedRequest {
  readonly identity: Identity;
  readonly accessKeyId: string;
  /** Region from the credential scope. */
  readonly region: string;
  readonly service: string;
  /** Request time from X-Amz-Date (epoch ms). */
  readonly signedAtMs: number;
  readonly presigned: boolean;
}

/** What a credential scope says, without verifying anything (used by `--auth off`). */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;
const MAX_PRESIGNED_EXPIRES_S = 7 * 24 * 60 * 60;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const UNRECOGNIZED_CLIENT_MESSAGE = 'The security token included in the request is invalid.';

/** SHA-256 / HMAC-SHA-256 over node:crypto, in the shape `@smithy/signature-v4` expects. */
class NodeSha256 implements Checksum {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: SourceData) {
    this.hash = NodeSha256.create(secret);
  }
  private static toBuffer(data: SourceData): Buffer {
    if (typeof data === 'string') return Buffer.from(data, 'utf8');
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return Buffer.from(data);
  }
  private static create(secret?: SourceData): ReturnType<typeof createHash> | ReturnType<typeof createHmac> {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', NodeSha256.toBuffer(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

function header(headers: SigV4Request['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === lower && v !== undefined) return typeof v === 'string' ? v : v.join(',');
  }
  if (lower === 'host') return header(headers, ':authority');
  return undefined;
}

function queryValue(query: SigV4Request['query'], name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

function incomplete(message: string): ServiceError {
  return new ServiceError('IncompleteSignatureException', message);
}
function invalid(message: string = SIGNATURE_MISMATCH_MESSAGE): ServiceError {
  return new ServiceError('InvalidSignatureException', message);
}

function parseCredential(value: string): CredentialScope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, date, region, service, terminator };
}

interface ParsedAuthorization {
  readonly scope: CredentialScope;
  readonly signedHeaders: readonly string[];
  /** The SignedHeaders value exactly as sent. */
  readonly signedHeadersText: string;
  readonly signature: string;
}

/** Parse an Authorization header; throws IncompleteSignatureException naming what is missing. */
export function parseAuthorizationHeader(value: string, hasDate: boolean): ParsedAuthorization {
  if (hasDate) {
    const sdk = sdkForm(value);
    if (sdk !== undefined) {
      const list = sdk.headerList;
      return { scope: sdk.scope, signedHeaders: list.names, signedHeadersText: list.text, signature: value.slice(sdk.prefix.length) };
    }
  }
  return parseGeneral(value, hasDate);
}

/**
 * The credential scope of an Authorization header: exactly `parseAuthorizationHeader(value, true).scope`,
 * or the same error, without building the rest of the answer (`--auth off` needs only the scope).
 */
export function authorizationHeaderScope(value: string): CredentialScope {
  return sdkForm(value)?.scope ?? parseGeneral(value, true).scope;
}

/*
 * Cost: with `--auth off` (the default) every request's header is checked for form. The form the SDKs,
 * the AWS CLI and boto3 send (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`) is read
 * with indexOf; a client repeats everything before the signature on every request, so the prefixes of
 * the last few such headers are remembered with their credential scope and signed-header list (a string
 * comparison then stands for the scan), and two small maps keyed by their text keep the scopes and
 * lists of more clients. Anything else — other spacing or order, blanks the general parse would trim,
 * a missing date, any error — takes the general parse, which alone decides errors, so both answer the
 * same for every header (test/security/sigv4-authorization-header.test.ts compares them with a copy of
 * the parse as it was, on many random headers).
 *
 * Not shared with protocol/sigv4-header.ts: that parse (the router's, without a guard) accepts less
 * (hex signature, yyyymmdd date, aws4_request terminator, no component without `=`) and words its
 * errors differently, without echoing the header.
 */
const SDK_PREFIX = `${ALGORITHM} Credential=`;
const SIGNED_HEADERS_PART = ', SignedHeaders=';
const SIGNATURE_PART = ', Signature=';
/** Distinct credentials and signed-header lists remembered (each map is cleared when full). */
const REMEMBERED_ENTRIES = 64;

interface SignedHeaderList {
  /** The SignedHeaders value as sent. */
  readonly text: string;
  /** Its names trimmed and lower-cased; frozen, since every answer for this text shares it. */
  readonly names: readonly string[];
}

/** A header of the SDK form up to its signature, and what it says. */
interface SdkForm {
  /** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=`: the signature starts at its length. */
  readonly prefix: string;
  readonly scope: CredentialScope;
  readonly headerList: SignedHeaderList;
}

const scopes = new Map<string, CredentialScope>();
const headerLists = new Map<string, SignedHeaderList>();
/** The prefixes of recent requests, the most recently matched at `lastFormAt`; replaced in turn when full. */
const RECENT_FORMS = 8;
const recentForms: SdkForm[] = [];
let lastFormAt = 0;
let nextFormAt = 0;

/** Printable ASCII other than space: a character `trim()` keeps at either end. */
function isVisibleAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/**
 * The header in the exact form the SDKs send, when the general parse would accept it (given a date):
 * its prefix, scope and header list, shared by every header with the same prefix. Undefined for
 * anything else.
 */
function sdkForm(value: string): SdkForm | undefined {
  const form = recentFormOf(value) ?? scanSdkForm(value);
  if (form === undefined) return undefined;
  // The signature: not empty, up to the end (no further component), nothing trim() removes at its ends.
  const signatureAt = form.prefix.length;
  if (
    signatureAt >= value.length ||
    !isVisibleAscii(value.charCodeAt(signatureAt)) ||
    !isVisibleAscii(value.charCodeAt(value.length - 1)) ||
    value.indexOf(',', signatureAt) !== -1
  ) {
    return undefined;
  }
  return form;
}

/** The recent form whose prefix `value` starts with, if any. */
function recentFormOf(value: string): SdkForm | undefined {
  const n = recentForms.length;
  for (let k = 0; k < n; k++) {
    const at = (lastFormAt + k) % n;
    const prefix = recentForms[at].prefix;
    if (value.length > prefix.length && value.slice(0, prefix.length) === prefix) {
      lastFormAt = at;
      return recentForms[at];
    }
  }
  return undefined;
}

/** Read the parts before the signature of a header with none of the recent prefixes. */
function scanSdkForm(value: string): SdkForm | undefined {
  if (value.slice(0, SDK_PREFIX.length) !== SDK_PREFIX) return undefined;
  const credentialAt = SDK_PREFIX.length;
  const comma1 = value.indexOf(',', credentialAt);
  if (comma1 <= credentialAt || value.slice(comma1, comma1 + SIGNED_HEADERS_PART.length) !== SIGNED_HEADERS_PART) return undefined;
  const headersAt = comma1 + SIGNED_HEADERS_PART.length;
  const comma2 = value.indexOf(',', headersAt);
  if (comma2 <= headersAt || value.slice(comma2, comma2 + SIGNATURE_PART.length) !== SIGNATURE_PART) return undefined;
  // Values without blanks at either end, as the general parse's trim() would leave them.
  if (!isVisibleAscii(value.charCodeAt(credentialAt)) || !isVisibleAscii(value.charCodeAt(comma1 - 1))) return undefined;
  if (!isVisibleAscii(value.charCodeAt(headersAt)) || !isVisibleAscii(value.charCodeAt(comma2 - 1))) return undefined;
  const scope = rememberedScope(value.slice(credentialAt, comma1));
  if (scope === undefined) return undefined;
  const headerList = rememberedHeaderList(value.slice(headersAt, comma2));
  const form: SdkForm = Object.freeze({ prefix: value.slice(0, comma2 + SIGNATURE_PART.length), scope, headerList });
  // Remembered whatever the signature turns out to be: the prefix alone is checked when it is found again.
  lastFormAt = nextFormAt;
  recentForms[nextFormAt] = form;
  nextFormAt = (nextFormAt + 1) % RECENT_FORMS;
  return form;
}

/** parseCredential through the map; the scope is frozen, since every answer for this text shares it. */
function rememberedScope(credential: string): CredentialScope | undefined {
  const known = scopes.get(credential);
  if (known !== undefined) return known;
  const parsed = parseCredential(credential);
  if (parsed === undefined) return undefined;
  const scope = Object.freeze(parsed);
  if (scopes.size >= REMEMBERED_ENTRIES) scopes.clear();
  scopes.set(credential, scope);
  return scope;
}

function rememberedHeaderList(text: string): SignedHeaderList {
  const known = headerLists.get(text);
  if (known !== undefined) return known;
  const list: SignedHeaderList = Object.freeze({ text, names: Object.freeze(splitSignedHeaders(text)) });
  if (headerLists.size >= REMEMBERED_ENTRIES) headerLists.clear();
  headerLists.set(text, list);
  return list;
}

function splitSignedHeaders(text: string): string[] {
  return text.split(';').map((h) => h.trim().toLowerCase());
}

/** The general parse: any order and spacing of the components; the only source of errors. */
function parseGeneral(value: string, hasDate: boolean): ParsedAuthorization {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const fields = new Map<string, string>();
  if (algorithm === ALGORITHM) {
    for (const part of trimmed.slice(space + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const problems: string[] = [];
  if (!fields.get('Credential')) problems.push("Authorization header requires 'Credential' parameter.");
  if (!fields.get('Signature')) problems.push("Authorization header requires 'Signature' parameter.");
  if (!fields.get('SignedHeaders')) problems.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!hasDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length > 0) throw incomplete(`${problems.join(' ')} Authorization=${trimmed}`);
  const credential = fields.get('Credential') as string;
  const scope = parseCredential(credential);
  if (!scope) throw incomplete(`Authorization header requires 'Credential' parameter. Authorization=${trimmed}`);
  return {
    scope,
    signedHeaders: splitSignedHeaders(fields.get('SignedHeaders') as string),
    signedHeadersText: fields.get('SignedHeaders') as string,
    signature: fields.get('Signature') as string,
  };
}

/**
 * The credential scope of a request, if it carries a well-formed one (Authorization header or
 * presigned query) — nothing is verified. `--auth off` takes the account and region from it.
 */
export function readCredentialScope(request: Pick<SigV4Request, 'headers' | 'query'>): CredentialScope | undefined {
  const auth = header(request.headers, 'authorization');
  if (auth !== undefined) {
    const m = /Credential=([^,\s]+)/.exec(auth);
    return m ? parseCredential(m[1]) : undefined;
  }
  return queryCredentialScope(request.query);
}

/**
 * The credential scope of a presigned query's `X-Amz-Credential`, if well-formed: what readCredentialScope
 * reads when no Authorization header has a value.
 */
export function queryCredentialScope(query: SigV4Request['query']): CredentialScope | undefined {
  const q = queryValue(query, 'X-Amz-Credential');
  return q === undefined ? undefined : parseCredential(q);
}

const amzDatePattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parse `yyyymmddThhmmssZ` to epoch ms. */
export function parseAmzDate(value: string): number | undefined {
  const m = amzDatePattern.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const back = new Date(ms);
  // Reject dates that Date.UTC silently normalised (month 13, hour 25, …).
  if (back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3]) || back.getUTCHours() !== Number(m[4])) {
    return undefined;
  }
  return ms;
}

/** Format epoch ms as `yyyymmddThhmmssZ`. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** A region name in the shape AWS uses (`us-east-1`, `eu-central-2`, `us-gov-west-1`, `local-1`…). */
const regionPattern = /^[a-z]{2,}(-[a-z]+)+-\d+$|^[a-z]+-\d+$/;

function checkScope(scope: CredentialScope, amzDate: string, dateSource: string, service: string): void {
  if (scope.terminator !== 'aws4_request') {
    throw invalid(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'.`);
  }
  if (scope.service !== service) throw invalid(`Credential should be scoped to correct service: '${service}'. `.trimEnd());
  if (!regionPattern.test(scope.region)) throw invalid(`Credential should be scoped to a valid region, not '${scope.region}'. `.trimEnd());
  const day = amzDate.slice(0, 8);
  if (scope.date !== day) {
    throw invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${day}', from '${dateSource}'.`,
    );
  }
}

function checkSkew(signedAtMs: number, amzDate: string, nowMs: number, maxSkewMs: number): void {
  const minutes = `${Math.round(maxSkewMs / 60000)} min.`;
  if (signedAtMs < nowMs - maxSkewMs) {
    throw invalid(`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - maxSkewMs)} (${formatAmzDate(nowMs)} - ${minutes})`);
  }
  if (signedAtMs > nowMs + maxSkewMs) {
    throw invalid(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowMs + maxSkewMs)} (${formatAmzDate(nowMs)} + ${minutes})`,
    );
  }
}

function sha256Hex(body: Uint8Array): string {
  return body.byteLength === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex');
}

function constantTimeEqualHex(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  // Compare against a same-length buffer either way so the timing does not depend on where they differ.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The path as the client signed it: decoded per segment (the signer escapes it again). */
function decodedPath(path: string): string {
  try {
    return path
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    throw invalid();
  }
}

function toQueryBag(query: SigV4Request['query'], omit: readonly string[]): QueryParameterBag {
  const bag: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(query)) {
    if (omit.includes(k)) continue;
    bag[k] = typeof v === 'string' ? v : [...v];
  }
  return bag;
}

function signedHeaderBag(request: SigV4Request, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = header(request.headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function lookupIdentity(options: SigV4Options, accessKeyId: string): Identity {
  const identity = options.credentials.lookup(accessKeyId);
  if (!identity) throw new ServiceError('UnrecognizedClientException', UNRECOGNIZED_CLIENT_MESSAGE);
  return identity;
}

const signerCache = new WeakMap<Identity, Map<string, SignatureV4>>();

/** One signer per identity, region and service (the signer caches derived signing keys). */
function signer(identity: Identity, region: string, service: string): SignatureV4 {
  let byScope = signerCache.get(identity);
  if (!byScope) {
    byScope = new Map();
    signerCache.set(identity, byScope);
  }
  const scopeKey = `${region}/${service}`;
  let s = byScope.get(scopeKey);
  if (!s) {
    if (byScope.size > 64) byScope.clear();
    s = newSigner(identity, region, service);
    byScope.set(scopeKey, s);
  }
  return s;
}

function newSigner(identity: Identity, region: string, service: string): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey.reveal() },
    region,
    service,
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
}

/**
 * Verify a signed request. Resolves with the caller's identity; rejects with a ServiceError named as AWS
 * names it (MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException, InvalidSignatureException).
 */
export async function verifySigV4(request: SigV4Request, options: SigV4Options): Promise<VerifiedRequest> {
  const authorization = header(request.headers, 'authorization');
  const presignAlgorithm = queryValue(request.query, 'X-Amz-Algorithm');
  if (authorization !== undefined && presignAlgorithm !== undefined) {
    throw invalid(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) return verifyHeader(request, authorization, options);
  if (presignAlgorithm !== undefined) return verifyPresigned(request, presignAlgorithm, options);
  throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
}

async function verifyHeader(request: SigV4Request, authorization: string, options: SigV4Options): Promise<VerifiedRequest> {
  const amzDate = header(request.headers, 'x-amz-date');
  const parsed = parseAuthorizationHeader(authorization, amzDate !== undefined);
  const identity = lookupIdentity(options, parsed.scope.accessKeyId);
  const signedAtMs = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAtMs === undefined) {
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate ?? ''}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  checkScope(parsed.scope, amzDate, 'X-Amz-Date', options.service);
  checkSkew(signedAtMs, amzDate, options.clock.now(), options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  // The host must be signed; the JS SDK over HTTP/2 signs it as the `:authority` pseudo-header.
  if (!parsed.signedHeaders.includes('host') && !parsed.signedHeaders.includes(':authority')) throw invalid();

  const bodyHash = sha256Hex(request.body);
  const declaredHash = header(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash.toLowerCase() !== bodyHash) throw invalid();

  const headers = signedHeaderBag(request, parsed.signedHeaders);
  const toSign: HttpRequest = {
    method: request.method.toUpperCase(),
    protocol: 'https:',
    hostname: headers.host ?? headers[':authority'] ?? '',
    path: decodedPath(request.path),
    query: toQueryBag(request.query, []),
    headers,
    body: request.body,
  };
  const signed = await signer(identity, parsed.scope.region, parsed.scope.service).sign(toSign, {
    signingDate: new Date(signedAtMs),
    signingRegion: parsed.scope.region,
    signingService: parsed.scope.service,
    signableHeaders: new Set(parsed.signedHeaders),
  });
  const authorizationOut = String(signed.headers.authorization ?? '');
  const m = /Signature=([0-9a-f]+)/.exec(authorizationOut);
  // The signed-header list is part of the string to sign: it must be exactly the canonical one
  // (lower case, sorted, every header present), or the client signed something else.
  const canonicalList = /SignedHeaders=([^,]+)/.exec(authorizationOut)?.[1];
  const listMatches = canonicalList === parsed.signedHeadersText;
  if (!m || !constantTimeEqualHex(m[1], parsed.signature) || !listMatches) throw invalid();
  return {
    identity,
    accessKeyId: identity.accessKeyId,
    region: parsed.scope.region,
    service: parsed.scope.service,
    signedAtMs,
    presigned: false,
  };
}

const presignParams = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'] as const;

async function verifyPresigned(request: SigV4Request, algorithm: string, options: SigV4Options): Promise<VerifiedRequest> {
  const values = new Map(presignParams.map((p) => [p, queryValue(request.query, p)]));
  if ([...values.values()].some((v) => v === undefined || v === '')) {
    throw incomplete(
      "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'. Re-examine the query-string parameters.",
    );
  }
  if (algorithm !== ALGORITHM) throw incomplete(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const scope = parseCredential(values.get('X-Amz-Credential') as string);
  if (!scope) throw incomplete('Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  const identity = lookupIdentity(options, scope.accessKeyId);
  const amzDate = values.get('X-Amz-Date') as string;
  const signedAtMs = parseAmzDate(amzDate);
  if (signedAtMs === undefined) throw incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expiresText = values.get('X-Amz-Expires') as string;
  const expiresS = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : NaN;
  if (!Number.isInteger(expiresS) || expiresS < 1) throw incomplete('X-Amz-Expires should be a number');
  if (expiresS > MAX_PRESIGNED_EXPIRES_S) throw incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_S}`);
  checkScope(scope, amzDate, 'X-Amz-Date', options.service);
  const nowMs = options.clock.now();
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (signedAtMs > nowMs + maxSkewMs) checkSkew(signedAtMs, amzDate, nowMs, maxSkewMs);
  if (nowMs > signedAtMs + expiresS * 1000) {
    throw invalid(`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - expiresS * 1000)} (${formatAmzDate(nowMs)} - ${expiresS} sec.)`);
  }
  const signedHeadersText = values.get('X-Amz-SignedHeaders') as string;
  const signedHeaders = signedHeadersText.split(';').map((h) => h.trim().toLowerCase());
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) throw invalid();

  // Everything except the signature goes back through the signer; it re-adds the X-Amz-* auth
  // parameters itself (with the same values). A hoisted X-Amz-Content-Sha256 names the payload hash.
  const contentShaKey = Object.keys(request.query).find((k) => k.toLowerCase() === 'x-amz-content-sha256');
  const headers = signedHeaderBag(request, signedHeaders);
  if (contentShaKey !== undefined) headers[contentShaKey] = queryValue(request.query, contentShaKey) as string;
  else {
    const declared = header(request.headers, 'x-amz-content-sha256');
    if (declared !== undefined && declared.toLowerCase() !== sha256Hex(request.body)) throw invalid();
  }
  const toSign: HttpRequest = {
    method: request.method.toUpperCase(),
    protocol: 'https:',
    hostname: headers.host ?? headers[':authority'] ?? '',
    path: decodedPath(request.path),
    query: toQueryBag(request.query, ['X-Amz-Signature', ...(contentShaKey === undefined ? [] : [contentShaKey])]),
    headers,
    body: request.body,
  };
  const presigned = await signer(identity, scope.region, scope.service).presign(toSign, {
    signingDate: new Date(signedAtMs),
    expiresIn: expiresS,
    signingRegion: scope.region,
    signingService: scope.service,
    signableHeaders: new Set(signedHeaders),
    unhoistableHeaders: new Set(signedHeaders),
  });
  const expected = presigned.query?.['X-Amz-Signature'];
  const listMatches = presigned.query?.['X-Amz-SignedHeaders'] === signedHeadersText;
  if (typeof expected !== 'string' || !constantTimeEqualHex(expected, values.get('X-Amz-Signature') as string) || !listMatches) throw invalid();
  return { identity, accessKeyId: identity.accessKeyId, region: scope.region, service: scope.service, signedAtMs, presigned: true };
}
