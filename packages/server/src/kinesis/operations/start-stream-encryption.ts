/**
 * StartStreamEncryption: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StartStreamEncryption.html
 * Records the encryption type and key (encrypting stored bytes is a later issue); the stream goes
 * UPDATING. At most 25 successful calls per stream per rolling 24 hours (LimitExceededException).
 */
import type { RequestContext } from '../../model/context.js';
import type { StartStreamEncryptionInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import type { StreamRecord } from '../records.js';
import { updating } from '../resharding.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus, withinLastDay } from '../stream-store.js';

export function checkEncryptionRate(env: KinesisEnv, s: StreamRecord, now: number): number[] {
  const limit = resolveKinesisSettings(env.settings).encryptionChangesPerDay;
  const recent = withinLastDay(s.encryptionChangesMs, now);
  if (recent.length >= limit) {
    throw new ServiceError(
      'LimitExceededException',
      `Stream ${s.name} under account ${s.accountId} has changed its encryption ${recent.length} times in the last 24 hours (limit ${limit}).`,
    );
  }
  return recent;
}

export async function startStreamEncryption(env: KinesisEnv, input: StartStreamEncryptionInput, context: RequestContext): Promise<void> {
  if (input.EncryptionType !== 'KMS') {
    throw new ServiceError('InvalidArgumentException', `Invalid EncryptionType ${input.EncryptionType}: the only valid value is KMS.`);
  }
  await env.streams.update(context, input, (s) => {
    requireStatus(s);
    const now = env.clock.now();
    const recent = checkEncryptionRate(env, s, now);
    return { ...s, ...updating(env, now), encryptionType: 'KMS', keyId: input.KeyId, encryptionChangesMs: [...recent, now] };
  });
}
