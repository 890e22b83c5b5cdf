import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TestKinesis } from './env.js';
import { testKinesis } from './env.js';

/** Feed the usage meter as the data plane would: `bytesPerSecond` and `recordsPerSecond` for `seconds`. */
function load(k: TestKinesis, uid: string, shardId: string, seconds: number, bytesPerSecond: number, recordsPerSecond: number): void {
  for (let i = 0; i < seconds; i++) {
    k.env.usage.recordWrite(uid, shardId, bytesPerSecond, recordsPerSecond, k.clock.now());
    k.clock.advance(1000);
  }
}

void describe('on-demand scaling', () => {
  let k: TestKinesis;
  let uid: string;
  beforeEach(async () => {
    k = await testKinesis({ onDemandMaxShards: 6 });
    await k.call('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    await k.settle();
    uid = (await k.env.streams.resolve(k.ctx, { StreamName: 'od' })).value.uid;
  });
  afterEach(async () => {
    await k.close();
  });

  const openShards = async (): Promise<Array<{ id: string; parent?: string; lo: bigint; hi: bigint }>> =>
    ((await k.call('ListShards', { StreamName: 'od', ShardFilter: { Type: 'AT_LATEST' } })).Shards ?? []).map((s) => ({
      id: s.ShardId,
      parent: s.ParentShardId,
      lo: BigInt(s.HashKeyRange.StartingHashKey),
      hi: BigInt(s.HashKeyRange.EndingHashKey),
    }));

  void it('splits a shard that sustains more than half its write capacity, at the middle of its range', async () => {
    load(k, uid, 'shardId-000000000001', 60, 600 * 1024, 100);
    await k.background.tick();
    const open = await openShards();
    assert.equal(open.length, 5);
    const children = open.filter((s) => s.parent === 'shardId-000000000001');
    assert.deepEqual(children.map((c) => c.id), ['shardId-000000000004', 'shardId-000000000005']);
    const whole = (1n << 128n) / 4n;
    assert.equal(children[0].lo, whole);
    assert.equal(children[0].hi, whole + whole / 2n - 1n);
    assert.equal(children[1].lo, whole + whole / 2n);
    assert.equal(children[1].hi, 2n * whole - 1n);
    // The stream stays ACTIVE while it scales.
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 'od' })).StreamDescriptionSummary.StreamStatus, 'ACTIVE');
    // The parent's log is sealed.
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 'od' })).value;
    assert.equal((await k.env.streams.shardLog(stream, 'shardId-000000000001')).isSealed(), true);
  });

  void it('counts records per second too, ignores loads under half the capacity, and stops at the on-demand maximum', async () => {
    load(k, uid, 'shardId-000000000000', 60, 400 * 1024, 400);
    await k.background.tick();
    assert.equal((await openShards()).length, 4);
    load(k, uid, 'shardId-000000000000', 60, 1024, 600);
    await k.background.tick();
    assert.equal((await openShards()).length, 5);
    // Two hot shards at once, but only one more shard is allowed (onDemandMaxShards 6).
    for (let i = 0; i < 60; i++) {
      for (const id of ['shardId-000000000002', 'shardId-000000000003']) k.env.usage.recordWrite(uid, id, 900 * 1024, 10, k.clock.now());
      k.clock.advance(1000);
    }
    await k.background.tick();
    assert.equal((await openShards()).length, 6);
  });

  void it('does not scale provisioned streams', async () => {
    await k.call('CreateStream', { StreamName: 'prov', ShardCount: 1 });
    await k.settle();
    const pUid = (await k.env.streams.resolve(k.ctx, { StreamName: 'prov' })).value.uid;
    load(k, pUid, 'shardId-000000000000', 60, 1024 * 1024, 1000);
    await k.background.tick();
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 'prov' })).StreamDescriptionSummary.OpenShardCount, 1);
  });
});
