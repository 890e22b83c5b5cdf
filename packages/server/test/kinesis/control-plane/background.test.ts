import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TestKinesis } from './env.js';
import { testKinesis } from './env.js';

const HOUR = 3600 * 1000;

void describe('background duties', () => {
  let k: TestKinesis;
  beforeEach(async () => {
    k = await testKinesis();
    await k.call('CreateStream', { StreamName: 'b', ShardCount: 2 });
    await k.settle();
  });
  afterEach(async () => {
    await k.close();
  });

  void it('trims records older than the retention period from the logs', async () => {
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 'b' })).value;
    const log = await k.env.streams.shardLog(stream, 'shardId-000000000000');
    await log.append([{ partitionKey: 'old', data: new Uint8Array([1]) }]);
    k.clock.advance(2 * HOUR);
    await log.append([{ partitionKey: 'new', data: new Uint8Array([2]) }]);
    k.clock.advance(23 * HOUR);
    await k.background.tick();
    const read = await log.read(0, { maxRecords: 10, maxBytes: 1 << 20 });
    assert.deepEqual(read.records.map((r) => r.partitionKey), ['new']);
    // A shard that never had a log is not given one by trimming.
    assert.ok(!(await k.storage.logs.list()).includes(`${stream.uid}/shardId-000000000001`));
  });

  void it('completes transitions without reads: CREATING → ACTIVE and DELETING → gone', async () => {
    await k.call('CreateStream', { StreamName: 'c', ShardCount: 1 });
    await k.settle();
    const stored = await k.storage.metadata.get<{ status: string }>('kinesis/stream/123456789012/us-east-1/c');
    assert.equal(stored?.value.status, 'ACTIVE');
    await k.call('DeleteStream', { StreamName: 'c' });
    await k.settle();
    assert.equal(await k.storage.metadata.get('kinesis/stream/123456789012/us-east-1/c'), undefined);
  });

  void it('a decreased retention expires closed parents sooner', async () => {
    await k.call('IncreaseStreamRetentionPeriod', { StreamName: 'b', RetentionPeriodHours: 72 });
    await k.settle();
    await k.call('MergeShards', { StreamName: 'b', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000001' });
    await k.settle();
    k.clock.advance(30 * HOUR);
    assert.equal((await k.call('ListShards', { StreamName: 'b' })).Shards?.length, 3);
    await k.call('DecreaseStreamRetentionPeriod', { StreamName: 'b', RetentionPeriodHours: 24 });
    assert.deepEqual((await k.call('ListShards', { StreamName: 'b' })).Shards?.map((s) => s.ShardId), ['shardId-000000000002']);
  });
});
