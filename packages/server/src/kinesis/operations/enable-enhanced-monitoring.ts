/**
 * EnableEnhancedMonitoring: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_EnableEnhancedMonitoring.html
 * Answers the shard-level metrics before (Current) and after (Desired) the change; "ALL" stands for
 * every metric. The stream goes UPDATING.
 */
import type { RequestContext } from '../../model/context.js';
import type { EnableEnhancedMonitoringInput, EnhancedMonitoringOutput, MetricsName } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { updating } from '../resharding.js';
import { requireStatus } from '../stream-store.js';

/** Every shard-level metric, in the model's order. */
export const ALL_SHARD_LEVEL_METRICS: readonly MetricsName[] = [
  'IncomingBytes',
  'IncomingRecords',
  'OutgoingBytes',
  'OutgoingRecords',
  'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded',
  'IteratorAgeMilliseconds',
];

export function expandMetrics(metrics: readonly string[]): Set<string> {
  return new Set(metrics.includes('ALL') ? ALL_SHARD_LEVEL_METRICS : metrics);
}

/** Metrics in the model's order. */
export function orderedMetrics(metrics: ReadonlySet<string>): MetricsName[] {
  return ALL_SHARD_LEVEL_METRICS.filter((m) => metrics.has(m));
}

export async function changeMonitoring(
  env: KinesisEnv,
  input: { StreamName?: string | undefined; StreamARN?: string | undefined; ShardLevelMetrics: readonly string[] },
  context: RequestContext,
  enable: boolean,
): Promise<EnhancedMonitoringOutput> {
  const change = expandMetrics(input.ShardLevelMetrics);
  let before: MetricsName[] = [];
  const committed = await env.streams.update(context, input, (s) => {
    requireStatus(s);
    const current = new Set(s.shardLevelMetrics);
    before = orderedMetrics(current);
    for (const m of change) {
      if (enable) current.add(m);
      else current.delete(m);
    }
    return { ...s, ...updating(env, env.clock.now()), shardLevelMetrics: orderedMetrics(current) };
  });
  return {
    StreamName: committed.value.name,
    StreamARN: committed.value.arn,
    CurrentShardLevelMetrics: before,
    DesiredShardLevelMetrics: [...committed.value.shardLevelMetrics] as MetricsName[],
  };
}

export function enableEnhancedMonitoring(env: KinesisEnv, input: EnableEnhancedMonitoringInput, context: RequestContext): Promise<EnhancedMonitoringOutput> {
  return changeMonitoring(env, input, context, true);
}
