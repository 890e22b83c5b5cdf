import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/model/context.js';
import { AuditLog, auditRecord, sanitizeParameters } from '../../src/security/audit-log.js';
import type { AuditCall } from '../../src/security/audit-log.js';

const identity = { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE', userName: 'alice' };
function call(overrides: Partial<AuditCall> = {}): AuditCall {
  return { operation: 'CreateStream', input: { StreamName: 'orders', ShardCount: 2 }, identity, region: 'us-east-1', sourceIp: '127.0.0.1', userAgent: 'aws-cli/1.x', requestId: 'req-1', ...overrides };
}

void describe('audit log', () => {
  void it('builds a CloudTrail-shaped record', () => {
    const rec = auditRecord(call({ errorCode: 'ResourceInUseException', errorMessage: 'Stream orders under account 111122223333 already exists.' }), Date.UTC(2026, 10, 22, 4, 30, 0, 123));
    assert.equal(rec.eventTime, '2026-11-22T04:30:00Z');
    assert.equal(rec.eventSource, 'kinesis.amazonaws.com');
    assert.equal(rec.eventName, 'CreateStream');
    assert.equal(rec.awsRegion, 'us-east-1');
    assert.deepEqual(rec.userIdentity, identity);
    assert.equal(rec.sourceIPAddress, '127.0.0.1');
    assert.equal(rec.userAgent, 'aws-cli/1.x');
    assert.deepEqual(rec.requestParameters, { streamName: 'orders', shardCount: 2 });
    assert.equal(rec.errorCode, 'ResourceInUseException');
    assert.match(rec.errorMessage ?? '', /already exists/);
    assert.equal(rec.requestID, 'req-1');
    assert.match(rec.eventID, /^[0-9a-f-]{36}$/);
    assert.equal(rec.readOnly, false);
    assert.equal(rec.managementEvent, true);
    assert.equal(rec.eventCategory, 'Management');
    assert.equal(rec.recipientAccountId, '111122223333');
    const ok = auditRecord(call(), 0);
    assert.equal('errorCode' in ok, false);
  });

  void it('never includes payloads', () => {
    const p = sanitizeParameters({ StreamName: 's', Records: [{ Data: new Uint8Array([1, 2]), PartitionKey: 'a' }], Data: 'c2VjcmV0', Timestamp: new Date(0) });
    assert.deepEqual(p, { streamName: 's', records: [{ partitionKey: 'a' }], timestamp: '1970-01-01T00:00:00.000Z' });
    assert.ok(!JSON.stringify(p).includes('c2VjcmV0'));
  });

  void it('appends one line per control-plane call, data-plane only when asked, never rewriting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardline-audit-'));
    try {
      const path = join(dir, 'sub', 'audit.log');
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const log = await AuditLog.open({ path, clock });
      void log.record(call());
      void log.record(call({ operation: 'PutRecord', input: { StreamName: 'orders', Data: 'aGVsbG8=', PartitionKey: 'k' } }));
      await log.record(call({ operation: 'DeleteStream', input: { StreamName: 'orders' } }));
      await log.close();
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      const first = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { eventName: string });
      assert.deepEqual(first.map((e) => e.eventName), ['CreateStream', 'DeleteStream']);

      const withData = await AuditLog.open({ path, clock, includeDataEvents: true });
      await withData.record(call({ operation: 'PutRecord', input: { StreamName: 'orders', Data: 'aGVsbG8=', PartitionKey: 'k' } }));
      await withData.close();
      const text = await readFile(path, 'utf8');
      const all = text.trim().split('\n').map((l) => JSON.parse(l) as { eventName: string; eventCategory: string; requestParameters: Record<string, unknown> });
      assert.deepEqual(all.map((e) => e.eventName), ['CreateStream', 'DeleteStream', 'PutRecord']);
      assert.equal(all[2].eventCategory, 'Data');
      assert.deepEqual(all[2].requestParameters, { streamName: 'orders', partitionKey: 'k' });
      assert.ok(!text.includes('aGVsbG8='));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
