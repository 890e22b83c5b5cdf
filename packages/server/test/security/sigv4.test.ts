import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { ManualClock } from '../../src/model/context.js';
import { ServiceError } from '../../src/model/service-error.js';
import { CredentialStore, parseAuthFile } from '../../src/security/auth-file.js';
import {
  formatAmzDate,
  readCredentialScope,
  SIGNATURE_MISMATCH_MESSAGE,
  UNRECOGNIZED_CLIENT_MESSAGE,
  verifySigV4,
} from '../../src/security/sigv4.js';
import type { SigV4Request } from '../../src/security/sigv4.js';
import { TestSha256 } from '../support/sha256.js';

/** Client-side hash for the test signer (independent of the verifier's). */

const ACCESS_KEY = 'AKIAALICE00000000001';
const SECRET = 'alice-secret-key-0123456789abcdefghijklmn';
const NOW = Date.UTC(2026, 10, 22, 4, 30, 0);

function store(): CredentialStore {
  return new CredentialStore(
    parseAuthFile(
      JSON.stringify({
        accounts: [{ id: '111122223333', users: [{ name: 'alice', accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, policies: [] }] }],
      }),
    ),
  );
}

function clientSigner(secret = SECRET, accessKeyId = ACCESS_KEY, service = 'kinesis', region = 'us-east-1'): SignatureV4 {
  return new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region, service, sha256: TestSha256 });
}

const body = Buffer.from(JSON.stringify({ StreamName: 'foo', Data: 'aGVsbG8=', PartitionKey: 'pk' }));

function baseRequest(): HttpRequest {
  return {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4567,
    path: '/',
    query: {},
    headers: {
      host: '127.0.0.1:4567',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Kinesis_20131202.PutRecord',
      'user-agent': 'aws-sdk-js/3 test',
    },
    body,
  };
}

/** What the server sees: lower-case headers, the body as bytes. */
function asReceived(signed: HttpRequest, overrides: Partial<SigV4Request> = {}): SigV4Request {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(signed.query ?? {})) if (v !== null) query[k] = v;
  return { method: signed.method, path: signed.path, query, headers, body: body, ...overrides };
}

