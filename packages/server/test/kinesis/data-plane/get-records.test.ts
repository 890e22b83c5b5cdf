/**
 * GetRecords when the iterator is caught up (the poll a consumer makes most often): an empty answer
 * without a storage read, the next iterator at the same position issued now, the record that arrives
 * next returned by the following poll, read limits still counting the call, and the end of a shard
 * that closes while a reader waits at its tip.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getRecords } from '../../../src/kinesis/operations/get-records.js';
import { getShardIterator } from '../../../src/kinesis/operations/get-shard-iterator.js';
import { putRecord } from '../../../src/kinesis/operations/put-record.js';
import { ServiceError } from '../../../src/model/service-error.js';
import type { ShardLog } from '../../../src/storage/contract.js';
import type { TestPlane } from './support.js';
import { createTestStream, openTestPlane, splitShard } from './support.js';

async function latest(plane: TestPlane, stream: string, shardId = 'shardId-000000000000'): Promise<string> {
  const out = await getShardIterator(plane.dp, { StreamName: stream, ShardId: shardId, ShardIteratorType: 'LATEST' }, plane.ctx);
  assert.ok(out.ShardIterator);
  return out.ShardIterator;
}

/** Count the reads a shard's log serves from now on. */
async function countReads(plane: TestPlane, stream: string, shardId = 'shardId-000000000000'): Promise<{ reads: number; log: ShardLog }> {
  const resolved = await plane.env.streams.resolve(plane.ctx, { StreamName: stream });
  const log = await plane.env.streams.shardLog(resolved.value, shardId);
  const counter = { reads: 0, log };
  const read = log.read.bind(log);
  log.read = (from, options) => {
    counter.reads++;
    return read(from, options);
  };
  return counter;
}

void describe('GetRecords at the tip of a shard', () => {
  let plane: TestPlane;
  before(async () => {
    plane = await openTestPlane();
  });
  after(() => plane.close());

  void it('answers an empty poll without reading storage, then returns the next record', async () => {
    await createTestStream(plane, 'tip', 1);
    await putRecord(plane.dp, { StreamName: 'tip', PartitionKey: 'k', Data: Buffer.from('before') }, plane.ctx);
    const counter = await countReads(plane, 'tip');
    let it = await latest(plane, 'tip');
    const issued = plane.dp.iterators.decode(it, plane.clock.now());
    for (let i = 0; i < 3; i++) {
      plane.clock.advance(1000);
      const out = await getRecords(plane.dp, { ShardIterator: it }, plane.ctx);
      assert.deepEqual(out.Records, []);
      assert.equal(out.MillisBehindLatest, 0);
      assert.equal(out.ChildShards, undefined);
      assert.ok(out.NextShardIterator);
      const next = plane.dp.iterators.decode(out.NextShardIterator, plane.clock.now());
      assert.equal(next.offset, issued.offset);
      assert.equal(next.issuedMs, plane.clock.now(), 'the next iterator is issued now (it expires 5 minutes from now)');
      it = out.NextShardIterator;
    }
    assert.equal(counter.reads, 0);
    await putRecord(plane.dp, { StreamName: 'tip', PartitionKey: 'k', Data: Buffer.from('after') }, plane.ctx);
    const out = await getRecords(plane.dp, { ShardIterator: it }, plane.ctx);
    assert.deepEqual(
      out.Records.map((r) => Buffer.from(r.Data).toString()),
      ['after'],
    );
    assert.equal(counter.reads, 1);
    assert.ok(out.NextShardIterator);
    assert.equal(plane.dp.iterators.decode(out.NextShardIterator, plane.clock.now()).offset, issued.offset + 1);
  });

  void it('an iterator at the tip still expires after 5 minutes', async () => {
    await createTestStream(plane, 'expiring', 1);
    const it = await latest(plane, 'expiring');
    plane.clock.advance(300_001);
    await assert.rejects(getRecords(plane.dp, { ShardIterator: it }, plane.ctx), (err: unknown) => err instanceof ServiceError && err.code === 'ExpiredIteratorException');
  });

  void it('a reader waiting at the tip of a shard that closes gets its ChildShards and no next iterator', async () => {
    await createTestStream(plane, 'closing', 1);
    await putRecord(plane.dp, { StreamName: 'closing', PartitionKey: 'k', Data: Buffer.from('x') }, plane.ctx);
    const it = await latest(plane, 'closing');
    const waiting = await getRecords(plane.dp, { ShardIterator: it }, plane.ctx);
    assert.ok(waiting.NextShardIterator);
    await splitShard(plane, 'closing', 'shardId-000000000000', 2n ** 127n);
    const out = await getRecords(plane.dp, { ShardIterator: waiting.NextShardIterator }, plane.ctx);
    assert.deepEqual(out.Records, []);
    assert.equal(out.NextShardIterator, undefined);
    assert.deepEqual(
      out.ChildShards?.map((c) => c.ShardId),
      ['shardId-000000000001', 'shardId-000000000002'],
    );
  });
});

void describe('GetRecords at the tip, limits on', () => {
  let plane: TestPlane;
  before(async () => {
    plane = await openTestPlane({ limits: true });
  });
  after(() => plane.close());

  void it('empty polls count against 5 calls per second per shard', async () => {
    await createTestStream(plane, 'limited', 1);
    let it = await latest(plane, 'limited');
    for (let i = 0; i < 5; i++) {
      const out = await getRecords(plane.dp, { ShardIterator: it }, plane.ctx);
      assert.ok(out.NextShardIterator);
      it = out.NextShardIterator;
    }
    await assert.rejects(
      getRecords(plane.dp, { ShardIterator: it }, plane.ctx),
      (err: unknown) => err instanceof ServiceError && err.code === 'ProvisionedThroughputExceededException',
    );
    plane.clock.advance(1000);
    assert.deepEqual((await getRecords(plane.dp, { ShardIterator: it }, plane.ctx)).Records, []);
  });
});
