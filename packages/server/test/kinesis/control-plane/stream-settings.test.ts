import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TestKinesis } from './env.js';
import { ACCOUNT, REGION, rejects, testKinesis } from './env.js';

const ARN = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/s`;

void describe('stream settings, tags, policies and account operations', () => {
  let k: TestKinesis;
  beforeEach(async () => {
    k = await testKinesis();
    await k.call('CreateStream', { StreamName: 's', ShardCount: 1, Tags: { team: 'data' } });
  });
  afterEach(async () => {
    await k.close();
  });

  const status = async (): Promise<string> => (await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary.StreamStatus;

  void it('changes retention within 24–8760 hours with the Increase/Decrease rules', async () => {
    await rejects(k.call('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 48 }), 'ResourceInUseException');
    await k.settle();
    await rejects(k.call('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 8761 }), 'InvalidArgumentException', /8760/);
    await rejects(k.call('DecreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 23 }), 'InvalidArgumentException', /24/);
    await rejects(k.call('DecreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 48 }), 'InvalidArgumentException', /longer/);
    await k.call('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 168 });
    assert.equal(await status(), 'UPDATING');
    await k.settle();
    assert.equal((await k.call('DescribeStream', { StreamName: 's' })).StreamDescription.RetentionPeriodHours, 168);
    await rejects(k.call('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 100 }), 'InvalidArgumentException', /shorter/);
    await k.call('DecreaseStreamRetentionPeriod', { StreamARN: ARN, RetentionPeriodHours: 24 });
    await k.settle();
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary.RetentionPeriodHours, 24);
  });

  void it('records encryption state and key', async () => {
    await k.settle();
    await k.call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    assert.equal(await status(), 'UPDATING');
    await rejects(k.call('StopStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }), 'ResourceInUseException');
    await k.settle();
    const d = (await k.call('DescribeStream', { StreamName: 's' })).StreamDescription;
    assert.equal(d.EncryptionType, 'KMS');
    assert.equal(d.KeyId, 'alias/aws/kinesis');
    await rejects(k.call('StartStreamEncryption', { StreamName: 's', EncryptionType: 'NONE', KeyId: 'k' }), 'InvalidArgumentException');
    await k.call('StopStreamEncryption', { StreamName: 's', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    await k.settle();
    const s = (await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary;
    assert.equal(s.EncryptionType, 'NONE');
    assert.equal(s.KeyId, undefined);
  });

  void it('enables and disables enhanced monitoring with Current and Desired metrics', async () => {
    await k.settle();
    const e = await k.call('EnableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['IncomingBytes', 'OutgoingRecords'] });
    assert.deepEqual(e, { StreamName: 's', StreamARN: ARN, CurrentShardLevelMetrics: [], DesiredShardLevelMetrics: ['IncomingBytes', 'OutgoingRecords'] });
    await k.settle();
    const all = await k.call('EnableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['ALL'] });
    assert.equal(all.DesiredShardLevelMetrics?.length, 7);
    await k.settle();
    const d = await k.call('DisableEnhancedMonitoring', { StreamARN: ARN, ShardLevelMetrics: ['IncomingBytes'] });
    assert.equal(d.CurrentShardLevelMetrics?.length, 7);
    assert.equal(d.DesiredShardLevelMetrics?.length, 6);
    assert.ok(!d.DesiredShardLevelMetrics?.includes('IncomingBytes'));
    await k.settle();
    const desc = (await k.call('DescribeStream', { StreamName: 's' })).StreamDescription;
    assert.equal(desc.EnhancedMonitoring[0].ShardLevelMetrics?.length, 6);
    await k.call('DisableEnhancedMonitoring', { StreamARN: ARN, ShardLevelMetrics: ['ALL'] });
    await k.settle();
    assert.deepEqual((await k.call('DescribeStream', { StreamName: 's' })).StreamDescription.EnhancedMonitoring, [{ ShardLevelMetrics: [] }]);
  });

  void it('updates the maximum record size', async () => {
    await k.settle();
    await k.call('UpdateMaxRecordSize', { StreamARN: ARN, MaxRecordSizeInKiB: 4096 });
    assert.equal(await status(), 'UPDATING');
    await k.settle();
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary.MaxRecordSizeInKiB, 4096);
  });

  void it('tags streams: add, overwrite, list with paging, remove, 50-tag limit, character rules', async () => {
    await rejects(k.call('AddTagsToStream', { StreamName: 's', Tags: { a: '1' } }), 'ResourceInUseException');
    await k.settle();
    await k.call('AddTagsToStream', { StreamName: 's', Tags: { b: '2', a: '1', team: 'platform' } });
    assert.equal(await status(), 'ACTIVE');
    const all = await k.call('ListTagsForStream', { StreamName: 's' });
    assert.deepEqual(all, {
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
        { Key: 'team', Value: 'platform' },
      ],
      HasMoreTags: false,
    });
    const page = await k.call('ListTagsForStream', { StreamName: 's', Limit: 1, ExclusiveStartTagKey: 'a' });
    assert.deepEqual(page, { Tags: [{ Key: 'b', Value: '2' }], HasMoreTags: true });
    await k.call('RemoveTagsFromStream', { StreamName: 's', TagKeys: ['a', 'missing'] });
    assert.deepEqual((await k.call('ListTagsForResource', { ResourceARN: ARN })).Tags?.map((t) => t.Key), ['b', 'team']);
    const many: Record<string, string> = {};
    for (let i = 0; i < 48; i++) many[`k${i}`] = 'v';
    await k.call('AddTagsToStream', { StreamName: 's', Tags: many });
    await rejects(k.call('AddTagsToStream', { StreamName: 's', Tags: { one: 'more' } }), 'LimitExceededException');
    await k.call('AddTagsToStream', { StreamName: 's', Tags: { b: 'overwritten' } });
    await rejects(k.call('TagResource', { ResourceARN: ARN, Tags: { 'bad#key': 'v' } }), 'InvalidArgumentException');
    await rejects(k.call('TagResource', { ResourceARN: ARN, Tags: { 'aws:reserved': 'v' } }), 'InvalidArgumentException');
    await rejects(k.call('TagResource', { ResourceARN: ARN, Tags: { ok: 'bad*value' } }), 'InvalidArgumentException');
    await k.call('UntagResource', { ResourceARN: ARN, TagKeys: ['k0', 'k1'] });
    await k.call('TagResource', { ResourceARN: ARN, Tags: { 'Ünïcode key_.:/=+-@ 1': '' } });
    const tags = (await k.call('ListTagsForResource', { ResourceARN: ARN })).Tags ?? [];
    assert.equal(tags.length, 49);
    assert.ok(tags.some((t) => t.Key === 'Ünïcode key_.:/=+-@ 1' && t.Value === ''));
    await rejects(k.call('ListTagsForResource', { ResourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/none` }), 'ResourceNotFoundException');
  });

  void it('tags consumers by ARN', async () => {
    await k.settle();
    const stream = (await k.env.streams.resolve(k.ctx, { StreamName: 's' })).value;
    const consumerArn = `${ARN}/consumer/app:1767225600`;
    await k.storage.metadata.commit([
      {
        type: 'put',
        key: `kinesis/consumer/${stream.uid}/app`,
        value: { streamUid: stream.uid, streamArn: ARN, name: 'app', arn: consumerArn, status: 'ACTIVE', createdMs: k.clock.now(), tags: {} },
      },
    ]);
    await k.call('TagResource', { ResourceARN: consumerArn, Tags: { owner: 'me' } });
    assert.deepEqual((await k.call('ListTagsForResource', { ResourceARN: consumerArn })).Tags, [{ Key: 'owner', Value: 'me' }]);
    await k.call('UntagResource', { ResourceARN: consumerArn, TagKeys: ['owner'] });
    assert.deepEqual((await k.call('ListTagsForResource', { ResourceARN: consumerArn })).Tags, []);
    await rejects(k.call('TagResource', { ResourceARN: `${ARN}/consumer/app:1`, Tags: { a: 'b' } }), 'ResourceNotFoundException');
    // Stream tags are untouched.
    assert.deepEqual((await k.call('ListTagsForStream', { StreamName: 's' })).Tags, [{ Key: 'team', Value: 'data' }]);
  });

  void it('stores resource policies of streams', async () => {
    await k.settle();
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'kinesis:GetRecords', Resource: ARN }] });
    await rejects(k.call('DeleteResourcePolicy', { ResourceARN: ARN }), 'ResourceNotFoundException');
    await k.call('PutResourcePolicy', { ResourceARN: ARN, Policy: policy });
    assert.deepEqual(await k.call('GetResourcePolicy', { ResourceARN: ARN }), { Policy: policy });
    await rejects(k.call('PutResourcePolicy', { ResourceARN: ARN, Policy: 'not json' }), 'InvalidArgumentException');
    await k.call('DeleteResourcePolicy', { ResourceARN: ARN });
    assert.deepEqual(await k.call('GetResourcePolicy', { ResourceARN: ARN }), { Policy: '{}' });
    await rejects(k.call('GetResourcePolicy', { ResourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/none` }), 'ResourceNotFoundException');
  });

  void it('switches capacity mode at most twice per rolling 24 hours', async () => {
    await k.settle();
    await k.call('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    assert.equal(await status(), 'UPDATING');
    await k.settle();
    let s = (await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary;
    assert.deepEqual(s.StreamModeDetails, { StreamMode: 'ON_DEMAND' });
    assert.equal(s.OpenShardCount, 1);
    await rejects(k.call('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }), 'InvalidArgumentException');
    await k.call('UpdateStreamRecordDistributionStrategy', { StreamARN: ARN, RecordDistributionStrategy: 'AUTO' });
    assert.equal((await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary.RecordDistributionStrategy, 'AUTO');
    await k.call('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    await k.settle();
    s = (await k.call('DescribeStreamSummary', { StreamName: 's' })).StreamDescriptionSummary;
    assert.equal(s.RecordDistributionStrategy, undefined);
    await rejects(k.call('UpdateStreamRecordDistributionStrategy', { StreamARN: ARN, RecordDistributionStrategy: 'AUTO' }), 'InvalidArgumentException');
    await rejects(k.call('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }), 'LimitExceededException');
    k.clock.advance(24 * 3600 * 1000);
    await k.call('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
  });

  void it('account settings: billing commitment with a 24-hour minimum; warm throughput needs it', async () => {
    await k.settle();
    assert.deepEqual(await k.call('DescribeAccountSettings', {}), { MinimumThroughputBillingCommitment: { Status: 'DISABLED' } });
    await k.call('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    await k.settle();
    await rejects(k.call('UpdateStreamWarmThroughput', { StreamName: 'od', WarmThroughputMiBps: 100 }), 'InvalidArgumentException', /MinimumThroughputBillingCommitment/);
    const t = k.clock.now();
    const on = await k.call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'ENABLED' } });
    assert.deepEqual(on.MinimumThroughputBillingCommitment, { Status: 'ENABLED', StartedAt: new Date(t), EarliestAllowedEndAt: new Date(t + 24 * 3600 * 1000) });
    const w = await k.call('UpdateStreamWarmThroughput', { StreamName: 'od', WarmThroughputMiBps: 100 });
    assert.deepEqual(w, { StreamName: 'od', StreamARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/od`, WarmThroughput: { TargetMiBps: 100, CurrentMiBps: 0 } });
    await k.settle();
    assert.deepEqual((await k.call('DescribeStreamSummary', { StreamName: 'od' })).StreamDescriptionSummary.WarmThroughput, { TargetMiBps: 100, CurrentMiBps: 100 });
    await rejects(k.call('UpdateStreamWarmThroughput', { StreamName: 's', WarmThroughputMiBps: 100 }), 'InvalidArgumentException', /ON_DEMAND/);
    await rejects(k.call('UpdateStreamWarmThroughput', { StreamName: 'od', WarmThroughputMiBps: 20000 }), 'InvalidArgumentException');
    const pending = await k.call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'DISABLED' } });
    assert.equal(pending.MinimumThroughputBillingCommitment?.Status, 'ENABLED_UNTIL_EARLIEST_ALLOWED_END');
    const back = await k.call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'ENABLED' } });
    assert.equal(back.MinimumThroughputBillingCommitment?.Status, 'ENABLED');
    await k.call('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'DISABLED' } });
    k.clock.set(t + 24 * 3600 * 1000);
    const ended = await k.call('DescribeAccountSettings', {});
    assert.deepEqual(ended.MinimumThroughputBillingCommitment, {
      Status: 'DISABLED',
      StartedAt: new Date(t),
      EndedAt: new Date(t + 24 * 3600 * 1000),
      EarliestAllowedEndAt: new Date(t + 24 * 3600 * 1000),
    });
  });
});
