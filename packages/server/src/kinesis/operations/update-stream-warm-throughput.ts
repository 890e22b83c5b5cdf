/**
 * UpdateStreamWarmThroughput:
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateStreamWarmThroughput.html
 * On-demand streams in accounts with MinimumThroughputBillingCommitment enabled only
 * (InvalidArgumentException otherwise); at most 10 GiB/s (a setting). The stream goes UPDATING; the
 * answer shows the target and the throughput the stream is scaled to now.
 */
import type { RequestContext } from '../../model/context.js';
import type { UpdateStreamWarmThroughputInput, UpdateStreamWarmThroughputOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import { readAccountSettings } from '../account.js';
import type { KinesisEnv } from '../env.js';
import { StreamMode, StreamStatus } from '../records.js';
import { updating } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus } from '../stream-store.js';

export async function updateStreamWarmThroughput(
  env: KinesisEnv,
  input: UpdateStreamWarmThroughputInput,
  context: RequestContext,
): Promise<UpdateStreamWarmThroughputOutput> {
  const max = resolveKinesisSettings(env.settings).maxWarmThroughputMiBps;
  const stream = (await env.streams.resolve(context, input)).value;
  if (stream.mode !== StreamMode.ON_DEMAND) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Warm throughput is only supported for streams in ON_DEMAND capacity mode; stream ${stream.name} under account ${stream.accountId} is PROVISIONED.`,
    );
  }
  const account = await readAccountSettings(env, stream.accountId, stream.region);
  if (account.commitment.status === 'DISABLED') {
    throw new ServiceError('InvalidArgumentException', 'Warm throughput requires MinimumThroughputBillingCommitment to be enabled for the account.');
  }
  if (input.WarmThroughputMiBps > max) {
    throw new ServiceError('InvalidArgumentException', `WarmThroughputMiBps ${input.WarmThroughputMiBps} exceeds the maximum of ${max} MiB/s.`);
  }
  const committed = await env.streams.update(context, input, (s) => {
    requireStatus(s);
    if (s.mode !== StreamMode.ON_DEMAND) {
      throw new ServiceError('InvalidArgumentException', `Stream ${s.name} under account ${s.accountId} is not in ON_DEMAND capacity mode.`);
    }
    const currentNow = s.status === StreamStatus.ACTIVE ? (s.warmThroughputMiBps ?? 0) : (s.currentWarmThroughputMiBps ?? 0);
    return { ...s, ...updating(env, env.clock.now()), warmThroughputMiBps: input.WarmThroughputMiBps, currentWarmThroughputMiBps: currentNow };
  });
  const s = committed.value;
  return {
    StreamName: s.name,
    StreamARN: s.arn,
    WarmThroughput: { TargetMiBps: s.warmThroughputMiBps ?? 0, CurrentMiBps: s.currentWarmThroughputMiBps ?? 0 },
  };
}
