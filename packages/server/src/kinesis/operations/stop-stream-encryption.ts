/**
 * StopStreamEncryption: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StopStreamEncryption.html
 * Stream goes UPDATING, then records are written unencrypted; the key is forgotten.
 */
import type { RequestContext } from '../../model/context.js';
import type { StopStreamEncryptionInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { updating } from '../resharding.js';
import { requireStatus } from '../stream-store.js';
import { checkEncryptionRate } from './start-stream-encryption.js';

export async function stopStreamEncryption(env: KinesisEnv, input: StopStreamEncryptionInput, context: RequestContext): Promise<void> {
  if (input.EncryptionType !== 'KMS') {
    throw new ServiceError('InvalidArgumentException', `Invalid EncryptionType ${input.EncryptionType}: the only valid value is KMS.`);
  }
  await env.streams.update(context, input, (s) => {
    requireStatus(s);
    const now = env.clock.now();
    const recent = checkEncryptionRate(env, s, now);
    return { ...s, ...updating(env, now), encryptionType: 'NONE', keyId: undefined, encryptionChangesMs: [...recent, now] };
  });
}
