/**
 * UpdateStreamMode: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateStreamMode.html
 * Switching keeps the current shards (an on-demand stream then scales by itself). At most two
 * switches per stream per rolling 24 hours (LimitExceededException); switching to ON_DEMAND counts
 * against the on-demand stream quota. WarmThroughputMiBps only when switching to ON_DEMAND in an
 * account with MinimumThroughputBillingCommitment enabled. The stream goes UPDATING.
 */
import type { RequestContext } from '../../model/context.js';
import type { UpdateStreamModeInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import { readAccountSettings } from '../account.js';
import type { KinesisEnv } from '../env.js';
import { RecordDistributionStrategy, StreamMode } from '../records.js';
import { updating } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus, withinLastDay } from '../stream-store.js';

export async function updateStreamMode(env: KinesisEnv, input: UpdateStreamModeInput, context: RequestContext): Promise<void> {
  const settings = resolveKinesisSettings(env.settings);
  const mode = input.StreamModeDetails.StreamMode;
  const ref = { StreamARN: input.StreamARN };
  const stream = (await env.streams.resolve(context, ref)).value;
  if (input.WarmThroughputMiBps !== undefined) {
    if (mode !== StreamMode.ON_DEMAND) {
      throw new ServiceError('InvalidArgumentException', 'WarmThroughputMiBps is only valid when the stream mode is being updated to ON_DEMAND.');
    }
    const account = await readAccountSettings(env, stream.accountId, stream.region);
    if (account.commitment.status === 'DISABLED') {
      throw new ServiceError('InvalidArgumentException', 'WarmThroughputMiBps requires MinimumThroughputBillingCommitment to be enabled for the account.');
    }
    if (input.WarmThroughputMiBps > settings.maxWarmThroughputMiBps) {
      throw new ServiceError('InvalidArgumentException', `WarmThroughputMiBps ${input.WarmThroughputMiBps} exceeds the maximum of ${settings.maxWarmThroughputMiBps} MiB/s.`);
    }
  }
  if (mode === StreamMode.ON_DEMAND && stream.mode !== StreamMode.ON_DEMAND) {
    const onDemand = (await env.streams.list({ accountId: stream.accountId, region: stream.region })).filter(
      (s) => s.value.mode === StreamMode.ON_DEMAND,
    ).length;
    if (onDemand >= settings.onDemandStreamLimit) {
      throw new ServiceError(
        'LimitExceededException',
        `Account ${stream.accountId} in ${stream.region} already has ${onDemand} ON_DEMAND streams; the limit is ${settings.onDemandStreamLimit}.`,
      );
    }
  }
  await env.streams.update(context, ref, (s) => {
    requireStatus(s);
    if (s.mode === mode) {
      throw new ServiceError('InvalidArgumentException', `Stream ${s.name} under account ${s.accountId} is already in ${mode} capacity mode.`);
    }
    const now = env.clock.now();
    const recent = withinLastDay(s.modeSwitchesMs, now);
    if (recent.length >= settings.modeSwitchesPerDay) {
      throw new ServiceError(
        'LimitExceededException',
        `Stream ${s.name} under account ${s.accountId} has already switched capacity mode ${recent.length} times in the last 24 hours (limit ${settings.modeSwitchesPerDay}).`,
      );
    }
    const onDemand = mode === StreamMode.ON_DEMAND;
    return {
      ...s,
      ...updating(env, now),
      mode,
      modeSwitchesMs: [...recent, now],
      recordDistributionStrategy: onDemand ? (s.recordDistributionStrategy ?? RecordDistributionStrategy.USER_PARTITION_KEY) : undefined,
      warmThroughputMiBps: onDemand ? (input.WarmThroughputMiBps ?? s.warmThroughputMiBps) : undefined,
      currentWarmThroughputMiBps: onDemand ? s.currentWarmThroughputMiBps : undefined,
    };
  });
}
