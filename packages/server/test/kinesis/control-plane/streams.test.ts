import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MAX_HASH_KEY } from '../../../src/kinesis/hash-key.js';
import { decodeSequenceNumber } from '../../../src/kinesis/sequence-number.js';
import type { TestKinesis } from './env.js';
import { ACCOUNT, REGION, contextFor, rejects, testKinesis } from './env.js';

void describe('CreateStream / DescribeStream / DescribeStreamSummary / ListStreams / DeleteStream', () => {
  let k: TestKinesis;
  beforeEach(async () => {
    k = await testKinesis();
  });
  afterEach(async () => {
    await k.close();
  });

  void it('creates a provisioned stream CREATING, then ACTIVE after the delay, with an even hash split', async () => {
    await k.call('CreateStream', { StreamName: 's1', ShardCount: 3 });
    const creating = await k.call('DescribeStream', { StreamName: 's1' });
    assert.equal(creating.StreamDescription.StreamStatus, 'CREATING');
    assert.deepEqual(creating.StreamDescription.Shards, []);
    await k.settle();
    const d = (await k.call('DescribeStream', { StreamName: 's1' })).StreamDescription;
    assert.equal(d.StreamStatus, 'ACTIVE');
    assert.equal(d.StreamARN, `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/s1`);
    assert.equal(d.RetentionPeriodHours, 24);
    assert.equal(d.HasMoreShards, false);
    assert.equal(d.EncryptionType, 'NONE');
    assert.deepEqual(d.EnhancedMonitoring, [{ ShardLevelMetrics: [] }]);
    assert.deepEqual(d.StreamModeDetails, { StreamMode: 'PROVISIONED' });
    assert.equal(d.StreamCreationTimestamp.getTime(), Date.UTC(2026, 0, 1));
    assert.deepEqual(
      d.Shards.map((s) => s.ShardId),
      ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'],
    );
    assert.equal(d.Shards[0].HashKeyRange.StartingHashKey, '0');
    assert.equal(d.Shards[2].HashKeyRange.EndingHashKey, MAX_HASH_KEY.toString());
    for (let i = 1; i < 3; i++) {
      assert.equal(BigInt(d.Shards[i].HashKeyRange.StartingHashKey), BigInt(d.Shards[i - 1].HashKeyRange.EndingHashKey) + 1n);
    }
    const seq = decodeSequenceNumber(d.Shards[1].SequenceNumberRange.StartingSequenceNumber);
    assert.deepEqual(seq && { i: seq.shardIndex, p: seq.position }, { i: 1, p: 0 });
    assert.equal(d.Shards[0].SequenceNumberRange.EndingSequenceNumber, undefined);
  });

  void it('answers ResourceInUseException for a duplicate name and scopes names by account and region', async () => {
    await k.call('CreateStream', { StreamName: 'dup', ShardCount: 1 });
    await rejects(k.call('CreateStream', { StreamName: 'dup', ShardCount: 1 }), 'ResourceInUseException', /already exists/);
    await k.call('CreateStream', { StreamName: 'dup', ShardCount: 1 }, contextFor('210987654321'));
    await k.call('CreateStream', { StreamName: 'dup', ShardCount: 1 }, contextFor(ACCOUNT, 'eu-west-1'));
    const other = await k.call('DescribeStreamSummary', { StreamName: 'dup' }, contextFor(ACCOUNT, 'eu-west-1'));
    assert.equal(other.StreamDescriptionSummary.StreamARN, `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/dup`);
  });

  void it('allows at most five streams CREATING at once', async () => {
    for (let i = 0; i < 5; i++) await k.call('CreateStream', { StreamName: `c${i}`, ShardCount: 1 });
    await rejects(k.call('CreateStream', { StreamName: 'c5', ShardCount: 1 }), 'LimitExceededException');
    await k.settle();
    await k.call('CreateStream', { StreamName: 'c5', ShardCount: 1 });
  });

  void it('enforces the account shard quota', async () => {
    const small = await testKinesis({ shardLimit: 4 });
    try {
      await small.call('CreateStream', { StreamName: 'a', ShardCount: 3 });
      await rejects(small.call('CreateStream', { StreamName: 'b', ShardCount: 2 }), 'LimitExceededException', /shard limit/);
      const limits = await small.call('DescribeLimits', {});
      assert.deepEqual(limits, { ShardLimit: 4, OpenShardCount: 3, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50 });
    } finally {
      await small.close();
    }
  });

  void it('requires ShardCount for provisioned streams and refuses it for on-demand ones', async () => {
    await rejects(k.call('CreateStream', { StreamName: 'x' }), 'InvalidArgumentException');
    await rejects(
      k.call('CreateStream', { StreamName: 'x', ShardCount: 2, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
      'InvalidArgumentException',
    );
    await rejects(
      k.call('CreateStream', { StreamName: 'x', ShardCount: 2, RecordDistributionStrategy: 'AUTO' }),
      'InvalidArgumentException',
    );
  });

  void it('creates on-demand streams with 4 shards and reports them in the summary and limits', async () => {
    await k.call('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, MaxRecordSizeInKiB: 2048 });
    await k.settle();
    const s = (await k.call('DescribeStreamSummary', { StreamName: 'od' })).StreamDescriptionSummary;
    assert.equal(s.OpenShardCount, 4);
    assert.deepEqual(s.StreamModeDetails, { StreamMode: 'ON_DEMAND' });
    assert.equal(s.MaxRecordSizeInKiB, 2048);
    assert.equal(s.ConsumerCount, 0);
    assert.equal(s.RecordDistributionStrategy, 'USER_PARTITION_KEY');
    const limits = await k.call('DescribeLimits', {});
    assert.equal(limits.OnDemandStreamCount, 1);
    assert.equal(limits.OpenShardCount, 4);
  });

  void it('enforces the on-demand stream quota', async () => {
    const small = await testKinesis({ onDemandStreamLimit: 1 });
    try {
      await small.call('CreateStream', { StreamName: 'a', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
      await rejects(small.call('CreateStream', { StreamName: 'b', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }), 'LimitExceededException');
    } finally {
      await small.close();
    }
  });

  void it('resolves by ARN, rejects a name/ARN mismatch and unknown streams', async () => {
    await k.call('CreateStream', { StreamName: 'byarn', ShardCount: 1 });
    const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/byarn`;
    const d = await k.call('DescribeStreamSummary', { StreamARN: arn });
    assert.equal(d.StreamDescriptionSummary.StreamName, 'byarn');
    await rejects(k.call('DescribeStreamSummary', { StreamARN: arn, StreamName: 'other' }), 'InvalidArgumentException');
    await rejects(k.call('DescribeStreamSummary', {}), 'InvalidArgumentException');
    await rejects(
      k.call('DescribeStream', { StreamName: 'nope' }),
      'ResourceNotFoundException',
      new RegExp(`Stream nope under account ${ACCOUNT} not found`),
    );
  });

  void it('pages DescribeStream with Limit and ExclusiveStartShardId', async () => {
    await k.call('CreateStream', { StreamName: 'p', ShardCount: 5 });
    await k.settle();
    const first = (await k.call('DescribeStream', { StreamName: 'p', Limit: 2 })).StreamDescription;
    assert.deepEqual(first.Shards.map((s) => s.ShardId), ['shardId-000000000000', 'shardId-000000000001']);
    assert.equal(first.HasMoreShards, true);
    const rest = (await k.call('DescribeStream', { StreamName: 'p', ExclusiveStartShardId: 'shardId-000000000001' })).StreamDescription;
    assert.equal(rest.Shards.length, 3);
    assert.equal(rest.HasMoreShards, false);
  });

  void it('lists streams with Limit, ExclusiveStartStreamName, NextToken and summaries', async () => {
    for (const n of ['b', 'a', 'd', 'c']) await k.call('CreateStream', { StreamName: n, ShardCount: 1 });
    await k.settle();
    const p1 = await k.call('ListStreams', { Limit: 3 });
    assert.deepEqual(p1.StreamNames, ['a', 'b', 'c']);
    assert.equal(p1.HasMoreStreams, true);
    assert.ok(p1.NextToken);
    assert.equal(p1.StreamSummaries?.[0].StreamARN, `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/a`);
    assert.equal(p1.StreamSummaries?.[0].StreamStatus, 'ACTIVE');
    const p2 = await k.call('ListStreams', { NextToken: p1.NextToken });
    assert.deepEqual(p2.StreamNames, ['d']);
    assert.equal(p2.HasMoreStreams, false);
    assert.equal(p2.NextToken, undefined);
    const after = await k.call('ListStreams', { ExclusiveStartStreamName: 'b' });
    assert.deepEqual(after.StreamNames, ['c', 'd']);
    k.clock.advance(301_000);
    await rejects(k.call('ListStreams', { NextToken: p1.NextToken }), 'ExpiredNextTokenException');
    await rejects(k.call('ListStreams', { NextToken: 'garbage' }), 'InvalidArgumentException');
    const otherAccount = await k.call('ListStreams', {}, contextFor('210987654321'));
    assert.deepEqual(otherAccount.StreamNames, []);
  });

  void it('deletes: DELETING, then gone (without reads), logs destroyed; refuses while CREATING', async () => {
    await k.call('CreateStream', { StreamName: 'del', ShardCount: 2 });
    await rejects(k.call('DeleteStream', { StreamName: 'del' }), 'ResourceInUseException', /CREATING/);
    await k.settle();
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 'del' })).value;
    const log = await k.env.streams.shardLog(stream, 'shardId-000000000000');
    await log.append([{ partitionKey: 'p', data: new Uint8Array([1]) }]);
    assert.ok((await k.storage.logs.list()).includes(`${stream.uid}/shardId-000000000000`));
    await k.call('DeleteStream', { StreamName: 'del' });
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 'del' })).StreamDescriptionSummary.StreamStatus, 'DELETING');
    assert.deepEqual((await k.call('ListStreams', {})).StreamNames, ['del']);
    await k.settle();
    assert.deepEqual(await k.storage.logs.list(), []);
    assert.equal(await k.storage.metadata.get(`kinesis/stream/${ACCOUNT}/${REGION}/del`), undefined);
    await rejects(k.call('DescribeStream', { StreamName: 'del' }), 'ResourceNotFoundException');
    await rejects(k.call('DeleteStream', { StreamName: 'del' }), 'ResourceNotFoundException');
    // The name can be reused, with fresh shards.
    await k.call('CreateStream', { StreamName: 'del', ShardCount: 1 });
  });

  void it('refuses DeleteStream with registered consumers unless EnforceConsumerDeletion', async () => {
    await k.call('CreateStream', { StreamName: 'cons', ShardCount: 1 });
    await k.settle();
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 'cons' })).value;
    const consumerArn = `${stream.arn}/consumer/app:1767225600`;
    await k.storage.metadata.commit([
      {
        type: 'put',
        key: `kinesis/consumer/${stream.uid}/app`,
        value: { streamUid: stream.uid, streamArn: stream.arn, name: 'app', arn: consumerArn, status: 'ACTIVE', createdMs: k.clock.now(), tags: {} },
      },
    ]);
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 'cons' })).StreamDescriptionSummary.ConsumerCount, 1);
    await rejects(k.call('DeleteStream', { StreamName: 'cons' }), 'ResourceInUseException', /consumers/);
    await k.call('DeleteStream', { StreamName: 'cons', EnforceConsumerDeletion: true });
    await k.settle();
    assert.deepEqual(await k.storage.metadata.list(`kinesis/consumer/${stream.uid}/`), []);
  });
});
