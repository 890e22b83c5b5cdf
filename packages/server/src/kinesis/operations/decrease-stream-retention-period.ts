/**
 * DecreaseStreamRetentionPeriod:
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DecreaseStreamRetentionPeriod.html
 * The new value may not be longer than the current one (InvalidArgumentException) nor under 24
 * hours. Records older than the new period become inaccessible at once (the data plane reads with
 * minArrivalMs = now − retention); closed shards whose records are all older disappear from listings.
 */
import type { RequestContext } from '../../model/context.js';
import type { DecreaseStreamRetentionPeriodInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { updating } from '../resharding.js';
import { requireStatus } from '../stream-store.js';
import { checkRetentionRange } from './increase-stream-retention-period.js';

export async function decreaseStreamRetentionPeriod(
  env: KinesisEnv,
  input: DecreaseStreamRetentionPeriodInput,
  context: RequestContext,
): Promise<void> {
  const hours = input.RetentionPeriodHours;
  checkRetentionRange(hours);
  await env.streams.update(context, input, (s) => {
    requireStatus(s);
    if (hours > s.retentionHours) {
      throw new ServiceError(
        'InvalidArgumentException',
        `Requested retention period (${hours} hours) for stream ${s.name} can not be longer than existing retention period (${s.retentionHours} hours). Use IncreaseStreamRetentionPeriod API.`,
      );
    }
    return { ...s, ...updating(env, env.clock.now()), retentionHours: hours };
  });
}
