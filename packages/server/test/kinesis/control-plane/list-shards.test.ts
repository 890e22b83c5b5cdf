import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ListShardsInput } from '../../../src/model/generated/kinesis-types.js';
import type { TestKinesis } from './env.js';
import { DELAY_MS, rejects, testKinesis } from './env.js';

const HOUR = 3600 * 1000;

void describe('ListShards', () => {
  let k: TestKinesis;
  let t0: number;
  const id = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;
  const ids = async (input: ListShardsInput): Promise<string[]> =>
    ((await k.call('ListShards', { StreamName: 'ls', ...input })).Shards ?? []).map((s) => s.ShardId);

  before(async () => {
    k = await testKinesis();
    t0 = k.clock.now();
    await k.call('CreateStream', { StreamName: 'ls', ShardCount: 2 });
    await rejects(k.call('ListShards', { StreamName: 'ls' }), 'ResourceInUseException', /CREATING/);
    await k.settle();
    k.clock.set(t0 + HOUR);
    const [s0] = (await k.call('ListShards', { StreamName: 'ls' })).Shards ?? [];
    const mid = (BigInt(s0.HashKeyRange.StartingHashKey) + BigInt(s0.HashKeyRange.EndingHashKey)) / 2n;
    await k.call('SplitShard', { StreamName: 'ls', ShardToSplit: id(0), NewStartingHashKey: mid.toString() });
    await k.settle();
    k.clock.set(t0 + 2 * HOUR);
    await k.call('MergeShards', { StreamName: 'ls', ShardToMerge: id(2), AdjacentShardToMerge: id(3) });
    await k.settle();
  });
  after(async () => {
    await k.close();
  });

  void it('lists every shard within retention by default (FROM_TRIM_HORIZON)', async () => {
    assert.deepEqual(await ids({}), [id(0), id(1), id(2), id(3), id(4)]);
    assert.deepEqual(await ids({ ShardFilter: { Type: 'FROM_TRIM_HORIZON' } }), [id(0), id(1), id(2), id(3), id(4)]);
  });

  void it('AT_LATEST lists the open shards', async () => {
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_LATEST' } }), [id(1), id(4)]);
  });

  void it('AT_TRIM_HORIZON lists the shards open at the trim horizon', async () => {
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_TRIM_HORIZON' } }), [id(0), id(1)]);
  });

  void it('AT_TIMESTAMP lists the shards open at the timestamp', async () => {
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(t0 + 1.5 * HOUR) } }), [id(1), id(2), id(3)]);
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(t0 + 3 * HOUR) } }), [id(1), id(4)]);
    // Before the stream existed: corrected to the trim horizon.
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(t0 - HOUR) } }), [id(0), id(1)]);
  });

  void it('FROM_TIMESTAMP lists closed shards ending at or after the timestamp and every open shard', async () => {
    assert.deepEqual(await ids({ ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(t0 + 1.5 * HOUR) } }), [id(1), id(2), id(3), id(4)]);
    assert.deepEqual(await ids({ ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(t0 - HOUR) } }), [id(0), id(1), id(2), id(3), id(4)]);
  });

  void it('AFTER_SHARD_ID and ExclusiveStartShardId start after the given shard', async () => {
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: id(2) } }), [id(3), id(4)]);
    assert.deepEqual(await ids({ ExclusiveStartShardId: id(3) }), [id(4)]);
  });

  void it('validates the filter members', async () => {
    await rejects(k.call('ListShards', { StreamName: 'ls', ShardFilter: { Type: 'AFTER_SHARD_ID' } }), 'InvalidArgumentException');
    await rejects(k.call('ListShards', { StreamName: 'ls', ShardFilter: { Type: 'AT_TIMESTAMP' } }), 'InvalidArgumentException');
    await rejects(k.call('ListShards', { StreamName: 'ls', ShardFilter: { Type: 'AT_LATEST', ShardId: id(1) } }), 'InvalidArgumentException');
  });

  void it('pages with MaxResults and a NextToken that keeps the filter and excludes other parameters', async () => {
    const p1 = await k.call('ListShards', { StreamName: 'ls', MaxResults: 2, ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(t0 + 1.5 * HOUR) } });
    assert.deepEqual(p1.Shards?.map((s) => s.ShardId), [id(1), id(2)]);
    assert.ok(p1.NextToken);
    const p2 = await k.call('ListShards', { NextToken: p1.NextToken, MaxResults: 1 });
    assert.deepEqual(p2.Shards?.map((s) => s.ShardId), [id(3)]);
    const p3 = await k.call('ListShards', { NextToken: p2.NextToken });
    assert.deepEqual(p3.Shards?.map((s) => s.ShardId), [id(4)]);
    assert.equal(p3.NextToken, undefined);
    for (const [name, extra] of [
      ['StreamName', { StreamName: 'ls' }],
      ['StreamARN', { StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/ls' }],
      ['ExclusiveStartShardId', { ExclusiveStartShardId: id(1) }],
      ['ShardFilter', { ShardFilter: { Type: 'AT_LATEST' as const } }],
      ['StreamCreationTimestamp', { StreamCreationTimestamp: new Date(t0) }],
    ] as const) {
      await rejects(k.call('ListShards', { NextToken: p1.NextToken, ...extra }), 'InvalidArgumentException', new RegExp(`NextToken and ${name} cannot be provided together`));
    }
    await rejects(k.call('ListShards', { NextToken: 'not-a-token' }), 'InvalidArgumentException');
    const now = k.clock.now();
    k.clock.advance(300_001);
    try {
      await rejects(k.call('ListShards', { NextToken: p1.NextToken }), 'ExpiredNextTokenException');
    } finally {
      k.clock.set(now);
    }
  });

  void it('checks StreamCreationTimestamp', async () => {
    assert.equal((await ids({ StreamCreationTimestamp: new Date(t0 + 500) })).length, 5);
    await rejects(k.call('ListShards', { StreamName: 'ls', StreamCreationTimestamp: new Date(t0 - 5000) }), 'ResourceNotFoundException');
  });

  void it('drops closed shards once their records expire, and the trim horizon moves', async () => {
    k.clock.set(t0 + HOUR + DELAY_MS + 24 * HOUR);
    assert.deepEqual(await ids({}), [id(1), id(2), id(3), id(4)]);
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_TRIM_HORIZON' } }), [id(1), id(2), id(3)]);
    k.clock.set(t0 + 2 * HOUR + 24 * HOUR);
    assert.deepEqual(await ids({ ShardFilter: { Type: 'AT_TRIM_HORIZON' } }), [id(1), id(4)]);
    assert.deepEqual(await ids({}), [id(1), id(4)]);
  });
});
