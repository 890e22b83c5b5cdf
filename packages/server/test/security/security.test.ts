import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/model/context.js';
import type { RequestContext } from '../../src/model/context.js';
import { ServiceError } from '../../src/model/service-error.js';
import { createSecurity, keysDirFor } from '../../src/security/security.js';
import { MemoryStorage } from '../../src/storage/open-storage.js';

const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const STREAM = 'arn:aws:kinesis:us-east-1:111122223333:stream/orders';

function context(requestId: string): RequestContext {
  return {
    requestId,
    region: 'us-east-1',
    caller: { accountId: '111122223333' },
    protocol: 'json',
    sourceIp: '127.0.0.1',
    userAgent: 'test-agent',
    secureTransport: false,
    signal: new AbortController().signal,
  };
}

void describe('createSecurity', () => {
  void it('auth off: checks KMS keys for StartStreamEncryption, audits control-plane calls, keys under <dataDir>/keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardline-sec-'));
    try {
      const clock = new ManualClock(NOW);
      const storage = new MemoryStorage(clock);
      const auditPath = join(dir, 'audit.log');
      const security = await createSecurity(
        { auth: 'off', accountId: '111122223333', auditLog: auditPath, keysDir: keysDirFor(dir) },
        { clock, logger: silentLogger, metadata: storage.metadata },
      );
      assert.match(security.notes.join('\n'), /generated a new master key/);
      const ticket = await security.guard.authenticate({ method: 'POST', path: '/', query: {}, headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=${'ab'.repeat(32)}` }, body: Buffer.from('{}') });
      assert.equal(ticket.caller.accountId, '111122223333');
      await security.guard.authorize(ticket, 'StartStreamEncryption', { StreamName: 'orders', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }, context('r1'));
      await assert.rejects(
        security.guard.authorize(ticket, 'StartStreamEncryption', { StreamName: 'orders', EncryptionType: 'KMS', KeyId: 'alias/nope' }, context('r2')),
        (e: unknown) => e instanceof ServiceError && e.code === 'KMSNotFoundException',
      );
      const key = await security.keys.createKey({ accountId: '111122223333', region: 'us-east-1', alias: 'alias/off' });
      await security.keys.disableKey(key.keyId, '111122223333', 'us-east-1');
      await assert.rejects(
        security.guard.authorize(ticket, 'StartStreamEncryption', { StreamARN: STREAM, EncryptionType: 'KMS', KeyId: key.arn }, context('r3')),
        (e: unknown) => e instanceof ServiceError && e.code === 'KMSDisabledException',
      );
      security.guard.completed(ticket, 'CreateStream', { StreamName: 'orders', ShardCount: 1 }, context('r4'));
      security.guard.completed(ticket, 'PutRecord', { StreamName: 'orders', Data: new Uint8Array([1]) }, context('r5'));
      security.guard.completed(ticket, 'DeleteStream', { StreamName: 'orders' }, context('r6'), new ServiceError('ResourceNotFoundException', 'Stream orders under account 111122223333 not found.'));
      security.guard.completed(undefined, 'ListStreams', {}, context('r7'), new Error('boom'));
      await security.close();
      const lines = (await readFile(auditPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(lines.map((l) => [l.eventName, l.requestID, l.errorCode]), [
        ['CreateStream', 'r4', undefined],
        ['DeleteStream', 'r6', 'ResourceNotFoundException'],
        ['ListStreams', 'r7', 'InternalFailureException'],
      ]);
      assert.equal(lines[2].errorMessage, 'Internal service failure');
      await storage.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('auth sigv4: reads resource policies from the Kinesis metadata', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardline-sec-'));
    try {
      const clock = new ManualClock(NOW);
      const storage = new MemoryStorage(clock);
      const authFile = join(dir, 'auth.json');
      await writeFile(authFile, JSON.stringify({ accounts: [{ id: '444455556666', users: [{ name: 'partner', accessKeyId: 'AKIAPARTNER000000001', secretAccessKey: 'p', policies: [{ Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }] }] }] }));
      await storage.metadata.commit([
        { type: 'put', key: 'kinesis/stream/111122223333/us-east-1/orders', value: { uid: 'u1', accountId: '111122223333', region: 'us-east-1', name: 'orders' } },
        { type: 'put', key: `kinesis/policy/u1/${STREAM}`, value: { resourceArn: STREAM, updatedMs: 0, policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'kinesis:DescribeStreamSummary', Resource: STREAM }] }) } },
      ]);
      const security = await createSecurity({ auth: 'sigv4', accountId: '111122223333', authFile }, { clock, logger: silentLogger, metadata: storage.metadata });
      const identity = security.gate['options'].credentials.lookup('AKIAPARTNER000000001');
      assert.ok(identity);
      const who = { caller: { accountId: '444455556666' }, who: { caller: { accountId: '444455556666' }, identity, auditIdentity: { type: 'IAMUser', accountId: '444455556666' }, verified: true } };
      await security.guard.authorize(who, 'DescribeStreamSummary', { StreamARN: STREAM }, context('a'));
      await assert.rejects(security.guard.authorize(who, 'PutRecord', { StreamARN: STREAM }, context('b')), /no resource-based policy allows the kinesis:PutRecord action/);
      await security.close();
      await storage.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
