/**
 * Every remaining control-plane operation once through @aws-sdk/client-kinesis (outputs as the SDK
 * deserializes them, and typed errors), on a server whose state delays are 0 (each change is
 * ACTIVE again by the next call).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DeleteResourcePolicyCommand,
  DescribeAccountSettingsCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  GetResourcePolicyCommand,
  InvalidArgumentException,
  LimitExceededException,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  PutResourcePolicyCommand,
  RemoveTagsFromStreamCommand,
  ResourceNotFoundException,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccountSettingsCommand,
  UpdateMaxRecordSizeCommand,
  UpdateStreamModeCommand,
  UpdateStreamRecordDistributionStrategyCommand,
  UpdateStreamWarmThroughputCommand,
  ValidationException,
} from '@aws-sdk/client-kinesis';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/ops';

void describe('every control-plane operation through the SDK', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, updateStreamMs: 0, deleteStreamMs: 0 });
    kinesis = server.kinesis({ http1: true });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'ops', ShardCount: 1 }));
  });
  after(async () => {
    await server.stop();
  });

  void it('tags: stream and resource operations', async () => {
    await kinesis.send(new AddTagsToStreamCommand({ StreamARN: ARN, Tags: { a: '1', b: '2' } }));
    await kinesis.send(new TagResourceCommand({ ResourceARN: ARN, Tags: { c: '3' } }));
    await kinesis.send(new UntagResourceCommand({ ResourceARN: ARN, TagKeys: ['a'] }));
    await kinesis.send(new RemoveTagsFromStreamCommand({ StreamARN: ARN, TagKeys: ['b'] }));
    assert.deepEqual((await kinesis.send(new ListTagsForResourceCommand({ ResourceARN: ARN }))).Tags, [{ Key: 'c', Value: '3' }]);
    const page = await kinesis.send(new ListTagsForStreamCommand({ StreamName: 'ops', Limit: 1 }));
    assert.deepEqual([page.Tags, page.HasMoreTags], [[{ Key: 'c', Value: '3' }], false]);
    await assert.rejects(kinesis.send(new TagResourceCommand({ ResourceARN: ARN, Tags: { 'aws:x': '1' } })), InvalidArgumentException);
    await assert.rejects(
      kinesis.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/none' })),
      ResourceNotFoundException,
    );
  });

  void it('resource policies', async () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    await kinesis.send(new PutResourcePolicyCommand({ ResourceARN: ARN, Policy: policy }));
    assert.equal((await kinesis.send(new GetResourcePolicyCommand({ ResourceARN: ARN }))).Policy, policy);
    await kinesis.send(new DeleteResourcePolicyCommand({ ResourceARN: ARN }));
    await assert.rejects(kinesis.send(new DeleteResourcePolicyCommand({ ResourceARN: ARN })), ResourceNotFoundException);
  });

  void it('encryption, monitoring and record size', async () => {
    await kinesis.send(new StartStreamEncryptionCommand({ StreamARN: ARN, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    let s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: ARN }))).StreamDescriptionSummary;
    assert.deepEqual([s?.EncryptionType, s?.KeyId], ['KMS', 'alias/aws/kinesis']);
    await kinesis.send(new StopStreamEncryptionCommand({ StreamARN: ARN, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    const on = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamARN: ARN, ShardLevelMetrics: ['IncomingRecords'] }));
    assert.deepEqual([on.StreamName, on.StreamARN, on.CurrentShardLevelMetrics, on.DesiredShardLevelMetrics], ['ops', ARN, [], ['IncomingRecords']]);
    const off = await kinesis.send(new DisableEnhancedMonitoringCommand({ StreamARN: ARN, ShardLevelMetrics: ['ALL'] }));
    assert.deepEqual([off.CurrentShardLevelMetrics, off.DesiredShardLevelMetrics], [['IncomingRecords'], []]);
    await kinesis.send(new UpdateMaxRecordSizeCommand({ StreamARN: ARN, MaxRecordSizeInKiB: 10240 }));
    await assert.rejects(kinesis.send(new UpdateMaxRecordSizeCommand({ StreamARN: ARN, MaxRecordSizeInKiB: 20000 })), ValidationException);
    s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: ARN }))).StreamDescriptionSummary;
    assert.deepEqual([s?.EncryptionType, s?.MaxRecordSizeInKiB, s?.EnhancedMonitoring], ['NONE', 10240, [{ ShardLevelMetrics: [] }]]);
  });

  void it('capacity mode, record distribution, warm throughput and account settings', async () => {
    await assert.rejects(
      kinesis.send(new UpdateStreamRecordDistributionStrategyCommand({ StreamARN: ARN, RecordDistributionStrategy: 'AUTO' })),
      InvalidArgumentException,
    );
    await kinesis.send(new UpdateStreamModeCommand({ StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    await kinesis.send(new UpdateStreamRecordDistributionStrategyCommand({ StreamARN: ARN, RecordDistributionStrategy: 'AUTO' }));
    assert.deepEqual((await kinesis.send(new DescribeAccountSettingsCommand({}))).MinimumThroughputBillingCommitment, { Status: 'DISABLED' });
    await assert.rejects(kinesis.send(new UpdateStreamWarmThroughputCommand({ StreamARN: ARN, WarmThroughputMiBps: 10 })), InvalidArgumentException);
    const enabled = (await kinesis.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: 'ENABLED' } })))
      .MinimumThroughputBillingCommitment;
    assert.equal(enabled?.Status, 'ENABLED');
    assert.ok(enabled?.StartedAt instanceof Date && enabled.EarliestAllowedEndAt instanceof Date);
    assert.equal((enabled.EarliestAllowedEndAt?.getTime() ?? 0) - enabled.StartedAt.getTime(), 24 * 3600 * 1000);
    const warm = await kinesis.send(new UpdateStreamWarmThroughputCommand({ StreamARN: ARN, WarmThroughputMiBps: 10 }));
    assert.deepEqual([warm.StreamName, warm.WarmThroughput], ['ops', { TargetMiBps: 10, CurrentMiBps: 0 }]);
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: ARN }))).StreamDescriptionSummary;
    assert.deepEqual([s?.StreamModeDetails?.StreamMode, s?.RecordDistributionStrategy, s?.WarmThroughput], ['ON_DEMAND', 'AUTO', { TargetMiBps: 10, CurrentMiBps: 10 }]);
    await kinesis.send(new UpdateStreamModeCommand({ StreamARN: ARN, StreamModeDetails: { StreamMode: 'PROVISIONED' } }));
    await assert.rejects(
      kinesis.send(new UpdateStreamModeCommand({ StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } })),
      LimitExceededException,
    );
  });
});
