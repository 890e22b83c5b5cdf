import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../../src/model/service-error.js';
import { parseSigV4Authorization } from '../../src/protocol/sigv4-header.js';

const SIG = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';

void describe('SigV4 Authorization header parsing', () => {
  void it('parses the documented form', () => {
    const parsed = parseSigV4Authorization(
      `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/kinesis/aws4_request, SignedHeaders=host;range;x-amz-date, Signature=${SIG}`,
    );
    assert.deepEqual(parsed, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      date: '20130524',
      region: 'us-east-1',
      service: 'kinesis',
      signedHeaders: ['host', 'range', 'x-amz-date'],
      signature: SIG,
    });
  });

  void it('accepts components in any order and without spaces after commas', () => {
    const parsed = parseSigV4Authorization(
      `AWS4-HMAC-SHA256 Signature=${SIG.toUpperCase()},SignedHeaders=host,Credential=AKID/20260101/eu-west-1/kinesis/aws4_request`,
    );
    assert.equal(parsed.region, 'eu-west-1');
    assert.equal(parsed.signature, SIG);
  });

  void it('rejects malformed headers with IncompleteSignatureException', () => {
    const cases: [string, RegExp][] = [
      ['Bearer abc', /AWS4-HMAC-SHA256/],
      ['AWS4-HMAC-SHA256', /requires 'Credential'/],
      [`AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${SIG}`, /requires 'Credential'/],
      ['AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host', /requires 'Signature'/],
      [`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, Signature=${SIG}`, /requires 'SignedHeaders'/],
      [`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/aws4_request, SignedHeaders=host, Signature=${SIG}`, /Credential must be/],
      [`AWS4-HMAC-SHA256 Credential=AKID/2026-01-01/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=${SIG}`, /yyyymmdd/],
      [`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws5_request, SignedHeaders=host, Signature=${SIG}`, /aws4_request/],
      ['AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=xyz', /64 hexadecimal/],
      [`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;;date, Signature=${SIG}`, /SignedHeaders/],
      [`AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=${SIG}`, /malformed component/],
    ];
    for (const [header, message] of cases) {
      assert.throws(
        () => parseSigV4Authorization(header),
        (e: unknown) => e instanceof ServiceError && e.code === 'IncompleteSignatureException' && message.test(e.message),
        header,
      );
    }
  });
});

/** The parse as it was before the SDK-form fast path and its maps: the reference for every header. */
function referenceParse(header: string): unknown {
  const incomplete = (message: string) => new ServiceError('IncompleteSignatureException', message);
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== 'AWS4-HMAC-SHA256') throw incomplete('Authorization header must use the AWS4-HMAC-SHA256 algorithm (Signature Version 4)');
  const params = new Map<string, string>();
  for (const part of (space === -1 ? '' : trimmed.slice(space + 1)).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) throw incomplete(`Authorization header has a malformed component (expected key=value)`);
    params.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !params.get(k));
  if (missing.length > 0) throw incomplete(missing.map((k) => `Authorization header requires '${k}' parameter.`).join(' '));
  const scope = (params.get('Credential') ?? '').split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    throw incomplete("Authorization header's Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request");
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

function outcome(parse: (header: string) => unknown, header: string): unknown {
  try {
    const v = parse(header) as { signedHeaders: readonly string[] };
    // Plain arrays on both sides (the parser may share a frozen list between answers).
    return { ok: { ...v, signedHeaders: [...v.signedHeaders] } };
  } catch (e) {
    assert.ok(e instanceof ServiceError, String(e));
    return { code: e.code, message: e.message, status: e.httpStatus };
  }
}

