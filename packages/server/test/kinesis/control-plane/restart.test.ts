/**
 * Everything the control plane keeps survives a restart of a persistent (embedded storage) server:
 * streams, shards and lineage, tags, settings, policies, account settings, and the limits' counters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  DescribeAccountSettingsCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  GetResourcePolicyCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListShardsCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutResourcePolicyCommand,
  SplitShardCommand,
  StartStreamEncryptionCommand,
  UpdateAccountSettingsCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

const WAIT = { maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 };

void describe('control plane state across a restart', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ persistent: true, createStreamMs: 100, updateStreamMs: 100, deleteStreamMs: 100 });
  });
  after(async () => {
    await server.stop();
  });

  void it('streams, shards, tags, settings and policies are identical after restart()', async () => {
    let kinesis: KinesisClient = server.kinesis();
    const ready = (name: string): Promise<unknown> => waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: name });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'keep', ShardCount: 2, Tags: { a: '1', b: '2' } }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    await ready('keep');
    await ready('od');
    await kinesis.send(new PutRecordCommand({ StreamName: 'keep', PartitionKey: 'p', Data: new Uint8Array([1, 2, 3]), ExplicitHashKey: '0' }));
    await kinesis.send(new SplitShardCommand({ StreamName: 'keep', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '1000' }));
    await ready('keep');
    await kinesis.send(new UpdateShardCountCommand({ StreamName: 'keep', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
    await ready('keep');
    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'keep', RetentionPeriodHours: 48 }));
    await ready('keep');
    await kinesis.send(new StartStreamEncryptionCommand({ StreamName: 'keep', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    await ready('keep');
    await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'keep', ShardLevelMetrics: ['IncomingBytes'] }));
    await ready('keep');
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/keep';
    await kinesis.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: '{"Version":"2012-10-17","Statement":[]}' }));
    await kinesis.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: 'ENABLED' } }));

    const strip = ({ $metadata: _m, ...rest }: { $metadata: unknown }): unknown => rest;
    const snapshot = async (): Promise<unknown[]> => [
      strip(await kinesis.send(new ListStreamsCommand({}))),
      strip(await kinesis.send(new DescribeStreamCommand({ StreamName: 'keep' }))),
      strip(await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'keep' }))),
      strip(await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }))),
      strip(await kinesis.send(new ListShardsCommand({ StreamName: 'keep' }))),
      strip(await kinesis.send(new ListTagsForStreamCommand({ StreamName: 'keep' }))),
      strip(await kinesis.send(new GetResourcePolicyCommand({ ResourceARN: arn }))),
      strip(await kinesis.send(new DescribeAccountSettingsCommand({}))),
      strip(await kinesis.send(new DescribeLimitsCommand({}))),
    ];
    const before = await snapshot();
    assert.equal((before[4] as { Shards: unknown[] }).Shards.length, 5);
    await server.restart();
    kinesis = server.kinesis();
    const afterRestart = await snapshot();
    assert.deepEqual(afterRestart, before);
    // The UpdateShardCount counter survived too: nine more calls reach the rolling limit of ten.
    for (let i = 0; i < 9; i++) {
      await kinesis.send(new UpdateShardCountCommand({ StreamName: 'keep', TargetShardCount: i % 2 === 0 ? 3 : 2, ScalingType: 'UNIFORM_SCALING' }));
      await waitUntilStreamExists({ client: kinesis, ...WAIT }, { StreamName: 'keep' });
    }
    await assert.rejects(
      kinesis.send(new UpdateShardCountCommand({ StreamName: 'keep', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' })),
      (err: unknown) => err instanceof Error && err.name === 'LimitExceededException',
    );
  });
});
