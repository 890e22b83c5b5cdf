/**
 * DescribeLimits: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeLimits.html
 * The account's shard quota and open shards (every open shard of every stream of the account and
 * region), and the on-demand stream count and quota. Limits are settings (settings.ts).
 */
import type { RequestContext } from '../../model/context.js';
import type { DescribeLimitsInput, DescribeLimitsOutput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { StreamMode } from '../records.js';
import { openShardCount } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';

export async function describeLimits(env: KinesisEnv, _input: DescribeLimitsInput, context: RequestContext): Promise<DescribeLimitsOutput> {
  const settings = resolveKinesisSettings(env.settings);
  const streams = (await env.streams.list(env.streams.scopeOf(context))).map((v) => v.value);
  return {
    ShardLimit: settings.shardLimit,
    OpenShardCount: streams.reduce((n, s) => n + openShardCount(s), 0),
    OnDemandStreamCount: streams.filter((s) => s.mode === StreamMode.ON_DEMAND).length,
    OnDemandStreamCountLimit: settings.onDemandStreamLimit,
  };
}