void describe('SigV4 Authorization header parsing: SDK-form fast path and its maps', () => {
  /** Seeded xorshift, so a failure names a header that can be reproduced. */
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
  /** The first (well-formed) choice four times in five, else any. */
  const mostly = <T>(xs: readonly T[]): T => (rand(5) === 0 ? pick(xs) : xs[0]);
  const hex = (n: number, upper: boolean): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[rand(16)];
    return upper && rand(2) === 0 ? s.toUpperCase() : s;
  };
  const blanks = ['', '', '', ' ', '  ', '\t', '\u00a0', '\ufeff', '\n'];
  const credentials = [
    'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kinesis/aws4_request',
    'AKID/20130524/eu-west-1/kinesis/aws4_request',
    '123456789012/20260101/ap-south-1/firehose/aws4_request',
    'AKID/2026010/us-east-1/kinesis/aws4_request',
    'AKID/20260101/us-east-1/kinesis/aws5_request',
    'AKID/20260101/us-east-1/aws4_request',
    'AKID//us-east-1/kinesis/aws4_request',
    'AK ID/20260101/us-east-1/kinesis/aws4_request',
    'AKID/20260101/us-east-1/kinesis/aws4_request/',
    'A=K/20260101/r/s/aws4_request',
    '',
    ' ',
  ];
  const signedHeaderLists = [
    'host;x-amz-date',
    'content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent',
    'Host;X-Amz-Date',
    'host; x-amz-date',
    'host;;x-amz-date',
    'host;',
    ';',
    '',
    'a=b',
  ];
  const algorithms = ['AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256', 'aws4-hmac-sha256', 'AWS4-ECDSA-P256-SHA256', ''];

  function randomHeader(): string {
    const signature = mostly([hex(64, true), hex(64, false), hex(63, false), hex(65, false), `${hex(63, false)}g`, '']);
    const credential = rand(2) === 0 ? pick(credentials.slice(0, 3)) : mostly(credentials);
    const parts = [
      `Credential=${mostly(blanks)}${credential}${mostly(blanks)}`,
      `SignedHeaders=${mostly(blanks)}${rand(2) === 0 ? pick(signedHeaderLists.slice(0, 2)) : mostly(signedHeaderLists)}${mostly(blanks)}`,
      `Signature=${mostly(blanks)}${signature}${mostly(blanks)}`,
    ];
    // Mostly the SDK form; sometimes reordered, dropped, repeated or broken components.
    const r = rand(10);
    if (r === 0) parts.reverse();
    else if (r === 1) parts.splice(rand(3), 1);
    else if (r === 2) parts.push(pick(['Credential=AKID/20260101/us-west-2/kinesis/aws4_request', 'Signature=', 'Bogus', '=x', 'Other=1']));
    else if (r === 3) parts[rand(3)] = parts[rand(3)].replace('=', pick([' =', '= ', '']));
    const separator = rand(4) === 0 ? pick([',', ' , ', ',  ', ', \t']) : ', ';
    const gap = rand(6) === 0 ? pick(['  ', '\t', '']) : ' ';
    return `${mostly(blanks)}${mostly(algorithms)}${gap}${parts.join(separator)}${mostly(blanks)}`;
  }

  void it('answers exactly as the general parse does, for many random headers, seen once or again', () => {
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const header = randomHeader();
      const want = outcome(referenceParse, header);
      assert.deepEqual(outcome(parseSigV4Authorization, header), want, JSON.stringify(header));
      // Again (credential and header list now remembered), as a fresh string.
      assert.deepEqual(outcome(parseSigV4Authorization, (' ' + header).slice(1)), want, JSON.stringify(header));
      if ('ok' in (want as object)) accepted++;
    }
    // The generator must exercise both answers.
    assert.ok(accepted > 2_000 && accepted < 18_000, `${accepted} accepted`);
  });

  void it('answers each request with its own signature while the scope and header list repeat', () => {
    const sigs = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? SIG : SIG.toUpperCase()).slice(0, 60) + i.toString(16).padStart(4, '0'));
    for (const sig of sigs) {
      const header = `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`;
      assert.deepEqual(outcome(parseSigV4Authorization, header), outcome(referenceParse, header));
      assert.equal(parseSigV4Authorization(header).signature, sig.toLowerCase());
    }
  });

  void it('a list shared between answers cannot be changed by a caller', () => {
    const header = `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;
    const first = parseSigV4Authorization(header).signedHeaders;
    assert.throws(() => (first as string[]).push('evil'));
    assert.deepEqual(parseSigV4Authorization(header).signedHeaders, ['host', 'x-amz-date']);
  });

  void it('more distinct credentials and header lists than remembered: still exact', () => {
    for (let i = 0; i < 500; i++) {
      const header = `AWS4-HMAC-SHA256 Credential=AKID${i}/20260101/region-${i % 97}/kinesis/aws4_request, SignedHeaders=host;h-${i % 131}, Signature=${SIG}`;
      assert.deepEqual(outcome(parseSigV4Authorization, header), outcome(referenceParse, header));
    }
  });
});
