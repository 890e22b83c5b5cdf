import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionTarget, isReadOnlyOperation, resourceAccountOf } from '../../src/security/actions.js';

const r = { accountId: '111122223333', region: 'us-east-1' };
const STREAM = 'arn:aws:kinesis:us-east-1:111122223333:stream/orders';
const CONSUMER = `${STREAM}/consumer/app:1700000000`;

void describe('action and resource per operation', () => {
  void it('stream operations by name or ARN', async () => {
    for (const op of ['PutRecord', 'PutRecords', 'GetShardIterator', 'DescribeStream', 'DescribeStreamSummary', 'ListShards', 'SplitShard', 'MergeShards', 'UpdateShardCount', 'StartStreamEncryption', 'StopStreamEncryption', 'AddTagsToStream', 'ListTagsForStream', 'IncreaseStreamRetentionPeriod', 'DeleteStream', 'CreateStream', 'EnableEnhancedMonitoring']) {
      assert.deepEqual(await actionTarget(op, { StreamName: 'orders' }, r), { action: `kinesis:${op}`, resources: [STREAM] }, op);
    }
    const other = 'arn:aws:kinesis:eu-west-1:444455556666:stream/x';
    assert.deepEqual(await actionTarget('PutRecord', { StreamARN: other, StreamName: 'ignored' }, r), { action: 'kinesis:PutRecord', resources: [other] });
    assert.deepEqual(await actionTarget('RegisterStreamConsumer', { StreamARN: STREAM, ConsumerName: 'c' }, r), { action: 'kinesis:RegisterStreamConsumer', resources: [STREAM] });
    assert.deepEqual(await actionTarget('ListStreamConsumers', { StreamARN: STREAM }, r), { action: 'kinesis:ListStreamConsumers', resources: [STREAM] });
    assert.deepEqual(await actionTarget('UpdateStreamMode', { StreamARN: STREAM }, r), { action: 'kinesis:UpdateStreamMode', resources: [STREAM] });
    assert.deepEqual(await actionTarget('PutRecord', {}, r), { action: 'kinesis:PutRecord', resources: ['*'] });
  });

  void it('account-level operations use *', async () => {
    for (const op of ['ListStreams', 'DescribeLimits', 'DescribeAccountSettings', 'UpdateAccountSettings']) {
      assert.deepEqual(await actionTarget(op, {}, r), { action: `kinesis:${op}`, resources: ['*'] });
    }
  });

  void it('consumer operations (SubscribeToShard on the consumer ARN)', async () => {
    assert.deepEqual(await actionTarget('SubscribeToShard', { ConsumerARN: CONSUMER, ShardId: 'shardId-000000000000' }, r), { action: 'kinesis:SubscribeToShard', resources: [CONSUMER] });
    assert.deepEqual(await actionTarget('DescribeStreamConsumer', { ConsumerARN: CONSUMER }, r), { action: 'kinesis:DescribeStreamConsumer', resources: [CONSUMER] });
    const resolved = await actionTarget('DeregisterStreamConsumer', { StreamARN: STREAM, ConsumerName: 'app' }, { ...r, consumerArn: (s, n) => Promise.resolve(`${s}/consumer/${n}:1700000000`) });
    assert.deepEqual(resolved.resources, [CONSUMER]);
    const unresolved = await actionTarget('DescribeStreamConsumer', { StreamARN: STREAM, ConsumerName: 'app' }, r);
    assert.deepEqual(unresolved.resources, [`${STREAM}/consumer/app:*`]);
  });

  void it('resource-ARN operations and GetRecords', async () => {
    for (const op of ['PutResourcePolicy', 'GetResourcePolicy', 'DeleteResourcePolicy', 'TagResource', 'UntagResource', 'ListTagsForResource']) {
      assert.deepEqual(await actionTarget(op, { ResourceARN: CONSUMER }, r), { action: `kinesis:${op}`, resources: [CONSUMER] });
    }
    assert.deepEqual((await actionTarget('GetRecords', { ShardIterator: 'it', StreamARN: STREAM }, r)).resources, [STREAM]);
    assert.deepEqual((await actionTarget('GetRecords', { ShardIterator: 'it' }, { ...r, iteratorStreamArn: (i) => (i === 'it' ? STREAM : undefined) })).resources, [STREAM]);
    assert.deepEqual((await actionTarget('GetRecords', { ShardIterator: 'bad' }, r)).resources, ['*']);
  });

  void it('resource account and read-only classification', () => {
    assert.equal(resourceAccountOf('arn:aws:kinesis:us-east-1:444455556666:stream/x', '111122223333'), '444455556666');
    assert.equal(resourceAccountOf('*', '111122223333'), '111122223333');
    assert.equal(isReadOnlyOperation('DescribeStream'), true);
    assert.equal(isReadOnlyOperation('PutRecord'), false);
  });
});
