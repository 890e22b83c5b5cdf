/**
 * MergeShards: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_MergeShards.html
 * Two adjacent open shards of an ACTIVE provisioned stream become one child (ParentShardId =
 * ShardToMerge, AdjacentParentShardId = AdjacentShardToMerge); the stream goes UPDATING.
 */
import type { RequestContext } from '../../model/context.js';
import type { MergeShardsInput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { applyMerge, checkMerge, executeReshard, reshardMutex, updating } from '../resharding.js';
import { requireStatus } from '../stream-store.js';
import { requireProvisioned } from './split-shard.js';

export async function mergeShards(env: KinesisEnv, input: MergeShardsInput, context: RequestContext): Promise<void> {
  const { key } = env.streams.keyFor(context, input);
  const first = (await env.streams.resolve(context, input)).value;
  requireProvisioned(first, 'MergeShards');
  requireStatus(first);
  checkMerge(first, input.ShardToMerge, input.AdjacentShardToMerge, env.clock.now());
  await executeReshard(
    env,
    reshardMutex(env),
    key,
    () => env.streams.resolve(context, input),
    (stream, retry) => {
      if (!retry) {
        requireProvisioned(stream, 'MergeShards');
        requireStatus(stream);
      }
      return checkMerge(stream, input.ShardToMerge, input.AdjacentShardToMerge, env.clock.now());
    },
    (stream, endOffsets) => {
      const now = env.clock.now();
      const [a, b] = checkMerge(stream, input.ShardToMerge, input.AdjacentShardToMerge, now);
      return applyMerge(stream, a, b, now, endOffsets, updating(env, now));
    },
  );
}
