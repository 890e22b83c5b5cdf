/**
 * DescribeStreamSummary: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamSummary.html
 */
import type { RequestContext } from '../../model/context.js';
import type { DescribeStreamSummaryInput, DescribeStreamSummaryOutput, StreamDescriptionSummary } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { StreamMode, StreamStatus, consumerPrefix } from '../records.js';
import { openShardCount } from '../resharding.js';
import { enhancedMonitoring } from './describe-stream.js';

export async function describeStreamSummary(
  env: KinesisEnv,
  input: DescribeStreamSummaryInput,
  context: RequestContext,
): Promise<DescribeStreamSummaryOutput> {
  const stream = (await env.streams.resolve(context, input)).value;
  const consumers = await env.storage.metadata.list(consumerPrefix(stream.uid));
  const summary: StreamDescriptionSummary = {
    StreamName: stream.name,
    StreamARN: stream.arn,
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    RetentionPeriodHours: stream.retentionHours,
    StreamCreationTimestamp: new Date(stream.createdMs),
    EnhancedMonitoring: enhancedMonitoring(stream),
    EncryptionType: stream.encryptionType,
    OpenShardCount: stream.status === StreamStatus.CREATING ? 0 : openShardCount(stream),
    ConsumerCount: consumers.length,
    MaxRecordSizeInKiB: stream.maxRecordSizeKiB,
  };
  if (stream.encryptionType === 'KMS' && stream.keyId !== undefined) summary.KeyId = stream.keyId;
  if (stream.mode === StreamMode.ON_DEMAND) {
    summary.RecordDistributionStrategy = stream.recordDistributionStrategy ?? 'USER_PARTITION_KEY';
    if (stream.warmThroughputMiBps !== undefined) {
      summary.WarmThroughput = {
        TargetMiBps: stream.warmThroughputMiBps,
        CurrentMiBps: stream.status === StreamStatus.ACTIVE ? stream.warmThroughputMiBps : (stream.currentWarmThroughputMiBps ?? 0),
      };
    }
  }
  return { StreamDescriptionSummary: summary };
}
