import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { ManualClock } from '../../src/model/context.js';
import { ServiceError } from '../../src/model/service-error.js';
import { AccessGate } from '../../src/security/access-gate.js';
import { CredentialStore, parseAuthFile, rootIdentity } from '../../src/security/auth-file.js';
import type { SigV4Request } from '../../src/security/sigv4.js';
import { TestSha256 } from '../support/sha256.js';


const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const STREAM = 'arn:aws:kinesis:us-east-1:111122223333:stream/orders';
const identities = parseAuthFile(
  JSON.stringify({
    accounts: [
      {
        id: '111122223333',
        users: [
          { name: 'writer', accessKeyId: 'AKIAWRITER0000000001', secretAccessKey: 'w-secret', policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:Describe*'], Resource: 'arn:aws:kinesis:*:111122223333:stream/*' }] }] },
          { name: 'nobody', accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'n-secret' },
        ],
      },
      {
        id: '444455556666',
        users: [{ name: 'partner', accessKeyId: 'AKIAPARTNER000000001', secretAccessKey: 'p-secret', policies: [{ Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }] }],
      },
    ],
  }),
);
const credentials = new CredentialStore([...identities, rootIdentity({ accessKeyId: 'ROOTKEY0000000000001', secretAccessKey: 'r-secret', accountId: '111122223333' })]);

async function signed(accessKeyId: string, secret: string, target: string, payload: object): Promise<SigV4Request> {
  const body = Buffer.from(JSON.stringify(payload));
  const req: HttpRequest = {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    query: {},
    headers: { host: '127.0.0.1:1', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${target}` },
    body,
  };
  const out = await new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region: 'us-east-1', service: 'kinesis', sha256: TestSha256 }).sign(req, { signingDate: new Date(NOW) });
  return { method: 'POST', path: '/', query: {}, headers: out.headers, body };
}

const ctx = { region: 'us-east-1', sourceIp: '::ffff:127.0.0.1', secureTransport: false };

void describe('access gate', () => {
  const policies = new Map<string, string>();
  const gate = new AccessGate({ mode: 'sigv4', credentials, service: 'kinesis', defaultAccountId: '000000000000', clock: new ManualClock(NOW), resourcePolicy: (arn) => Promise.resolve(policies.get(arn)) });

  void it('authenticates and authorizes by identity policy', async () => {
    const who = await gate.authenticate(await signed('AKIAWRITER0000000001', 'w-secret', 'PutRecord', { StreamName: 'orders' }));
    assert.equal(who.verified, true);
    assert.deepEqual(who.caller, { accountId: '111122223333', accessKeyId: 'AKIAWRITER0000000001', principalArn: 'arn:aws:iam::111122223333:user/writer' });
    assert.equal(who.auditIdentity.type, 'IAMUser');
    await gate.authorize(who, 'PutRecord', { StreamName: 'orders' }, ctx);
    await assert.rejects(gate.authorize(who, 'DeleteStream', { StreamName: 'orders' }, ctx), (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, 'AccessDeniedException');
      assert.equal(e.message, `User: arn:aws:iam::111122223333:user/writer is not authorized to perform: kinesis:DeleteStream on resource: ${STREAM} because no identity-based policy allows the kinesis:DeleteStream action`);
      return true;
    });
  });

  void it('root has every permission in its account', async () => {
    const who = await gate.authenticate(await signed('ROOTKEY0000000000001', 'r-secret', 'DeleteStream', {}));
    assert.equal(who.caller.principalArn, 'arn:aws:iam::111122223333:root');
    await gate.authorize(who, 'DeleteStream', { StreamName: 'orders' }, ctx);
  });

  void it('cross-account access needs the resource policy', async () => {
    const who = await gate.authenticate(await signed('AKIAPARTNER000000001', 'p-secret', 'PutRecord', {}));
    await assert.rejects(gate.authorize(who, 'PutRecord', { StreamARN: STREAM }, ctx), /because no resource-based policy allows the kinesis:PutRecord action/);
    policies.set(STREAM, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kinesis:PutRecord', Resource: STREAM, Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }] }));
    await gate.authorize(who, 'PutRecord', { StreamARN: STREAM }, ctx);
    await assert.rejects(gate.authorize(who, 'PutRecord', { StreamARN: STREAM }, { ...ctx, sourceIp: '10.0.0.1' }), /AccessDenied|not authorized/);
    await assert.rejects(gate.authorize(who, 'DeleteStream', { StreamARN: STREAM }, ctx), /no resource-based policy allows/);
    // Same-account user without identity policies is allowed only where a resource policy names them.
    const nobody = await gate.authenticate(await signed('AKIANOBODY0000000001', 'n-secret', 'PutRecord', {}));
    await assert.rejects(gate.authorize(nobody, 'PutRecord', { StreamName: 'orders' }, ctx), /no identity-based policy/);
    policies.set(STREAM, JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/nobody' }, Action: 'kinesis:PutRecord', Resource: '*' }] }));
    await gate.authorize(nobody, 'PutRecord', { StreamName: 'orders' }, ctx);
    // A stored policy that does not parse denies.
    policies.set(STREAM, '{"Statement": "garbage"}');
    const writer = await gate.authenticate(await signed('AKIAWRITER0000000001', 'w-secret', 'PutRecord', {}));
    await assert.rejects(gate.authorize(writer, 'PutRecord', { StreamName: 'orders' }, ctx), /explicit deny in a resource-based policy/);
    policies.clear();
  });

  void it('rejects bad signatures before anything else', async () => {
    const req = await signed('AKIAWRITER0000000001', 'wrong', 'PutRecord', {});
    await assert.rejects(gate.authenticate(req), (e: unknown) => e instanceof ServiceError && e.code === 'InvalidSignatureException');
  });

  void it('--auth off: identifies without verifying, never denies', async () => {
    const off = new AccessGate({ mode: 'off', credentials, service: 'kinesis', defaultAccountId: '000000000000', clock: new ManualClock(NOW) });
    const known = await off.authenticate(await signed('AKIAPARTNER000000001', 'anything', 'PutRecord', {}));
    assert.equal(known.verified, false);
    assert.equal(known.caller.accountId, '444455556666');
    assert.equal(known.region, 'us-east-1');
    const numeric = await off.authenticate(await signed('123456789012', 'x', 'PutRecord', {}));
    assert.equal(numeric.caller.accountId, '123456789012');
    const unknown = await off.authenticate(await signed('AKIASOMEONE000000001', 'x', 'PutRecord', {}));
    assert.equal(unknown.caller.accountId, '000000000000');
    await assert.rejects(off.authenticate({ method: 'POST', path: '/', query: {}, headers: {}, body: Buffer.alloc(0) }), (e: unknown) => e instanceof ServiceError && e.code === 'MissingAuthenticationTokenException');
    await assert.rejects(off.authenticate({ method: 'POST', path: '/', query: {}, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/x' }, body: Buffer.alloc(0) }), (e: unknown) => e instanceof ServiceError && e.code === 'IncompleteSignatureException');
    const dateless = await off.authenticate({ method: 'POST', path: '/', query: {}, headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKIDX/20260101/eu-west-1/kinesis/aws4_request, SignedHeaders=host, Signature=${'ab'.repeat(32)}` }, body: Buffer.alloc(0) });
    assert.equal(dateless.region, 'eu-west-1');
    await off.authorize(unknown, 'DeleteStream', { StreamName: 'x' }, ctx);
  });
});
