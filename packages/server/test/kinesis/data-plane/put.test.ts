/**
 * PutRecord / PutRecords called directly (memory storage, ManualClock): hash routing, ordering of
 * results, size checks, stream state, per-shard write limits, AUTO distribution, DryRun.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '../../../src/model/service-error.js';
import { StorageError, StorageErrorCode } from '../../../src/storage/contract.js';
import { MAX_HASH_KEY, partitionKeyHash } from '../../../src/kinesis/hash-key.js';
import { putRecord } from '../../../src/kinesis/operations/put-record.js';
import { putRecords } from '../../../src/kinesis/operations/put-records.js';
import { StreamStatus } from '../../../src/kinesis/records.js';
import { compareSequenceNumbers, decodeSequenceNumber } from '../../../src/kinesis/sequence-number.js';
import { findShard } from '../../../src/kinesis/stream-store.js';
import type { TestPlane } from './support.js';
import { createTestStream, openTestPlane } from './support.js';

function isError(code: string, message?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

function contains(shard: { startingHashKey: string; endingHashKey: string }, key: bigint): boolean {
  return BigInt(shard.startingHashKey) <= key && key <= BigInt(shard.endingHashKey);
}

void describe('PutRecord', () => {
  let plane: TestPlane;
  before(async () => {
    plane = await openTestPlane();
    await createTestStream(plane, 's4', 4);
  });
  after(() => plane.close());

  void it('routes by the MD5 of the partition key to the shard whose range contains it', async () => {
    const stream = (await plane.env.streams.resolve(plane.ctx, { StreamName: 's4' })).value;
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pk = `key-${i}-ü`;
      const out = await putRecord(plane.dp, { StreamName: 's4', PartitionKey: pk, Data: Buffer.from([i & 255]) }, plane.ctx);
      const shard = findShard(stream, out.ShardId);
      assert.ok(shard);
      assert.ok(contains(shard, partitionKeyHash(pk)), `${pk} → ${out.ShardId}`);
      assert.equal(out.EncryptionType, 'NONE');
      const parts = decodeSequenceNumber(out.SequenceNumber);
      assert.ok(parts);
      assert.equal(parts.shardIndex, shard.index);
      seen.add(out.ShardId);
    }
    assert.equal(seen.size, 4);
  });

  void it('routes by ExplicitHashKey, including both ends of the key space', async () => {
    const stream = (await plane.env.streams.resolve(plane.ctx, { StreamName: 's4' })).value;
    for (const key of [0n, MAX_HASH_KEY, MAX_HASH_KEY / 4n, MAX_HASH_KEY / 4n + 1n, MAX_HASH_KEY / 2n]) {
      const out = await putRecord(plane.dp, { StreamName: 's4', PartitionKey: 'ignored', ExplicitHashKey: key.toString(), Data: Buffer.alloc(1) }, plane.ctx);
      const shard = findShard(stream, out.ShardId);
      assert.ok(shard && contains(shard, key), `${key} → ${out.ShardId}`);
    }
    await assert.rejects(
      putRecord(plane.dp, { StreamName: 's4', PartitionKey: 'k', ExplicitHashKey: (MAX_HASH_KEY + 1n).toString(), Data: Buffer.alloc(1) }, plane.ctx),
      isError('InvalidArgumentException', /ExplicitHashKey/),
    );
  });

  void it('gives increasing sequence numbers within a shard (SequenceNumberForOrdering holds)', async () => {
    let previous: string | undefined;
    for (let i = 0; i < 20; i++) {
      const out = await putRecord(plane.dp, { StreamName: 's4', PartitionKey: 'same', Data: Buffer.from(String(i)), SequenceNumberForOrdering: previous }, plane.ctx);
      if (previous !== undefined) assert.equal(compareSequenceNumbers(out.SequenceNumber, previous), 1);
      previous = out.SequenceNumber;
    }
  });

  void it('checks data + partition key against the stream maximum record size (1 MiB by default)', async () => {
    const pk = 'abc';
    const ok = await putRecord(plane.dp, { StreamName: 's4', PartitionKey: pk, Data: Buffer.alloc(1024 * 1024 - 3) }, plane.ctx);
    assert.ok(ok.SequenceNumber);
    await assert.rejects(
      putRecord(plane.dp, { StreamName: 's4', PartitionKey: pk, Data: Buffer.alloc(1024 * 1024 - 2) }, plane.ctx),
      isError('InvalidArgumentException', /maximum record size of 1024 KiB/),
    );
    await createTestStream(plane, 'big', 1, { maxRecordSizeKiB: 2048 });
    const big = await putRecord(plane.dp, { StreamName: 'big', PartitionKey: pk, Data: Buffer.alloc(2 * 1024 * 1024 - 3) }, plane.ctx);
    assert.equal(big.ShardId, 'shardId-000000000000');
  });

  void it('answers ResourceNotFoundException for a missing or not-yet-active stream', async () => {
    await assert.rejects(
      putRecord(plane.dp, { StreamName: 'nope', PartitionKey: 'a', Data: Buffer.alloc(1) }, plane.ctx),
      isError('ResourceNotFoundException', /Stream nope under account 123456789012 not found/),
    );
    await createTestStream(plane, 'creating', 1, { status: StreamStatus.CREATING, statusReadyAtMs: plane.clock.now() + 1000 });
    await assert.rejects(putRecord(plane.dp, { StreamName: 'creating', PartitionKey: 'a', Data: Buffer.alloc(1) }, plane.ctx), isError('ResourceNotFoundException'));
    plane.clock.advance(1000);
    const out = await putRecord(plane.dp, { StreamName: 'creating', PartitionKey: 'a', Data: Buffer.alloc(1) }, plane.ctx);
    assert.equal(out.ShardId, 'shardId-000000000000');
  });

  void it('accepts the stream ARN instead of the name, and reports KMS encryption', async () => {
    const s = await createTestStream(plane, 'enc', 2, { encryptionType: 'KMS', keyId: 'alias/aws/kinesis' });
    const out = await putRecord(plane.dp, { StreamARN: s.value.arn, PartitionKey: 'a', Data: Buffer.alloc(1) }, plane.ctx);
    assert.equal(out.EncryptionType, 'KMS');
    const many = await putRecords(plane.dp, { StreamARN: s.value.arn, Records: [{ PartitionKey: 'a', Data: Buffer.alloc(1) }] }, plane.ctx);
    assert.equal(many.EncryptionType, 'KMS');
  });

  void it('DryRun validates without writing', async () => {
    const s = await createTestStream(plane, 'dry', 1);
    await assert.rejects(putRecord(plane.dp, { StreamName: 'dry', PartitionKey: 'a', Data: Buffer.alloc(1), DryRun: true }, plane.ctx), isError('DryRunOperationException'));
    const log = await plane.env.streams.shardLog(s.value, 'shardId-000000000000');
    assert.equal(log.endOffset(), 0);
  });
});

void describe('PutRecords', () => {
  let plane: TestPlane;
  before(async () => {
    plane = await openTestPlane();
    await createTestStream(plane, 'm', 3);
  });
  after(() => plane.close());

  void it('answers in request order, one entry per record, with per-shard increasing numbers', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `pk-${i % 37}`, Data: randomBytes(i % 50) }));
    const out = await putRecords(plane.dp, { StreamName: 'm', Records: records }, plane.ctx);
    assert.equal(out.FailedRecordCount, 0);
    assert.equal(out.Records.length, 500);
    const stream = (await plane.env.streams.resolve(plane.ctx, { StreamName: 'm' })).value;
    const lastByShard = new Map<string, string>();
    for (let i = 0; i < 500; i++) {
      const r = out.Records[i];
      assert.ok(r.ShardId && r.SequenceNumber);
      assert.equal(r.ErrorCode, undefined);
      const shard = findShard(stream, r.ShardId);
      assert.ok(shard && contains(shard, partitionKeyHash(records[i].PartitionKey)));
      const prev = lastByShard.get(r.ShardId);
      if (prev) assert.equal(compareSequenceNumbers(r.SequenceNumber, prev), 1);
      lastByShard.set(r.ShardId, r.SequenceNumber);
    }
    // One append per shard: each shard's log holds exactly its group, contiguously.
    let total = 0;
    for (const s of stream.shards) total += (await plane.env.streams.shardLog(stream, s.shardId)).endOffset();
    assert.equal(total, 500);
  });

  void it('rejects the whole request when a record is too large or the request exceeds 10 MiB', async () => {
    await assert.rejects(
      putRecords(plane.dp, { StreamName: 'm', Records: [{ PartitionKey: 'a', Data: Buffer.alloc(10) }, { PartitionKey: 'a', Data: Buffer.alloc(1024 * 1024) }] }, plane.ctx),
      isError('InvalidArgumentException'),
    );
    const eleven = Array.from({ length: 11 }, () => ({ PartitionKey: 'a', Data: Buffer.alloc(1024 * 1024 - 1) }));
    await assert.rejects(putRecords(plane.dp, { StreamName: 'm', Records: eleven }, plane.ctx), isError('InvalidArgumentException', /10 MiB/));
    const stream = (await plane.env.streams.resolve(plane.ctx, { StreamName: 'm' })).value;
    let total = 0;
    for (const s of stream.shards) total += (await plane.env.streams.shardLog(stream, s.shardId)).endOffset();
    assert.equal(total, 500, 'nothing written by rejected requests');
  });

  void it('accepts empty data blobs', async () => {
    const out = await putRecords(plane.dp, { StreamName: 'm', Records: [{ PartitionKey: 'e', Data: new Uint8Array(0) }] }, plane.ctx);
    assert.equal(out.FailedRecordCount, 0);
  });
});

void describe('write limits (on)', () => {
  let plane: TestPlane;
  before(async () => {
    plane = await openTestPlane({ limits: true });
    await createTestStream(plane, 'w', 1);
    await createTestStream(plane, 'w2', 2);
  });
  after(() => plane.close());

  void it('throttles entries beyond 1,000 records/s per shard, per entry, in order, and recovers', async () => {
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.alloc(1) }));
    const a = await putRecords(plane.dp, { StreamName: 'w', Records: batch(500) }, plane.ctx);
    const b = await putRecords(plane.dp, { StreamName: 'w', Records: batch(500) }, plane.ctx);
    assert.equal((a.FailedRecordCount ?? 0) + (b.FailedRecordCount ?? 0), 0);
    const c = await putRecords(plane.dp, { StreamName: 'w', Records: batch(3) }, plane.ctx);
    assert.equal(c.FailedRecordCount, 3);
    for (const r of c.Records) {
      assert.equal(r.ErrorCode, 'ProvisionedThroughputExceededException');
      assert.equal(r.ErrorMessage, 'Rate exceeded for shard shardId-000000000000 in stream w under account 123456789012.');
      assert.equal(r.SequenceNumber, undefined);
    }
    await assert.rejects(
      putRecord(plane.dp, { StreamName: 'w', PartitionKey: 'x', Data: Buffer.alloc(1) }, plane.ctx),
      isError('ProvisionedThroughputExceededException', /Rate exceeded for shard shardId-000000000000 in stream w/),
    );
    plane.clock.advance(100); // refills 100 records
    const d = await putRecords(plane.dp, { StreamName: 'w', Records: batch(150) }, plane.ctx);
    assert.equal(d.FailedRecordCount, 50);
    assert.ok(d.Records.slice(0, 100).every((r) => r.SequenceNumber !== undefined));
    assert.ok(d.Records.slice(100).every((r) => r.ErrorCode === 'ProvisionedThroughputExceededException'));
    plane.clock.advance(1000);
    const e = await putRecords(plane.dp, { StreamName: 'w', Records: batch(500) }, plane.ctx);
    assert.equal(e.FailedRecordCount, 0);
  });

  void it('throttles beyond 1 MiB/s per shard and only the hot shard', async () => {
    plane.clock.advance(5000);
    const mib = 1024 * 1024;
    const first = await putRecord(plane.dp, { StreamName: 'w2', PartitionKey: 'p', ExplicitHashKey: '0', Data: Buffer.alloc(mib - 1) }, plane.ctx);
    assert.equal(first.ShardId, 'shardId-000000000000');
    await assert.rejects(
      putRecord(plane.dp, { StreamName: 'w2', PartitionKey: 'p', ExplicitHashKey: '0', Data: Buffer.alloc(1000) }, plane.ctx),
      isError('ProvisionedThroughputExceededException'),
    );
    const other = await putRecord(plane.dp, { StreamName: 'w2', PartitionKey: 'p', ExplicitHashKey: MAX_HASH_KEY.toString(), Data: Buffer.alloc(1000) }, plane.ctx);
    assert.equal(other.ShardId, 'shardId-000000000001');
    const mixed = await putRecords(
      plane.dp,
      {
        StreamName: 'w2',
        Records: [
          { PartitionKey: 'p', ExplicitHashKey: '0', Data: Buffer.alloc(10) },
          { PartitionKey: 'p', ExplicitHashKey: MAX_HASH_KEY.toString(), Data: Buffer.alloc(10) },
        ],
      },
      plane.ctx,
    );
    assert.equal(mixed.FailedRecordCount, 1);
    assert.equal(mixed.Records[0].ErrorCode, 'ProvisionedThroughputExceededException');
    assert.equal(mixed.Records[1].ShardId, 'shardId-000000000001');
    plane.clock.advance(1000);
    await putRecord(plane.dp, { StreamName: 'w2', PartitionKey: 'p', ExplicitHashKey: '0', Data: Buffer.alloc(1000) }, plane.ctx);
  });

  void it('records acknowledged writes in the usage meter', async () => {
    const uid = (await plane.env.streams.resolve(plane.ctx, { StreamName: 'w' })).value.uid;
    const rate = plane.env.usage.writeRate(uid, 'shardId-000000000000', plane.clock.now(), 60);
    assert.ok(rate.recordsPerSecond > 0);
  });
});

void describe('AUTO record distribution', () => {
  void it('spreads records over the open shards and keeps partition keys when given', async () => {
    const plane = await openTestPlane();
    try {
      await createTestStream(plane, 'auto', 4, { recordDistributionStrategy: 'AUTO' });
      const out = await putRecords(plane.dp, { StreamName: 'auto', Records: Array.from({ length: 8 }, () => ({ PartitionKey: 'same', Data: Buffer.alloc(1) })) }, plane.ctx);
      assert.equal(new Set(out.Records.map((r) => r.ShardId)).size, 4);
      const one = await putRecord(plane.dp, { StreamName: 'auto', Data: Buffer.alloc(1) }, plane.ctx);
      assert.ok(one.SequenceNumber);
    } finally {
      await plane.close();
    }
  });

  void it('requires a partition key under USER_PARTITION_KEY', async () => {
    const plane = await openTestPlane();
    try {
      await createTestStream(plane, 'upk', 1);
      await assert.rejects(putRecord(plane.dp, { StreamName: 'upk', Data: Buffer.alloc(1) }, plane.ctx), isError('InvalidArgumentException', /partition key/));
    } finally {
      await plane.close();
    }
  });
});

void describe('writes racing a reshard', () => {
  void it('a record routed to a shard sealed under it waits for the reshard commit and lands in the child', async () => {
    const plane = await openTestPlane();
    try {
      const s = await createTestStream(plane, 'race', 1);
      await putRecord(plane.dp, { StreamName: 'race', PartitionKey: 'a', Data: Buffer.from('before') }, plane.ctx);
      // The control plane's order: seal the parent's log first, commit the closed parent + children after.
      const parentLog = await plane.env.streams.shardLog(s.value, 'shardId-000000000000');
      await parentLog.seal();
      const single = putRecord(plane.dp, { StreamName: 'race', PartitionKey: 'a', Data: Buffer.from('single') }, plane.ctx);
      const batch = putRecords(plane.dp, { StreamName: 'race', Records: [{ PartitionKey: 'a', Data: Buffer.from('b1') }, { PartitionKey: 'b', Data: Buffer.from('b2') }] }, plane.ctx);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const current = await plane.env.streams.resolve(plane.ctx, { StreamName: 'race' });
      const now = plane.clock.now();
      const parent = current.value.shards[0];
      const committed = await plane.env.streams.replace(current, {
        ...current.value,
        shards: [
          { ...parent, closedMs: now, endOffset: parentLog.endOffset() },
          { shardId: 'shardId-000000000001', index: 1, parentShardId: parent.shardId, startingHashKey: '0', endingHashKey: (MAX_HASH_KEY / 2n).toString(), createdMs: now },
          { shardId: 'shardId-000000000002', index: 2, parentShardId: parent.shardId, startingHashKey: (MAX_HASH_KEY / 2n + 1n).toString(), endingHashKey: MAX_HASH_KEY.toString(), createdMs: now },
        ],
        nextShardIndex: 3,
      });
      assert.ok(committed);
      const one = await single;
      assert.notEqual(one.ShardId, 'shardId-000000000000');
      const many = await batch;
      assert.equal(many.FailedRecordCount, 0);
      assert.ok(many.Records.every((r) => r.ShardId !== 'shardId-000000000000' && r.SequenceNumber !== undefined));
      assert.equal(parentLog.endOffset(), 1);
    } finally {
      await plane.close();
    }
  });
});

void describe('storage failures', () => {
  void it('a failing shard gives InternalFailure entries while the other shards succeed; PutRecord fails as a whole', async () => {
    const plane = await openTestPlane();
    try {
      const s = await createTestStream(plane, 'fail', 2);
      const log0 = await plane.env.streams.shardLog(s.value, 'shardId-000000000000');
      log0.append = () => Promise.reject(new StorageError(StorageErrorCode.IO, 'disk on fire'));
      const out = await putRecords(
        plane.dp,
        {
          StreamName: 'fail',
          Records: [
            { PartitionKey: 'a', ExplicitHashKey: '0', Data: Buffer.from('x') },
            { PartitionKey: 'a', ExplicitHashKey: MAX_HASH_KEY.toString(), Data: Buffer.from('y') },
            { PartitionKey: 'a', ExplicitHashKey: '1', Data: Buffer.from('z') },
          ],
        },
        plane.ctx,
      );
      assert.equal(out.FailedRecordCount, 2);
      assert.deepEqual(out.Records[0], { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Service Failure' });
      assert.deepEqual(out.Records[2], { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Service Failure' });
      assert.equal(out.Records[1].ShardId, 'shardId-000000000001');
      await assert.rejects(putRecord(plane.dp, { StreamName: 'fail', PartitionKey: 'a', ExplicitHashKey: '0', Data: Buffer.from('x') }, plane.ctx), StorageError);
    } finally {
      await plane.close();
    }
  });
});
