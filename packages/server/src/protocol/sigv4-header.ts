/**
 * Parsing of the SigV4 `Authorization` header
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
 *
 * ```
 * AWS4-HMAC-SHA256 Credential=<AKID>/<yyyymmdd>/<region>/<service>/aws4_request,
 *     SignedHeaders=<h1>;<h2>;…, Signature=<64 hex>
 * ```
 *
 * Components are separated by commas (optionally followed by spaces) and may come in any order.
 * This module only checks the form, for a router that has no guard (tests, embedders). The server
 * always has one: security/sigv4.ts parses and verifies the header there (its own parser, whose
 * errors differ; see the comment in that file).
 *
 * Cost: the router parses the header of every request it routes without a guard. The form the SDKs,
 * the AWS CLI and boto3 send (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=<64 hex>`)
 * is read with indexOf, and its credential scope and signed-header list, which a client repeats on
 * every request, come from two small maps keyed by their text; only the signature is new per request.
 * Anything else — other spacing or order, surrounding blanks, any error — takes the general parse,
 * which alone decides errors, so both give the same answer for every header
 * (test/protocol/sigv4-header.test.ts compares them on many random headers).
 */
import { ServiceError } from '../model/service-error.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface SigV4Authorization {
  readonly accessKeyId: string;
  /** Credential scope date, `yyyymmdd`. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Lower-case header names, in the order given. */
  readonly signedHeaders: readonly string[];
  /** Lower-case hex. */
  readonly signature: string;
}

function incomplete(message: string): ServiceError {
  return new ServiceError('IncompleteSignatureException', message);
}

interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const FAST_PREFIX = `${SIGV4_ALGORITHM} Credential=`;
const SIGNED_HEADERS_PART = ' SignedHeaders=';
const SIGNATURE_PART = ' Signature=';
const SIGNATURE_CHARS = 64;
/** Distinct credentials and signed-header lists remembered (each map is cleared when full). */
const REMEMBERED_ENTRIES = 64;
const scopes = new Map<string, CredentialScope>();
const headerLists = new Map<string, readonly string[]>();

/** Printable ASCII other than space: a character `trim()` keeps. */
function isVisibleAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/** The credential scope of a `Credential` value that `trim()` leaves as is; undefined if not well-formed. */
function scopeOf(credential: string): CredentialScope | undefined {
  const known = scopes.get(credential);
  if (known !== undefined) return known;
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '') || !/^\d{8}$/.test(parts[1]) || parts[4] !== 'aws4_request') return undefined;
  const scope: CredentialScope = { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
  if (scopes.size >= REMEMBERED_ENTRIES) scopes.clear();
  scopes.set(credential, scope);
  return scope;
}

/** The lower-case header names of a `SignedHeaders` value that `trim()` leaves as is; undefined if one is empty. */
function headerListOf(text: string): readonly string[] | undefined {
  const known = headerLists.get(text);
  if (known !== undefined) return known;
  const names = text.split(';').map((h) => h.trim().toLowerCase());
  if (names.some((h) => h === '')) return undefined;
  // Shared by every answer for this text: frozen so that no caller can change another's.
  const list = Object.freeze(names);
  if (headerLists.size >= REMEMBERED_ENTRIES) headerLists.clear();
  headerLists.set(text, list);
  return list;
}

/** Whether `s` from `at` on is exactly 64 hexadecimal digits; 2 when some are upper case, 1 when none, 0 when not. */
function hexSignatureKind(s: string, at: number): 0 | 1 | 2 {
  if (s.length - at !== SIGNATURE_CHARS) return 0;
  let upper = false;
  for (let i = at; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) continue;
    if (c >= 0x41 && c <= 0x46) {
      upper = true;
      continue;
    }
    return 0;
  }
  return upper ? 2 : 1;
}

/**
 * The header in the exact form the SDKs send, when it is well-formed: what the general parse would
 * answer. Undefined for anything else (the general parse then answers or throws).
 */
function parseSdkForm(header: string): SigV4Authorization | undefined {
  if (!header.startsWith(FAST_PREFIX)) return undefined;
  const credentialAt = FAST_PREFIX.length;
  const comma1 = header.indexOf(',', credentialAt);
  if (comma1 <= credentialAt || !header.startsWith(SIGNED_HEADERS_PART, comma1 + 1)) return undefined;
  const headersAt = comma1 + 1 + SIGNED_HEADERS_PART.length;
  const comma2 = header.indexOf(',', headersAt);
  if (comma2 <= headersAt || !header.startsWith(SIGNATURE_PART, comma2 + 1)) return undefined;
  // Values without blanks at either end, as the general parse's trim() would leave them.
  if (!isVisibleAscii(header.charCodeAt(credentialAt)) || !isVisibleAscii(header.charCodeAt(comma1 - 1))) return undefined;
  if (!isVisibleAscii(header.charCodeAt(headersAt)) || !isVisibleAscii(header.charCodeAt(comma2 - 1))) return undefined;
  const signatureAt = comma2 + 1 + SIGNATURE_PART.length;
  const kind = hexSignatureKind(header, signatureAt);
  if (kind === 0) return undefined;
  const scope = scopeOf(header.slice(credentialAt, comma1));
  if (scope === undefined) return undefined;
  const signedHeaders = headerListOf(header.slice(headersAt, comma2));
  if (signedHeaders === undefined) return undefined;
  const signature = kind === 1 ? header.slice(signatureAt) : header.slice(signatureAt).toLowerCase();
  return { accessKeyId: scope.accessKeyId, date: scope.date, region: scope.region, service: scope.service, signedHeaders, signature };
}

/**
 * Parse an Authorization header value. Throws `IncompleteSignatureException` when it is not a
 * well-formed SigV4 header (messages say what is missing, never echo the header).
 */
export function parseSigV4Authorization(header: string): SigV4Authorization {
  return parseSdkForm(header) ?? parseGeneral(header);
}

/** The general parse: any order and spacing of the components; the only source of errors. */
function parseGeneral(header: string): SigV4Authorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incomplete(`Authorization header must use the ${SIGV4_ALGORITHM} algorithm (Signature Version 4)`);
  }
  const params = new Map<string, string>();
  for (const part of (space === -1 ? '' : trimmed.slice(space + 1)).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw incomplete(`Authorization header has a malformed component (expected key=value)`);
    params.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !params.get(k));
  if (missing.length > 0) {
    throw incomplete(missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' '));
  }
  const credential = params.get('Credential') ?? '';
  const scope = credential.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    throw incomplete(
      "Authorization header's Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request",
    );
  }
  const [accessKeyId, date, region, service, terminator] = scope;
  if (!/^\d{8}$/.test(date)) throw incomplete(`Credential scope date must be yyyymmdd, got '${date}'`);
  if (terminator !== 'aws4_request') throw incomplete(`Credential scope must end with aws4_request, got '${terminator}'`);
  const signedHeaders = (params.get('SignedHeaders') ?? '').split(';').map((h) => h.trim().toLowerCase());
  if (signedHeaders.some((h) => h === '')) throw incomplete('SignedHeaders must be a semicolon-separated list of header names');
  const signature = (params.get('Signature') ?? '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(signature)) throw incomplete('Signature must be 64 hexadecimal characters');
  return { accessKeyId, date, region, service, signedHeaders, signature };
}
