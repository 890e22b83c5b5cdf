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
