import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../../src/model/service-error.js';
import { checkForm } from '../../src/security/access-gate.js';
import { authorizationHeaderScope, parseAuthorizationHeader, readCredentialScope } from '../../src/security/sigv4.js';
import type { CredentialScope, SigV4Request } from '../../src/security/sigv4.js';

/*
 * The SDK-form fast path of security/sigv4.ts (recent prefixes, maps of scopes and header lists) and
 * the single header scan of access-gate.ts's checkForm must answer exactly as the code they replaced:
 * copies of it follow, and many random headers and requests are compared against them.
 */

function referenceParseCredential(value: string): CredentialScope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, date, region, service, terminator };
}

/** parseAuthorizationHeader before the fast path (security/sigv4.ts at e33a229). */
function referenceParse(value: string, hasDate: boolean): unknown {
  const incomplete = (message: string) => new ServiceError('IncompleteSignatureException', message);
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const fields = new Map<string, string>();
  if (algorithm === 'AWS4-HMAC-SHA256') {
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
  const scope = referenceParseCredential(credential);
  if (!scope) throw incomplete(`Authorization header requires 'Credential' parameter. Authorization=${trimmed}`);
  return {
    scope,
    signedHeaders: (fields.get('SignedHeaders') as string).split(';').map((h) => h.trim().toLowerCase()),
    signedHeadersText: fields.get('SignedHeaders') as string,
    signature: fields.get('Signature') as string,
  };
}

/** checkForm before the single header scan (security/access-gate.ts at e33a229), with readCredentialScope of then. */
function referenceCheckForm(request: SigV4Request): unknown {
  const header = (headers: SigV4Request['headers'], name: string): string | undefined => {
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() === name && v !== undefined) return typeof v === 'string' ? v : v.join(',');
    }
    return undefined;
  };
  const readScope = (): CredentialScope | undefined => {
    const a = header(request.headers, 'authorization');
    if (a !== undefined) {
      const m = /Credential=([^,\s]+)/.exec(a);
      return m ? referenceParseCredential(m[1]) : undefined;
    }
    const v = request.query['X-Amz-Credential'];
    const q = v === undefined ? undefined : typeof v === 'string' ? v : v[0];
    return q === undefined ? undefined : referenceParseCredential(q);
  };
  const auth = request.headers.authorization ?? Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  if (auth !== undefined && auth !== '') {
    return (referenceParse(typeof auth === 'string' ? auth : auth.join(','), true) as { scope: CredentialScope }).scope;
  }
  const scope = readScope();
  if (scope === undefined) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  return scope;
}

/** The answer or the error, as plain data (shared answers are frozen; copies compare alike). */
function outcome(run: () => unknown): unknown {
  try {
    const v = run() as Record<string, unknown>;
    if (v !== null && typeof v === 'object' && 'signedHeaders' in v) {
      return { ok: { ...v, scope: { ...(v.scope as object) }, signedHeaders: [...(v.signedHeaders as string[])] } };
    }
    return { ok: { ...v } };
  } catch (e) {
    assert.ok(e instanceof ServiceError, String(e));
    return { error: { name: e.name, code: e.code, message: e.message, status: e.httpStatus } };
  }
}

