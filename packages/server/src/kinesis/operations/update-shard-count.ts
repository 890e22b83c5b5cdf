/**
 * UpdateShardCount: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
 * UNIFORM_SCALING to TargetShardCount open shards (an even split of the hash space) through splits
 * then merges (resharding.ts), as one commit; the stream goes UPDATING. Default limits, all settings:
 * at most 10 calls per stream per rolling 24 hours, no more than double and no less than half the
 * current open shards, at most 10000 shards per stream, and the account's shard quota. AWS documents
 * these as the operation's "default limits" (raised on request), so each answers
 * LimitExceededException.
 */
import type { RequestContext } from '../../model/context.js';
import type { UpdateShardCountInput, UpdateShardCountOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import type { StreamRecord } from '../records.js';
import { applyUniformScaling, executeReshard, openShardCount, reshardMutex, shardsClosedByScaling, updating, withAccountQuota } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus, withinLastDay } from '../stream-store.js';
import { checkShardQuota, requireProvisioned } from './split-shard.js';

function check(env: KinesisEnv, stream: StreamRecord, target: number): number {
  const settings = resolveKinesisSettings(env.settings);
  requireProvisioned(stream, 'UpdateShardCount');
  requireStatus(stream);
  const current = openShardCount(stream);
  const where = `stream ${stream.name} under account ${stream.accountId}`;
  if (target > current * 2) {
    throw new ServiceError(
      'LimitExceededException',
      `UpdateShardCount failed for ${where}: TargetShardCount ${target} is more than double the current open shard count ${current}.`,
    );
  }
  if (target * 2 < current) {
    throw new ServiceError(
      'LimitExceededException',
      `UpdateShardCount failed for ${where}: TargetShardCount ${target} is less than half the current open shard count ${current}.`,
    );
  }
  if (target > settings.maxShardsPerStream && target > current) {
    throw new ServiceError(
      'LimitExceededException',
      `UpdateShardCount failed for ${where}: TargetShardCount ${target} exceeds the maximum of ${settings.maxShardsPerStream} shards per stream.`,
    );
  }
  const recent = withinLastDay(stream.shardCountUpdatesMs, env.clock.now());
  if (recent.length >= settings.updateShardCountPerDay) {
    throw new ServiceError(
      'LimitExceededException',
      `UpdateShardCount failed for ${where}: the stream was already scaled ${recent.length} times in the last 24 hours (limit ${settings.updateShardCountPerDay}).`,
    );
  }
  return current;
}

export async function updateShardCount(env: KinesisEnv, input: UpdateShardCountInput, context: RequestContext): Promise<UpdateShardCountOutput> {
  const { key } = env.streams.keyFor(context, input);
  const target = input.TargetShardCount;
  const first = (await env.streams.resolve(context, input)).value;
  const current = check(env, first, target);
  const scope = env.streams.scopeOf(context);
  const committed = await withAccountQuota(env, scope.accountId, scope.region, async () => {
    await checkShardQuota(env, context, target - current);
    return executeReshard(
      env,
      reshardMutex(env),
      key,
      () => env.streams.resolve(context, input),
      (stream, retry) => {
        if (!retry) check(env, stream, target);
        return shardsClosedByScaling(stream, target);
      },
      (stream, endOffsets) => {
        const now = env.clock.now();
        return applyUniformScaling(stream, target, now, endOffsets, {
          ...updating(env, now),
          shardCountUpdatesMs: [...withinLastDay(stream.shardCountUpdatesMs, now), now],
        });
      },
    );
  });
  return { StreamName: committed.value.name, StreamARN: committed.value.arn, CurrentShardCount: current, TargetShardCount: target };
}
