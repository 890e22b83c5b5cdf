/**
 * The control plane through @aws-sdk/client-kinesis against a real in-process server (HTTP/2, as the
 * SDK speaks by default): outputs, documented errors, and the SDK waiters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  LimitExceededException,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SplitShardCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from '@aws-sdk/client-kinesis';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

const WAIT = { maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 };

void describe('control plane through @aws-sdk/client-kinesis', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startTestServer({ createStreamMs: 400, updateStreamMs: 400, deleteStreamMs: 400 });
    kinesis = server.kinesis();
  });
  after(async () => {
    await server.stop();
  });

  void it('creates a stream, waits for it, and describes it', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'sdk-a', ShardCount: 2, Tags: { env: 'test' } }));
    const creating = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'sdk-a' }));
    assert.equal(creating.StreamDescriptionSummary?.StreamStatus, 'CREATING');
    const waited = await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-a' });
    assert.equal(waited.state, 'SUCCESS');
    const d = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'sdk-a' }))).StreamDescription;
    assert.ok(d);
    assert.equal(d.StreamStatus, 'ACTIVE');
    assert.equal(d.StreamARN, 'arn:aws:kinesis:us-east-1:000000000000:stream/sdk-a');
    assert.ok(d.StreamCreationTimestamp instanceof Date);
    assert.ok(Math.abs(d.StreamCreationTimestamp.getTime() - Date.now()) < 60_000);
    assert.equal(d.Shards?.length, 2);
    assert.equal(d.HasMoreShards, false);
    assert.deepEqual(d.StreamModeDetails, { StreamMode: 'PROVISIONED' });
    const tags = await kinesis.send(new ListTagsForStreamCommand({ StreamName: 'sdk-a' }));
    assert.deepEqual(tags.Tags, [{ Key: 'env', Value: 'test' }]);
    const streams = await kinesis.send(new ListStreamsCommand({}));
    assert.ok(streams.StreamNames?.includes('sdk-a'));
    assert.equal(streams.StreamSummaries?.find((s) => s.StreamName === 'sdk-a')?.StreamStatus, 'ACTIVE');
  });

  void it('answers typed errors', async () => {
    await assert.rejects(kinesis.send(new DescribeStreamCommand({ StreamName: 'missing' })), ResourceNotFoundException);
    await assert.rejects(kinesis.send(new CreateStreamCommand({ StreamName: 'sdk-a', ShardCount: 1 })), ResourceInUseException);
    await assert.rejects(kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'sdk-a', RetentionPeriodHours: 9000 })), InvalidArgumentException);
    await assert.rejects(
      kinesis.send(new UpdateShardCountCommand({ StreamName: 'sdk-a', TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })),
      LimitExceededException,
    );
    await assert.rejects(kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'sdk-a', RetentionPeriodHours: 48 })), InvalidArgumentException);
    const list = await kinesis.send(new ListShardsCommand({ StreamName: 'sdk-a', MaxResults: 1 }));
    assert.ok(list.NextToken);
    await assert.rejects(
      kinesis.send(new ListShardsCommand({ StreamName: 'sdk-a', NextToken: list.NextToken })),
      (err: unknown) => err instanceof InvalidArgumentException && /NextToken and StreamName cannot be provided together/.test(err.message),
    );
  });

  void it('reshards: split, merge, update shard count, with ResourceInUseException while UPDATING', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'sdk-r', ShardCount: 2 }));
    await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-r' });
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: 'sdk-r' }))).Shards ?? [];
    const s0 = shards[0];
    const mid = (BigInt(s0.HashKeyRange?.StartingHashKey ?? '0') + BigInt(s0.HashKeyRange?.EndingHashKey ?? '0')) / 2n;
    await kinesis.send(new SplitShardCommand({ StreamName: 'sdk-r', ShardToSplit: s0.ShardId, NewStartingHashKey: mid.toString() }));
    await assert.rejects(
      kinesis.send(new MergeShardsCommand({ StreamName: 'sdk-r', ShardToMerge: 'shardId-000000000002', AdjacentShardToMerge: 'shardId-000000000003' })),
      ResourceInUseException,
    );
    await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-r' });
    await kinesis.send(new MergeShardsCommand({ StreamName: 'sdk-r', ShardToMerge: 'shardId-000000000002', AdjacentShardToMerge: 'shardId-000000000003' }));
    await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-r' });
    const out = await kinesis.send(new UpdateShardCountCommand({ StreamName: 'sdk-r', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    assert.equal(out.CurrentShardCount, 2);
    assert.equal(out.TargetShardCount, 4);
    await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-r' });
    const latest = (await kinesis.send(new ListShardsCommand({ StreamName: 'sdk-r', ShardFilter: { Type: 'AT_LATEST' } }))).Shards ?? [];
    assert.equal(latest.length, 4);
    const all = (await kinesis.send(new ListShardsCommand({ StreamName: 'sdk-r' }))).Shards ?? [];
    const merged = all.find((s) => s.ShardId === 'shardId-000000000004');
    assert.equal(merged?.ParentShardId, 'shardId-000000000002');
    assert.equal(merged?.AdjacentParentShardId, 'shardId-000000000003');
    assert.ok(merged?.SequenceNumberRange?.EndingSequenceNumber);
  });

  void it('settings and limits', async () => {
    const m = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'sdk-a', ShardLevelMetrics: ['ALL'] }));
    assert.equal(m.DesiredShardLevelMetrics?.length, 7);
    await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-a' });
    await kinesis.send(new AddTagsToStreamCommand({ StreamName: 'sdk-a', Tags: { b: '1' } }));
    const limits = await kinesis.send(new DescribeLimitsCommand({}));
    assert.equal(limits.ShardLimit, 20000);
    assert.ok((limits.OpenShardCount ?? 0) >= 6);
    assert.equal(limits.OnDemandStreamCountLimit, 50);
  });

  void it('at most five streams CREATING → LimitExceededException', async () => {
    const slow = await startTestServer({ createStreamMs: 60_000 });
    try {
      const c = slow.kinesis();
      for (let i = 0; i < 5; i++) await c.send(new CreateStreamCommand({ StreamName: `slow${i}`, ShardCount: 1 }));
      await assert.rejects(c.send(new CreateStreamCommand({ StreamName: 'slow5', ShardCount: 1 })), LimitExceededException);
    } finally {
      await slow.stop();
    }
  });

  void it('deletes a stream and waits for it to be gone', async () => {
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'sdk-a' }));
    const waited = await waitUntilStreamNotExists({ client: kinesis, ...WAIT }, { StreamName: 'sdk-a' });
    assert.equal(waited.state, 'SUCCESS');
    const streams = await kinesis.send(new ListStreamsCommand({}));
    assert.ok(!streams.StreamNames?.includes('sdk-a'));
  });
});
