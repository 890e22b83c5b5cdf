/**
 * CreateStream: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html
 * Provisioned streams take ShardCount; ON_DEMAND streams start with 4 shards (4 MiB/s of write
 * capacity) and scale by themselves (background.ts). The stream is CREATING for createStreamMs.
 * LimitExceededException: more than five streams CREATING, the account's shard quota, or the
 * on-demand stream quota.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../model/context.js';
import type { CreateStreamInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import { streamArn } from '../arn.js';
import { readAccountSettings } from '../account.js';
import type { KinesisEnv } from '../env.js';
import type { StreamRecord } from '../records.js';
import { RecordDistributionStrategy, StreamMode, StreamStatus } from '../records.js';
import { initialShards, openShardCount, withAccountQuota } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';
import { mergeTags } from '../tags.js';

export async function createStream(env: KinesisEnv, input: CreateStreamInput, context: RequestContext): Promise<void> {
  const settings = resolveKinesisSettings(env.settings);
  const scope = env.streams.scopeOf(context);
  const mode = input.StreamModeDetails?.StreamMode ?? StreamMode.PROVISIONED;
  let shardCount: number;
  if (mode === StreamMode.ON_DEMAND) {
    if (input.ShardCount !== undefined) {
      throw new ServiceError('InvalidArgumentException', 'ShardCount cannot be specified for a stream in ON_DEMAND capacity mode.');
    }
    shardCount = settings.onDemandInitialShards;
  } else {
    if (input.ShardCount === undefined) {
      throw new ServiceError('InvalidArgumentException', 'ShardCount is required for a stream in PROVISIONED capacity mode.');
    }
    shardCount = input.ShardCount;
  }
  if (input.RecordDistributionStrategy !== undefined && mode !== StreamMode.ON_DEMAND) {
    throw new ServiceError(
      'InvalidArgumentException',
      'RecordDistributionStrategy is only supported for streams in ON_DEMAND capacity mode.',
    );
  }
  if (input.WarmThroughputMiBps !== undefined) {
    if (mode !== StreamMode.ON_DEMAND) {
      throw new ServiceError('InvalidArgumentException', 'WarmThroughputMiBps is only supported for streams in ON_DEMAND capacity mode.');
    }
    const account = await readAccountSettings(env, scope.accountId, scope.region);
    if (account.commitment.status === 'DISABLED') {
      throw new ServiceError(
        'InvalidArgumentException',
        'WarmThroughputMiBps requires MinimumThroughputBillingCommitment to be enabled for the account.',
      );
    }
    if (input.WarmThroughputMiBps > settings.maxWarmThroughputMiBps) {
      throw new ServiceError(
        'InvalidArgumentException',
        `WarmThroughputMiBps ${input.WarmThroughputMiBps} exceeds the maximum of ${settings.maxWarmThroughputMiBps} MiB/s.`,
      );
    }
  }
  const tags = mergeTags({}, input.Tags ?? {}, settings.maxTagsPerResource);

  // The quota checks and the commit as one step per account (concurrent creates must not both pass).
  await withAccountQuota(env, scope.accountId, scope.region, async () => {
    const streams = await env.streams.list(scope);
    const creating = streams.filter((s) => s.value.status === StreamStatus.CREATING).length;
    if (creating >= settings.maxCreatingStreams) {
      throw new ServiceError(
        'LimitExceededException',
        `Account ${scope.accountId} already has ${creating} streams in CREATING state; at most ${settings.maxCreatingStreams} are allowed.`,
      );
    }
    const openShards = streams.reduce((n, s) => n + openShardCount(s.value), 0);
    if (openShards + shardCount > settings.shardLimit) {
      throw new ServiceError(
        'LimitExceededException',
        `This request would exceed the shard limit for the account ${scope.accountId} in ${scope.region}. Current shard count for the account: ${openShards}. Limit: ${settings.shardLimit}. Number of additional shards that would have resulted from this request: ${shardCount}.`,
      );
    }
    if (mode === StreamMode.ON_DEMAND) {
      const onDemand = streams.filter((s) => s.value.mode === StreamMode.ON_DEMAND).length;
      if (onDemand >= settings.onDemandStreamLimit) {
        throw new ServiceError(
          'LimitExceededException',
          `Account ${scope.accountId} in ${scope.region} already has ${onDemand} ON_DEMAND streams; the limit is ${settings.onDemandStreamLimit}.`,
        );
      }
    }

    const now = env.clock.now();
    const record: StreamRecord = {
      uid: randomUUID(),
      salt: randomBytes(4).readUInt32BE(0),
      accountId: scope.accountId,
      region: scope.region,
      name: input.StreamName,
      arn: streamArn(scope.region, scope.accountId, input.StreamName),
      status: StreamStatus.CREATING,
      statusReadyAtMs: now + env.settings.createStreamMs,
      createdMs: now,
      mode,
      modeSwitchesMs: [],
      retentionHours: 24,
      encryptionType: 'NONE',
      shardLevelMetrics: [],
      maxRecordSizeKiB: input.MaxRecordSizeInKiB ?? 1024,
      warmThroughputMiBps: input.WarmThroughputMiBps,
      currentWarmThroughputMiBps: input.WarmThroughputMiBps,
      tags,
      shards: initialShards(shardCount, now),
      nextShardIndex: shardCount,
      shardCountUpdatesMs: [],
      recordDistributionStrategy: mode === StreamMode.ON_DEMAND ? (input.RecordDistributionStrategy ?? RecordDistributionStrategy.USER_PARTITION_KEY) : undefined,
    };
    await env.streams.create(record);
  });
}
