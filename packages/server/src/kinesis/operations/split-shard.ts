/**
 * SplitShard: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SplitShard.html
 * Provisioned streams only; the stream must be ACTIVE (ResourceInUseException otherwise) and goes
 * UPDATING for updateStreamMs. The account's shard quota bounds the one extra open shard.
 */
import type { RequestContext } from '../../model/context.js';
import type { SplitShardInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import type { StreamRecord } from '../records.js';
import { StreamMode } from '../records.js';
import { applySplit, checkSplit, executeReshard, openShardCount, reshardMutex, updating, withAccountQuota } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus } from '../stream-store.js';

export function requireProvisioned(stream: StreamRecord, operation: string): void {
  if (stream.mode !== StreamMode.PROVISIONED) {
    throw new ServiceError(
      'ValidationException',
      `${operation} is not supported for stream ${stream.name} under account ${stream.accountId}: it is in ON_DEMAND capacity mode.`,
    );
  }
}

/** LimitExceededException when `extra` more open shards would exceed the account's shard quota. */
export async function checkShardQuota(env: KinesisEnv, context: RequestContext, extra: number): Promise<void> {
  if (extra <= 0) return;
  const limit = resolveKinesisSettings(env.settings).shardLimit;
  const scope = env.streams.scopeOf(context);
  const open = (await env.streams.list(scope)).reduce((n, s) => n + openShardCount(s.value), 0);
  if (open + extra > limit) {
    throw new ServiceError(
      'LimitExceededException',
      `This request would exceed the shard limit for the account ${scope.accountId} in ${scope.region}. Current shard count for the account: ${open}. Limit: ${limit}. Number of additional shards that would have resulted from this request: ${extra}.`,
    );
  }
}

export async function splitShard(env: KinesisEnv, input: SplitShardInput, context: RequestContext): Promise<void> {
  const { key } = env.streams.keyFor(context, input);
  const first = (await env.streams.resolve(context, input)).value;
  requireProvisioned(first, 'SplitShard');
  requireStatus(first);
  checkSplit(first, input.ShardToSplit, input.NewStartingHashKey, env.clock.now());
  const scope = env.streams.scopeOf(context);
  await withAccountQuota(env, scope.accountId, scope.region, async () => {
    await checkShardQuota(env, context, 1);
    await executeReshard(
      env,
      reshardMutex(env),
      key,
      () => env.streams.resolve(context, input),
      (stream, retry) => {
        if (!retry) {
          requireProvisioned(stream, 'SplitShard');
          requireStatus(stream);
        }
        return [checkSplit(stream, input.ShardToSplit, input.NewStartingHashKey, env.clock.now())];
      },
      (stream, endOffsets) => {
        const now = env.clock.now();
        const parent = checkSplit(stream, input.ShardToSplit, input.NewStartingHashKey, now);
        return applySplit(stream, parent, BigInt(input.NewStartingHashKey), now, endOffsets, updating(env, now));
      },
    );
  });
}
