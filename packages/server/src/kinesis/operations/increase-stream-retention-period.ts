/**
 * IncreaseStreamRetentionPeriod:
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_IncreaseStreamRetentionPeriod.html
 * Retention is 24–8760 hours; the new value may not be shorter than the current one
 * (InvalidArgumentException). Records already expired stay expired: the data plane hides records
 * older than now − retention, and retention trimming may already have dropped them. The stream goes
 * UPDATING.
 */
import type { RequestContext } from '../../model/context.js';
import type { IncreaseStreamRetentionPeriodInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { updating } from '../resharding.js';
import { requireStatus } from '../stream-store.js';

export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;

export function checkRetentionRange(hours: number): void {
  if (hours < MIN_RETENTION_HOURS) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
    );
  }
  if (hours > MAX_RETENTION_HOURS) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`,
    );
  }
}

export async function increaseStreamRetentionPeriod(
  env: KinesisEnv,
  input: IncreaseStreamRetentionPeriodInput,
  context: RequestContext,
): Promise<void> {
  const hours = input.RetentionPeriodHours;
  checkRetentionRange(hours);
  await env.streams.update(context, input, (s) => {
    requireStatus(s);
    if (hours < s.retentionHours) {
      throw new ServiceError(
        'InvalidArgumentException',
        `Requested retention period (${hours} hours) for stream ${s.name} can not be shorter than existing retention period (${s.retentionHours} hours). Use DecreaseStreamRetentionPeriod API.`,
      );
    }
    return { ...s, ...updating(env, env.clock.now()), retentionHours: hours };
  });
}