/** A fresh flat string with the same characters, as the HTTP parser gives per request. */
function fresh(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

const SIG = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';

/** Seeded xorshift, so a failure names a header that can be reproduced. */
let seed = 0x1b873593;
function rand(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
/** The first (well-formed) choice four times in five, else any. */
const mostly = <T>(xs: readonly T[]): T => (rand(5) === 0 ? pick(xs) : xs[0]);
function hex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[rand(16)];
  return rand(8) === 0 ? s.toUpperCase() : s;
}

const blanks = ['', '', '', ' ', '  ', '\t', '\u00a0', '\ufeff', '\n', '\u2028'];
const credentials = [
  'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kinesis/aws4_request',
  'AKID/20130524/eu-west-1/kinesis/aws4_request',
  '123456789012/20260101/ap-south-1/firehose/aws4_request',
  'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/monitoring/aws4_request',
  'AKID/2026010/us-east-1/kinesis/aws4_request',
  'AKID/20260101/us-east-1/kinesis/aws5_request',
  'AKID/20260101/us-east-1/aws4_request',
  'AKID//us-east-1/kinesis/aws4_request',
  'AK ID/20260101/us-east-1/kinesis/aws4_request',
  'AKID/20260101/us-east-1/kinesis/aws4_request/',
  'A=K/20260101/r/s/aws4_request',
  'AKID/20260101/us-east-1/kinesis/aws4_request\u00a0x',
  '',
  ' ',
];
const signedHeaderLists = [
  'content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent',
  'host;x-amz-date',
  'Host;X-Amz-Date',
  'host; x-amz-date',
  'host;;x-amz-date',
  'host;',
  ';',
  '',
  'a=b',
  'h\u00a0;x',
];
const algorithms = ['AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256', 'aws4-hmac-sha256', 'AWS4-ECDSA-P256-SHA256', 'AWS4-HMAC-SHA256\t', ''];

function randomSignature(): string {
  return mostly([hex(64), hex(63), hex(65), `${hex(63)}g`, 'ab cd', 'x\u00a0', '\u00e9', '=', 'a=b', '']);
}

/** Mostly the SDK form (one of a few clients); sometimes reordered, dropped, repeated or broken components. */
function randomHeader(): string {
  const credential = rand(2) === 0 ? pick(credentials.slice(0, 4)) : mostly(credentials);
  const list = rand(2) === 0 ? pick(signedHeaderLists.slice(0, 2)) : mostly(signedHeaderLists);
  const parts = [
    `Credential=${mostly(blanks)}${credential}${mostly(blanks)}`,
    `SignedHeaders=${mostly(blanks)}${list}${mostly(blanks)}`,
    `Signature=${mostly(blanks)}${randomSignature()}${mostly(blanks)}`,
  ];
  const r = rand(12);
  if (r === 0) parts.reverse();
  else if (r === 1) parts.splice(rand(3), 1);
  else if (r === 2 || r === 3) {
    parts.push(pick(['Credential=AKID/20260101/us-west-2/kinesis/aws4_request', 'Signature=', `Signature=${SIG}`, 'SignedHeaders=host', 'Bogus', '=x', 'Other=1', '']));
  } else if (r === 4) parts[rand(3)] = parts[rand(3)].replace('=', pick([' =', '= ', '', '==']));
  const separator = rand(5) === 0 ? pick([',', ' , ', ',  ', ', \t', ',\u00a0']) : ', ';
  const gap = rand(8) === 0 ? pick(['  ', '\t', '', '\u00a0']) : ' ';
  return `${mostly(blanks)}${mostly(algorithms)}${gap}${parts.join(separator)}${mostly(blanks)}`;
}

void describe('SigV4 Authorization header (security/sigv4.ts): SDK-form fast path', () => {
  void it('parseAuthorizationHeader answers exactly as before, for many random headers, seen once or again', () => {
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      const header = randomHeader();
      const hasDate = rand(10) !== 0;
      const want = outcome(() => referenceParse(header, hasDate));
      assert.deepEqual(outcome(() => parseAuthorizationHeader(header, hasDate)), want, JSON.stringify([header, hasDate]));
      // Again, as a fresh string (the prefix, scope and header list now remembered).
      assert.deepEqual(outcome(() => parseAuthorizationHeader(fresh(header), hasDate)), want, JSON.stringify([header, hasDate]));
      // The scope alone, as checkForm asks for it.
      const wantScope = outcome(() => (referenceParse(header, true) as { scope: CredentialScope }).scope);
      assert.deepEqual(outcome(() => authorizationHeaderScope(fresh(header))), wantScope, JSON.stringify(header));
      if ('ok' in (want as object)) accepted++;
    }
    // The generator must exercise both answers.
    assert.ok(accepted > 8_000 && accepted < 36_000, `${accepted} accepted`);
  });

  void it('a remembered prefix followed by anything but a plain signature goes to the general parse', () => {
    const prefix = 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=';
    parseAuthorizationHeader(prefix + SIG, true);
    const tails = ['', ' ', `${SIG} `, `${SIG}\u00a0`, `${SIG}, Credential=OTHER/20260101/eu-west-1/kinesis/aws4_request`, `${SIG},`, ` ${SIG}`, `\u2028${SIG}`, 'x', `${SIG}, Bogus`];
    for (const tail of tails) {
      for (const hasDate of [true, false]) {
        const header = prefix + tail;
        assert.deepEqual(outcome(() => parseAuthorizationHeader(header, hasDate)), outcome(() => referenceParse(header, hasDate)), JSON.stringify(header));
      }
    }
  });

  void it('answers each request with its own signature while the prefix repeats', () => {
    for (let i = 0; i < 300; i++) {
      const sig = hex(64);
      const header = `AWS4-HMAC-SHA256 Credential=AKID${i % 3}/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`;
      const parsed = parseAuthorizationHeader(fresh(header), true);
      assert.equal(parsed.signature, sig);
      assert.equal(parsed.scope.accessKeyId, `AKID${i % 3}`);
      assert.deepEqual(outcome(() => parsed), outcome(() => referenceParse(header, true)));
    }
  });

  void it('shared scopes and header lists cannot be changed by a caller', () => {
    const header = `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    const first = parseAuthorizationHeader(header, true);
    assert.throws(() => (first.signedHeaders as string[]).push('evil'));
    assert.throws(() => {
      (first.scope as { region: string }).region = 'evil-1';
    });
    const again = parseAuthorizationHeader(fresh(header), true);
    assert.deepEqual([...again.signedHeaders], ['host', 'x-amz-date']);
    assert.equal(authorizationHeaderScope(fresh(header)).region, 'us-east-1');
  });

  void it('more distinct clients than remembered prefixes, scopes and lists: still exact', () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 300; i++) {
        const header = `AWS4-HMAC-SHA256 Credential=AKID${i}/20260101/region-${i % 97}/kinesis/aws4_request, SignedHeaders=host;h-${i % 131}, Signature=${hex(64)}`;
        assert.deepEqual(outcome(() => parseAuthorizationHeader(header, true)), outcome(() => referenceParse(header, true)));
        assert.deepEqual(outcome(() => authorizationHeaderScope(header)), outcome(() => (referenceParse(header, true) as { scope: CredentialScope }).scope));
      }
    }
  });
});

void describe('checkForm (--auth off)', () => {
  const names = ['authorization', 'authorization', 'Authorization', 'AUTHORIZATION', 'authorizatioN', 'x-authorization', 'authorization '];
  const queryCredentials = [
    'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kinesis/aws4_request',
    '123456789012/20260101/eu-west-1/kinesis/aws4_request',
    'AKID/20260101/us-east-1/kinesis',
    '',
  ];

  function randomValue(): string | string[] | undefined {
    const r = rand(12);
    if (r === 0) return undefined;
    if (r === 1) return '';
    if (r === 2) return [randomHeader(), randomHeader()].slice(0, 1 + rand(2));
    if (r === 3) return [];
    if (r === 4) return pick(['Credential=AKID/20260101/us-east-1/kinesis/aws4_request', 'Bearer x', 'AWS4-HMAC-SHA256']);
    return randomHeader();
  }

  function randomRequest(): SigV4Request {
    const headers: Record<string, string | string[] | undefined> = { host: 'localhost:4567', 'x-amz-date': '20260101T000000Z' };
    const count = rand(4);
    for (let i = 0; i < count; i++) headers[pick(names)] = randomValue();
    if (rand(3) === 0) headers['content-type'] = 'application/x-amz-json-1.1';
    const query: Record<string, string | string[]> = {};
    if (rand(3) === 0) query['X-Amz-Credential'] = rand(4) === 0 ? [pick(queryCredentials), pick(queryCredentials)] : pick(queryCredentials);
    return { method: 'POST', path: '/', query, headers, body: new Uint8Array(0) };
  }

  void it('answers exactly as before, for many random requests', () => {
    const answers = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      const request = randomRequest();
      const want = outcome(() => referenceCheckForm(request));
      assert.deepEqual(outcome(() => checkForm(request)), want, JSON.stringify(request));
      const kind = 'ok' in (want as object) ? 'ok' : (want as { error: { code: string } }).error.code;
      answers.set(kind, (answers.get(kind) ?? 0) + 1);
    }
    for (const kind of ['ok', 'IncompleteSignatureException', 'MissingAuthenticationTokenException']) {
      assert.ok((answers.get(kind) ?? 0) > 1_000, `${kind}: ${answers.get(kind) ?? 0}`);
    }
  });

  void it('edge cases of header names and empty values', () => {
    const good = `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    const cases: Record<string, string | string[] | undefined>[] = [
      {},
      { authorization: undefined, Authorization: good },
      { Authorization: undefined, authorization: good },
      { Authorization: undefined, AUTHORIZATION: good },
      { Authorization: '', AUTHORIZATION: good },
      { authorization: '', Authorization: good },
      { authorization: '', Authorization: 'Credential=AKID/20260101/us-east-1/kinesis/aws4_request' },
      { AUTHORIZATION: 'x Credential=AKID/20260101/us-east-1/kinesis/aws4_request' },
      { authorization: [] },
      { authorization: [good, good] },
      { 'authorİzation': good },
    ];
    for (const headers of cases) {
      const queries: Record<string, string>[] = [{}, { 'X-Amz-Credential': 'Q/20260101/eu-west-1/kinesis/aws4_request' }];
      for (const query of queries) {
        const request: SigV4Request = { method: 'GET', path: '/', query, headers, body: new Uint8Array(0) };
        assert.deepEqual(outcome(() => checkForm(request)), outcome(() => referenceCheckForm(request)), JSON.stringify(request));
      }
    }
    // readCredentialScope itself is unchanged.
    assert.deepEqual(readCredentialScope({ headers: {}, query: { 'X-Amz-Credential': 'Q/20260101/eu-west-1/kinesis/aws4_request' } }), {
      accessKeyId: 'Q',
      date: '20260101',
      region: 'eu-west-1',
      service: 'kinesis',
      terminator: 'aws4_request',
    });
  });
});
