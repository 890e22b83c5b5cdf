/**
 * Bounded fuzz of the verifier: random, truncated and mutated Authorization headers, presigned
 * queries, dates and bodies. Every outcome must be a ServiceError with an authentication error name
 * (never another exception, never success for a mutated request).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { ManualClock } from '../../src/model/context.js';
import { ServiceError } from '../../src/model/service-error.js';
import { CredentialStore, rootIdentity } from '../../src/security/auth-file.js';
import { verifySigV4 } from '../../src/security/sigv4.js';
import type { SigV4Request } from '../../src/security/sigv4.js';
import { TestSha256 } from '../support/sha256.js';


/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AUTH_ERRORS = new Set(['MissingAuthenticationTokenException', 'IncompleteSignatureException', 'InvalidSignatureException', 'UnrecognizedClientException']);
const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);

void describe('SigV4 verifier fuzz', () => {
  void it('answers every malformed request with an authentication error', async () => {
    const credentials = new CredentialStore([rootIdentity({ accessKeyId: 'AKIAFUZZ000000000001', secretAccessKey: 'fuzz-secret', accountId: '111122223333' })]);
    const options = { credentials, service: 'kinesis', clock: new ManualClock(NOW) };
    const body = Buffer.from('{"StreamName":"s","Data":"AA==","PartitionKey":"p"}');
    const signer = new SignatureV4({ credentials: { accessKeyId: 'AKIAFUZZ000000000001', secretAccessKey: 'fuzz-secret' }, region: 'us-east-1', service: 'kinesis', sha256: TestSha256 });
    const good = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: 'h', path: '/', query: {}, headers: { host: 'h:1', 'x-amz-target': 'Kinesis_20131202.PutRecord', 'content-type': 'application/x-amz-json-1.1' }, body },
      { signingDate: new Date(NOW) },
    );
    const presigned = await signer.presign({ method: 'POST', protocol: 'http:', hostname: 'h', path: '/', query: {}, headers: { host: 'h:1' }, body }, { signingDate: new Date(NOW), expiresIn: 60 });
    const base: SigV4Request = { method: 'POST', path: '/', query: {}, headers: good.headers, body };
    await verifySigV4(base, options); // the unmutated request is accepted
    const presignedQuery = Object.fromEntries(Object.entries(presigned.query ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    await verifySigV4({ method: 'POST', path: '/', query: presignedQuery, headers: { host: 'h:1' }, body }, options);

    const rand = rng(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const alphabet = 'AWS4-HMAC-SHA256 Credential=/,;=SignedHeaders Signature abcdef0123456789\u0000\u00ff\u2028%\t';
    const randomText = (max: number): string => Array.from({ length: Math.floor(rand() * max) }, () => pick([...alphabet])).join('');
    const mutate = (s: string): string => {
      for (;;) {
        const m = mutateOnce(s);
        if (m !== s) return m;
      }
    };
    const mutateOnce = (s: string): string => {
      const i = Math.floor(rand() * (s.length + 1));
      switch (Math.floor(rand() * 4)) {
        case 0:
          return s.slice(0, i); // truncate
        case 1:
          return s.slice(0, i) + randomText(8) + s.slice(i); // insert
        case 2:
          return s.slice(0, i) + s.slice(i + 1 + Math.floor(rand() * 5)); // delete
        default: {
          const c = s.charCodeAt(i % Math.max(1, s.length)) ^ (1 + Math.floor(rand() * 30));
          return s.slice(0, i) + String.fromCharCode(c) + s.slice(i + 1); // flip
        }
      }
    };
    const counts = new Map<string, number>();
    const N = 3000;
    for (let n = 0; n < N; n++) {
      let request: SigV4Request;
      const kind = n % 5;
      if (kind === 0) request = { ...base, headers: { ...base.headers, authorization: randomText(200) } };
      else if (kind === 1) request = { ...base, headers: { ...base.headers, authorization: mutate(String(base.headers.authorization)) } };
      else if (kind === 2) request = { ...base, headers: { ...base.headers, 'x-amz-date': mutate(String(base.headers['x-amz-date'])) } };
      else if (kind === 3) {
        const key = pick(Object.keys(presignedQuery));
        request = { method: 'POST', path: '/', query: { ...presignedQuery, [key]: mutate(presignedQuery[key]) }, headers: { host: 'h:1' }, body };
      } else {
        const b = Buffer.from(body);
        b[Math.floor(rand() * b.length)] ^= 1 + Math.floor(rand() * 254);
        request = { ...base, body: b, path: rand() < 0.3 ? mutate('/') : '/' };
      }
      try {
        await verifySigV4(request, options);
        // The only mutation that may pass is whitespace around the header's separators.
        const squash = (v: unknown): string => String(v).replace(/\s+/g, '');
        assert.equal(kind, 1, `case ${n}: a mutated request was accepted`);
        assert.equal(squash(request.headers.authorization), squash(base.headers.authorization), `case ${n}: accepted ${String(request.headers.authorization)}`);
        counts.set('accepted', (counts.get('accepted') ?? 0) + 1);
      } catch (err) {
        assert.ok(err instanceof ServiceError, `case ${n}: non-service error ${String(err)}`);
        assert.ok(AUTH_ERRORS.has(err.code), `case ${n}: unexpected ${err.code}`);
        counts.set(err.code, (counts.get(err.code) ?? 0) + 1);
      }
    }
    assert.ok((counts.get('InvalidSignatureException') ?? 0) > 0);
    assert.ok((counts.get('IncompleteSignatureException') ?? 0) > 0);
  });
});
