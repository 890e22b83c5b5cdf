import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Shard } from '../../../src/model/generated/kinesis-types.js';
import { MAX_HASH_KEY, evenHashRanges } from '../../../src/kinesis/hash-key.js';
import { compareSequenceNumbers, decodeSequenceNumber, encodeSequenceNumber } from '../../../src/kinesis/sequence-number.js';
import type { TestKinesis } from './env.js';
import { DELAY_MS, rejects, testKinesis } from './env.js';

/** Every listed shard, following NextToken. */
async function shards(k: TestKinesis, stream: string): Promise<Shard[]> {
  let page = await k.call('ListShards', { StreamName: stream });
  const out = [...(page.Shards ?? [])];
  while (page.NextToken !== undefined) {
    page = await k.call('ListShards', { NextToken: page.NextToken });
    out.push(...(page.Shards ?? []));
  }
  return out;
}

function open(list: Shard[]): Shard[] {
  return list
    .filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined)
    .sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
}

/** Open shards are `target` ranges of equal width (within 0.1 %). */
function assertEven(list: Shard[], target: number): void {
  const o = open(list);
  assert.equal(o.length, target);
  const ideal = (MAX_HASH_KEY + 1n) / BigInt(target);
  for (const s of o) {
    const width = BigInt(s.HashKeyRange.EndingHashKey) - BigInt(s.HashKeyRange.StartingHashKey) + 1n;
    const diff = width > ideal ? width - ideal : ideal - width;
    assert.ok(diff * 1000n <= ideal, `${s.ShardId} width ${width} vs ${ideal}`);
  }
  assertCovers(list);
}

/** Open shards cover the whole hash space without gaps or overlaps. */
function assertCovers(list: Shard[]): void {
  const o = open(list);
  assert.equal(o[0].HashKeyRange.StartingHashKey, '0');
  assert.equal(o[o.length - 1].HashKeyRange.EndingHashKey, MAX_HASH_KEY.toString());
  for (let i = 1; i < o.length; i++) {
    assert.equal(BigInt(o[i].HashKeyRange.StartingHashKey), BigInt(o[i - 1].HashKeyRange.EndingHashKey) + 1n);
  }
}

async function appendTo(k: TestKinesis, stream: string, shardId: string, n: number): Promise<void> {
  const s = (await k.env.streams.resolve(k.ctx, { StreamName: stream })).value;
  const log = await k.env.streams.shardLog(s, shardId);
  await log.append(Array.from({ length: n }, (_, i) => ({ partitionKey: `k${i}`, data: new Uint8Array([i]) })));
}

