/**
 * DescribeStream: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStream.html
 * Shards ordered by shard id, `Limit` default (and at most) 100, `ExclusiveStartShardId`,
 * `HasMoreShards`. Closed shards whose records have all expired are not listed. A stream that is
 * still CREATING has no shards to show yet.
 */
import type { RequestContext } from '../../model/context.js';
import type { DescribeStreamInput, DescribeStreamOutput, EnhancedMetrics, MetricsName, StreamDescription } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import type { StreamRecord } from '../records.js';
import { StreamStatus } from '../records.js';
import { listedShards, shardOutput } from '../resharding.js';

const DEFAULT_LIMIT = 100;

/** The EnhancedMonitoring list as AWS shows it: one entry with the enabled shard-level metrics. */
export function enhancedMonitoring(stream: StreamRecord): EnhancedMetrics[] {
  return [{ ShardLevelMetrics: [...stream.shardLevelMetrics] as MetricsName[] }];
}

export async function describeStream(env: KinesisEnv, input: DescribeStreamInput, context: RequestContext): Promise<DescribeStreamOutput> {
  const stream = (await env.streams.resolve(context, input)).value;
  const now = env.clock.now();
  const limit = Math.min(input.Limit ?? DEFAULT_LIMIT, DEFAULT_LIMIT);
  let shards = stream.status === StreamStatus.CREATING ? [] : listedShards(stream, now);
  if (input.ExclusiveStartShardId !== undefined) {
    const after = input.ExclusiveStartShardId;
    shards = shards.filter((s) => s.shardId > after);
  }
  const page = shards.slice(0, limit);
  const description: StreamDescription = {
    StreamName: stream.name,
    StreamARN: stream.arn,
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    Shards: page.map((s) => shardOutput(stream, s)),
    HasMoreShards: shards.length > page.length,
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: new Date(stream.createdMs),
    EnhancedMonitoring: enhancedMonitoring(stream),
    EncryptionType: stream.encryptionType,
  };
  if (stream.encryptionType === 'KMS' && stream.keyId !== undefined) description.KeyId = stream.keyId;
  return { StreamDescription: description };
}
