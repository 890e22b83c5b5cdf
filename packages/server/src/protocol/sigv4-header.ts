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
 * This module only checks the form; verifying the signature (and mapping the key to an account) is a
 * later issue's work and will reuse {@link parseSigV4Authorization}.
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

/**
 * Parse an Authorization header value. Throws `IncompleteSignatureException` when it is not a
 * well-formed SigV4 header (messages say what is missing, never echo the header).
 */
export function parseSigV4Authorization(header: string): SigV4Authorization {
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