async function expectError(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

void describe('SigV4 verification (Authorization header)', () => {
  const clock = new ManualClock(NOW);
  const options = { credentials: store(), service: 'kinesis', clock };

  void it('accepts a request signed by @smithy/signature-v4', async () => {
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const result = await verifySigV4(asReceived(signed), options);
    assert.equal(result.identity.userName, 'alice');
    assert.equal(result.region, 'us-east-1');
    assert.equal(result.presigned, false);
    assert.equal(result.signedAtMs, NOW);
  });

  void it('accepts a request without x-amz-content-sha256 and with extra unsigned headers', async () => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET },
      region: 'eu-west-2',
      service: 'kinesis',
      sha256: TestSha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(baseRequest(), { signingDate: new Date(NOW - 60_000) });
    assert.equal(signed.headers['x-amz-content-sha256'], undefined);
    const received = asReceived(signed);
    const result = await verifySigV4({ ...received, headers: { ...received.headers, 'amz-sdk-invocation-id': 'x', 'x-forwarded-for': '1' } }, options);
    assert.equal(result.region, 'eu-west-2');
  });

  void it('accepts the HTTP/2 :authority in place of host', async () => {
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const received = asReceived(signed);
    const { host, ...rest } = received.headers;
    await verifySigV4({ ...received, headers: { ...rest, ':authority': String(host) } }, options);
  });

  void it('rejects a wrong secret with InvalidSignatureException', async () => {
    const signed = await clientSigner('not-the-secret').sign(baseRequest(), { signingDate: new Date(NOW) });
    await expectError(verifySigV4(asReceived(signed), options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
  });

  void it('rejects an unknown access key with UnrecognizedClientException', async () => {
    const signed = await clientSigner(SECRET, 'AKIAUNKNOWN000000000').sign(baseRequest(), { signingDate: new Date(NOW) });
    const err = await expectError(verifySigV4(asReceived(signed), options), 'UnrecognizedClientException', UNRECOGNIZED_CLIENT_MESSAGE);
    assert.equal(err.httpStatus, 400);
  });

  void it('rejects a clock more than 5 minutes behind or ahead, with the AWS wording', async () => {
    const past = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW - 5 * 60_000 - 1000) });
    await expectError(
      verifySigV4(asReceived(past), options),
      'InvalidSignatureException',
      `Signature expired: ${formatAmzDate(NOW - 301_000)} is now earlier than ${formatAmzDate(NOW - 300_000)} (${formatAmzDate(NOW)} - 5 min.)`,
    );
    const future = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW + 5 * 60_000 + 1000) });
    await expectError(verifySigV4(asReceived(future), options), 'InvalidSignatureException', /^Signature not yet current: 20261122T043501Z is still later than 20261122T043500Z \(20261122T043000Z \+ 5 min\.\)$/);
    const edge = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW - 5 * 60_000) });
    await verifySigV4(asReceived(edge), options);
  });

  void it('rejects a tampered body (with and without the signed payload-hash header)', async () => {
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const tampered = Buffer.from(body.toString().replace('foo', 'bar'));
    await expectError(verifySigV4(asReceived(signed, { body: tampered }), options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
    const noHash = new SignatureV4({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, region: 'us-east-1', service: 'kinesis', sha256: TestSha256, applyChecksum: false });
    const signed2 = await noHash.sign(baseRequest(), { signingDate: new Date(NOW) });
    await expectError(verifySigV4(asReceived(signed2, { body: tampered }), options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
  });

  void it('rejects a changed signed header and a changed target', async () => {
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const received = asReceived(signed);
    await expectError(
      verifySigV4({ ...received, headers: { ...received.headers, 'x-amz-target': 'Kinesis_20131202.DeleteStream' } }, options),
      'InvalidSignatureException',
    );
  });

  void it('rejects a SignedHeaders list that is not the one signed (extra, missing or unsorted names)', async () => {
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const received = asReceived(signed);
    const auth = String(received.headers.authorization);
    for (const list of ['content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-absent', 'host;content-type;x-amz-content-sha256;x-amz-date;x-amz-target', 'content-type;host;x-amz-date;x-amz-target']) {
      const changed = auth.replace(/SignedHeaders=[^,]+/, `SignedHeaders=${list}`);
      await expectError(verifySigV4({ ...received, headers: { ...received.headers, authorization: changed } }, options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
    }
  });

  void it('checks the credential scope service, terminator and date', async () => {
    const wrongService = await clientSigner(SECRET, ACCESS_KEY, 'firehose').sign(baseRequest(), { signingDate: new Date(NOW) });
    await expectError(verifySigV4(asReceived(wrongService), options), 'InvalidSignatureException', "Credential should be scoped to correct service: 'kinesis'.");
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const received = asReceived(signed);
    const auth = String(received.headers.authorization);
    await expectError(
      verifySigV4({ ...received, headers: { ...received.headers, authorization: auth.replace('/20261122/', '/20261121/') } }, options),
      'InvalidSignatureException',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from 'X-Amz-Date'.",
    );
    await expectError(
      verifySigV4({ ...received, headers: { ...received.headers, authorization: auth.replace('aws4_request', 'aws5_request') } }, options),
      'InvalidSignatureException',
      /valid terminator/,
    );
  });

  void it('reports malformed or missing authentication as AWS does', async () => {
    const signed = await clientSigner().sign(baseRequest(), { signingDate: new Date(NOW) });
    const received = asReceived(signed);
    const { authorization: _a, ...noAuth } = received.headers;
    await expectError(verifySigV4({ ...received, headers: noAuth }, options), 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    await expectError(
      verifySigV4({ ...received, headers: { ...received.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }, options),
      'IncompleteSignatureException',
      /Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\./,
    );
    await expectError(verifySigV4({ ...received, headers: { ...received.headers, authorization: 'Bearer abc' } }, options), 'IncompleteSignatureException');
    const { 'x-amz-date': _d, ...noDate } = received.headers;
    await expectError(verifySigV4({ ...received, headers: noDate }, options), 'IncompleteSignatureException', /'X-Amz-Date' or a 'Date' header/);
    // A signature of the wrong length is still just a mismatch.
    await expectError(
      verifySigV4({ ...received, headers: { ...received.headers, authorization: String(received.headers.authorization).replace(/Signature=[0-9a-f]+/, 'Signature=abc') } }, options),
      'InvalidSignatureException',
      SIGNATURE_MISMATCH_MESSAGE,
    );
  });

  void it('reads the credential scope without verifying (for --auth off)', async () => {
    const signed = await clientSigner(SECRET, 'AKIAANYTHING00000000', 'kinesis', 'ap-south-1').sign(baseRequest(), { signingDate: new Date(NOW) });
    const scope = readCredentialScope(asReceived(signed));
    assert.deepEqual(scope, { accessKeyId: 'AKIAANYTHING00000000', date: '20261122', region: 'ap-south-1', service: 'kinesis', terminator: 'aws4_request' });
    assert.equal(readCredentialScope({ headers: {}, query: {} }), undefined);
  });
});

void describe('SigV4 verification (presigned query string)', () => {
  const clock = new ManualClock(NOW);
  const options = { credentials: store(), service: 'kinesis', clock };
  const presignRequest = (): HttpRequest => ({ ...baseRequest(), method: 'POST', headers: { host: '127.0.0.1:4567' } });

  void it('accepts a valid presigned URL, within its lifetime', async () => {
    const signed = await clientSigner().presign(presignRequest(), { signingDate: new Date(NOW - 60_000), expiresIn: 300 });
    assert.ok(signed.query?.['X-Amz-Signature']);
    const result = await verifySigV4(asReceived(signed), options);
    assert.equal(result.presigned, true);
    assert.equal(result.identity.userName, 'alice');
  });

  void it('rejects an expired presigned URL', async () => {
    const signed = await clientSigner().presign(presignRequest(), { signingDate: new Date(NOW - 301_000), expiresIn: 300 });
    await expectError(verifySigV4(asReceived(signed), options), 'InvalidSignatureException', /^Signature expired: /);
  });

  void it('rejects a presigned URL whose parameters were changed', async () => {
    const signed = await clientSigner().presign(presignRequest(), { signingDate: new Date(NOW), expiresIn: 300 });
    const received = asReceived(signed);
    await expectError(verifySigV4({ ...received, query: { ...received.query, 'X-Amz-Expires': '3000' } }, options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
    await expectError(verifySigV4({ ...received, body: Buffer.from('{}') }, options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
    const wrongSecret = await clientSigner('nope').presign(presignRequest(), { signingDate: new Date(NOW), expiresIn: 300 });
    await expectError(verifySigV4(asReceived(wrongSecret), options), 'InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
    const { 'X-Amz-Signature': _s, ...noSig } = received.query;
    await expectError(verifySigV4({ ...received, query: noSig }, options), 'IncompleteSignatureException');
  });

  void it('rejects a presigned URL for an unknown key', async () => {
    const signed = await clientSigner(SECRET, 'AKIAUNKNOWN000000000').presign(presignRequest(), { signingDate: new Date(NOW), expiresIn: 300 });
    await expectError(verifySigV4(asReceived(signed), options), 'UnrecognizedClientException', UNRECOGNIZED_CLIENT_MESSAGE);
  });
});
