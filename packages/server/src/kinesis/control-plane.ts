/**
 * The Kinesis control plane: every stream, shard, tag, policy and account operation of the model
 * (Channel operations are not handled yet), plus the background duties (background.ts) and the
 * clean-up of deleted streams.
 */
import type { RequestContext } from '../model/context.js';
import type * as T from '../model/generated/kinesis-types.js';
import type { OperationHandler } from '../model/operation.js';
import { KinesisBackground } from './background.js';
import type { KinesisPart } from './binding.js';
import type { KinesisEnv } from './env.js';
import { consumerPrefix, policyPrefix } from './records.js';
import { addTagsToStream } from './operations/add-tags-to-stream.js';
import { createStream } from './operations/create-stream.js';
import { decreaseStreamRetentionPeriod } from './operations/decrease-stream-retention-period.js';
import { deleteResourcePolicy } from './operations/delete-resource-policy.js';
import { deleteStream } from './operations/delete-stream.js';
import { describeAccountSettings } from './operations/describe-account-settings.js';
import { describeLimits } from './operations/describe-limits.js';
import { describeStream } from './operations/describe-stream.js';
import { describeStreamSummary } from './operations/describe-stream-summary.js';
import { disableEnhancedMonitoring } from './operations/disable-enhanced-monitoring.js';
import { enableEnhancedMonitoring } from './operations/enable-enhanced-monitoring.js';
import { getResourcePolicy } from './operations/get-resource-policy.js';
import { increaseStreamRetentionPeriod } from './operations/increase-stream-retention-period.js';
import { listShards } from './operations/list-shards.js';
import { listStreams } from './operations/list-streams.js';
import { listTagsForResource } from './operations/list-tags-for-resource.js';
import { listTagsForStream } from './operations/list-tags-for-stream.js';
import { mergeShards } from './operations/merge-shards.js';
import { putResourcePolicy } from './operations/put-resource-policy.js';
import { removeTagsFromStream } from './operations/remove-tags-from-stream.js';
import { splitShard } from './operations/split-shard.js';
import { startStreamEncryption } from './operations/start-stream-encryption.js';
import { stopStreamEncryption } from './operations/stop-stream-encryption.js';
import { tagResource } from './operations/tag-resource.js';
import { untagResource } from './operations/untag-resource.js';
import { updateAccountSettings } from './operations/update-account-settings.js';
import { updateMaxRecordSize } from './operations/update-max-record-size.js';
import { updateShardCount } from './operations/update-shard-count.js';
import { updateStreamMode } from './operations/update-stream-mode.js';
import { updateStreamRecordDistributionStrategy } from './operations/update-stream-record-distribution-strategy.js';
import { updateStreamWarmThroughput } from './operations/update-stream-warm-throughput.js';

type Op<I, O> = (env: KinesisEnv, input: I, context: RequestContext) => Promise<O>;

function bind<I, O>(env: KinesisEnv, op: Op<I, O>): OperationHandler {
  return (input: unknown, context: RequestContext) => op(env, input as I, context);
}

/** The handler table of the control plane, keyed by operation name. */
export function controlPlaneHandlers(env: KinesisEnv): Partial<Record<T.KinesisOperationName, OperationHandler>> {
  return {
    AddTagsToStream: bind(env, addTagsToStream),
    CreateStream: bind(env, createStream),
    DecreaseStreamRetentionPeriod: bind(env, decreaseStreamRetentionPeriod),
    DeleteResourcePolicy: bind(env, deleteResourcePolicy),
    DeleteStream: bind(env, deleteStream),
    DescribeAccountSettings: bind(env, describeAccountSettings),
    DescribeLimits: bind(env, describeLimits),
    DescribeStream: bind(env, describeStream),
    DescribeStreamSummary: bind(env, describeStreamSummary),
    DisableEnhancedMonitoring: bind(env, disableEnhancedMonitoring),
    EnableEnhancedMonitoring: bind(env, enableEnhancedMonitoring),
    GetResourcePolicy: bind(env, getResourcePolicy),
    IncreaseStreamRetentionPeriod: bind(env, increaseStreamRetentionPeriod),
    ListShards: bind(env, listShards),
    ListStreams: bind(env, listStreams),
    ListTagsForResource: bind(env, listTagsForResource),
    ListTagsForStream: bind(env, listTagsForStream),
    MergeShards: bind(env, mergeShards),
    PutResourcePolicy: bind(env, putResourcePolicy),
    RemoveTagsFromStream: bind(env, removeTagsFromStream),
    SplitShard: bind(env, splitShard),
    StartStreamEncryption: bind(env, startStreamEncryption),
    StopStreamEncryption: bind(env, stopStreamEncryption),
    TagResource: bind(env, tagResource),
    UntagResource: bind(env, untagResource),
    UpdateAccountSettings: bind(env, updateAccountSettings),
    UpdateMaxRecordSize: bind(env, updateMaxRecordSize),
    UpdateShardCount: bind(env, updateShardCount),
    UpdateStreamMode: bind(env, updateStreamMode),
    UpdateStreamRecordDistributionStrategy: bind(env, updateStreamRecordDistributionStrategy),
    UpdateStreamWarmThroughput: bind(env, updateStreamWarmThroughput),
  };
}

/** Registers the deleted-stream clean-up on the stream store (logs, usage, consumers, policies). */
export function registerStreamCleanup(env: KinesisEnv): void {
  env.streams.onTransition(async (before, after) => {
    if (after !== undefined) return;
    for (const shard of before.shards) env.usage.forget(before.uid, shard.shardId);
    await env.streams.destroyLogs(before);
    const leftovers = [
      ...(await env.storage.metadata.list(consumerPrefix(before.uid))),
      ...(await env.storage.metadata.list(policyPrefix(before.uid))),
    ];
    if (leftovers.length > 0) await env.storage.metadata.commit(leftovers.map((v) => ({ type: 'delete' as const, key: v.key })));
  });
}

export interface ControlPlane extends KinesisPart {
  readonly background: KinesisBackground;
}

export async function controlPlane(env: KinesisEnv): Promise<ControlPlane> {
  registerStreamCleanup(env);
  const background = new KinesisBackground(env);
  background.start();
  return {
    handlers: controlPlaneHandlers(env) as Record<string, OperationHandler>,
    background,
    async close() {
      await background.close();
    },
  };
}