void describe('SplitShard / MergeShards / UpdateShardCount', () => {
  let k: TestKinesis;
  beforeEach(async () => {
    k = await testKinesis();
    await k.call('CreateStream', { StreamName: 's', ShardCount: 2 });
    await k.settle();
  });
  afterEach(async () => {
    await k.close();
  });

  void it('splits: parent closed with an EndingSequenceNumber covering its records, children with parents and ranges', async () => {
    await appendTo(k, 's', 'shardId-000000000000', 3);
    const before = await shards(k, 's');
    const parent = before[0];
    const lo = BigInt(parent.HashKeyRange.StartingHashKey);
    const hi = BigInt(parent.HashKeyRange.EndingHashKey);
    const mid = (lo + hi) / 2n;
    await k.call('SplitShard', { StreamName: 's', ShardToSplit: parent.ShardId, NewStartingHashKey: mid.toString() });
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary.StreamStatus, 'UPDATING');
    // One reshard at a time.
    await rejects(
      k.call('SplitShard', { StreamName: 's', ShardToSplit: 'shardId-000000000001', NewStartingHashKey: (MAX_HASH_KEY - 10n).toString() }),
      'ResourceInUseException',
      /UPDATING/,
    );
    await k.settle();
    const after = await shards(k, 's');
    assert.deepEqual(after.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003']);
    const closed = after[0];
    const ending = closed.SequenceNumberRange.EndingSequenceNumber;
    assert.ok(ending);
    assert.equal(ending, encodeSequenceNumber(0, 2, decodeSequenceNumber(ending)?.salt ?? -1));
    const [a, b] = [after[2], after[3]];
    assert.equal(a.ParentShardId, 'shardId-000000000000');
    assert.equal(b.ParentShardId, 'shardId-000000000000');
    assert.equal(a.AdjacentParentShardId, undefined);
    assert.deepEqual(a.HashKeyRange, { StartingHashKey: lo.toString(), EndingHashKey: (mid - 1n).toString() });
    assert.deepEqual(b.HashKeyRange, { StartingHashKey: mid.toString(), EndingHashKey: hi.toString() });
    assert.ok(compareSequenceNumbers(a.SequenceNumberRange.StartingSequenceNumber, ending) > 0);
    assertCovers(after);
    // The parent's log is sealed and keeps its records.
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 's' })).value;
    const log = await k.env.streams.shardLog(stream, 'shardId-000000000000');
    assert.equal(log.isSealed(), true);
    assert.equal((await log.read(0, { maxRecords: 10, maxBytes: 1 << 20 })).records.length, 3);
    assert.equal(stream.nextShardIndex, 4);
  });

  void it('validates SplitShard arguments', async () => {
    const [s0] = await shards(k, 's');
    const lo = BigInt(s0.HashKeyRange.StartingHashKey);
    const hi = BigInt(s0.HashKeyRange.EndingHashKey);
    for (const key of [lo, lo + 1n, hi, hi + 5n]) {
      await rejects(
        k.call('SplitShard', { StreamName: 's', ShardToSplit: s0.ShardId, NewStartingHashKey: key.toString() }),
        'InvalidArgumentException',
        /NewStartingHashKey/,
      );
    }
    await rejects(k.call('SplitShard', { StreamName: 's', ShardToSplit: 'shardId-000000000009', NewStartingHashKey: '5' }), 'ResourceNotFoundException');
    await k.call('SplitShard', { StreamName: 's', ShardToSplit: s0.ShardId, NewStartingHashKey: (lo + 2n).toString() });
    await k.settle();
    await rejects(
      k.call('SplitShard', { StreamName: 's', ShardToSplit: s0.ShardId, NewStartingHashKey: (lo + 100n).toString() }),
      'InvalidArgumentException',
      /already been merged or split/,
    );
  });

  void it('merges adjacent open shards only', async () => {
    await k.call('CreateStream', { StreamName: 'm', ShardCount: 3 });
    await k.settle();
    await rejects(
      k.call('MergeShards', { StreamName: 'm', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000002' }),
      'InvalidArgumentException',
      /not an adjacent pair/,
    );
    await rejects(
      k.call('MergeShards', { StreamName: 'm', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000000' }),
      'InvalidArgumentException',
    );
    await rejects(
      k.call('MergeShards', { StreamName: 'm', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000007' }),
      'ResourceNotFoundException',
    );
    await k.call('MergeShards', { StreamName: 'm', ShardToMerge: 'shardId-000000000002', AdjacentShardToMerge: 'shardId-000000000001' });
    await k.settle();
    const list = await shards(k, 'm');
    const child = list.find((s) => s.ShardId === 'shardId-000000000003');
    assert.ok(child);
    assert.equal(child.ParentShardId, 'shardId-000000000002');
    assert.equal(child.AdjacentParentShardId, 'shardId-000000000001');
    assert.equal(child.HashKeyRange.StartingHashKey, list[1].HashKeyRange.StartingHashKey);
    assert.equal(child.HashKeyRange.EndingHashKey, MAX_HASH_KEY.toString());
    assert.equal(open(list).length, 2);
    assertCovers(list);
    await rejects(
      k.call('MergeShards', { StreamName: 'm', ShardToMerge: 'shardId-000000000001', AdjacentShardToMerge: 'shardId-000000000000' }),
      'InvalidArgumentException',
      /already been merged or split/,
    );
  });

  void it('UpdateShardCount doubles, halves and reaches uneven targets with an even split and exact lineage', async () => {
    const out = await k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' });
    assert.deepEqual(out, { StreamName: 's', StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/s', CurrentShardCount: 2, TargetShardCount: 4 });
    await k.settle();
    let list = await shards(k, 's');
    assert.deepEqual(
      open(list).map((s) => [s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey]),
      evenHashRanges(4).map(([a, b]) => [a.toString(), b.toString()]),
    );
    // Doubling is one split per shard: four children, each with a single parent, no short-lived shards.
    assert.equal(list.length, 6);
    for (const s of open(list)) {
      assert.ok(['shardId-000000000000', 'shardId-000000000001'].includes(s.ParentShardId ?? ''));
      assert.equal(s.AdjacentParentShardId, undefined);
    }
    // Halving is one merge per adjacent pair.
    await k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' });
    await k.settle();
    list = await shards(k, 's');
    assert.equal(list.length, 8);
    assert.deepEqual(
      open(list).map((s) => [s.ParentShardId, s.AdjacentParentShardId]),
      [
        ['shardId-000000000002', 'shardId-000000000003'],
        ['shardId-000000000004', 'shardId-000000000005'],
      ],
    );
    for (const target of [3, 5, 8, 4, 2]) {
      await k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' });
      await k.settle();
      list = await shards(k, 's');
      assertEven(list, target);
      // Every listed shard's parents are listed, closed shards.
      const byId = new Map(list.map((s) => [s.ShardId, s]));
      for (const s of list) {
        for (const p of [s.ParentShardId, s.AdjacentParentShardId]) {
          if (p === undefined) continue;
          const parent = byId.get(p);
          assert.ok(parent, `parent ${p} of ${s.ShardId}`);
          assert.ok(parent.SequenceNumberRange.EndingSequenceNumber !== undefined);
        }
      }
    }
    // Shard ids only increase.
    const ids = list.map((s) => Number(s.ShardId.slice(8)));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  });

  void it('UpdateShardCount on a large stream doubles with one split per shard', async () => {
    await k.call('CreateStream', { StreamName: 'big', ShardCount: 500 });
    await k.settle();
    await k.call('UpdateShardCount', { StreamName: 'big', TargetShardCount: 1000, ScalingType: 'UNIFORM_SCALING' });
    await k.settle();
    const list = await shards(k, 'big');
    assert.equal(list.length, 1500);
    assertEven(list, 1000);
    await k.call('UpdateShardCount', { StreamName: 'big', TargetShardCount: 750, ScalingType: 'UNIFORM_SCALING' });
    await k.settle();
    const after = (await k.call('ListShards', { StreamName: 'big', ShardFilter: { Type: 'AT_LATEST' } })).Shards ?? [];
    assert.equal(after.length, 750);
  });

  void it('UpdateShardCount limits: ×2, ½, 10 calls per 24 hours, shard quota, provisioned only', async () => {
    await rejects(k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' }), 'LimitExceededException', /double/);
    await k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' });
    await k.settle();
    await rejects(k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' }), 'LimitExceededException', /half/);
    for (let i = 0; i < 9; i++) {
      await k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: i % 2 === 0 ? 3 : 4, ScalingType: 'UNIFORM_SCALING' });
      await k.settle();
    }
    await rejects(k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }), 'LimitExceededException', /24 hours/);
    k.clock.advance(24 * 3600 * 1000);
    await k.call('UpdateShardCount', { StreamName: 's', TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' });

    const small = await testKinesis({ shardLimit: 2 });
    try {
      await small.call('CreateStream', { StreamName: 'q', ShardCount: 2 });
      await small.settle();
      await rejects(small.call('UpdateShardCount', { StreamName: 'q', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }), 'LimitExceededException', /shard limit/);
      await rejects(
        small.call('SplitShard', { StreamName: 'q', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }),
        'LimitExceededException',
      );
    } finally {
      await small.close();
    }
    await k.call('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    await k.settle();
    await rejects(k.call('UpdateShardCount', { StreamName: 'od', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' }), 'ValidationException');
    await rejects(k.call('SplitShard', { StreamName: 'od', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }), 'ValidationException');
  });

  void it('a closed parent stays listed until its records expire, then disappears and its log is destroyed', async () => {
    await appendTo(k, 's', 'shardId-000000000000', 1);
    await k.call('MergeShards', { StreamName: 's', ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000001' });
    await k.settle();
    assert.equal((await shards(k, 's')).length, 3);
    k.clock.advance(24 * 3600 * 1000 - DELAY_MS - 1);
    assert.equal((await shards(k, 's')).length, 3);
    k.clock.advance(1);
    assert.deepEqual((await shards(k, 's')).map((s) => s.ShardId), ['shardId-000000000002']);
    const desc = (await k.call('DescribeStream', { StreamName: 's' })).StreamDescription;
    assert.deepEqual(desc.Shards.map((s) => s.ShardId), ['shardId-000000000002']);
    assert.equal(desc.Shards[0].ParentShardId, 'shardId-000000000000');
    await k.background.tick();
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 's' })).value;
    assert.deepEqual(stream.shards.map((s) => s.shardId), ['shardId-000000000002']);
    const logs = await k.storage.logs.list();
    assert.ok(!logs.includes(`${stream.uid}/shardId-000000000000`));
    await rejects(
      k.call('SplitShard', { StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }),
      'ResourceNotFoundException',
    );
  });
});
