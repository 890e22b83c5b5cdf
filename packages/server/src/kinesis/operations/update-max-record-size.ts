/**
 * UpdateMaxRecordSize: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateMaxRecordSize.html
 * 1024–10240 KiB (range checked by the model validator); the stream must be ACTIVE and goes UPDATING.
 */
import type { RequestContext } from '../../model/context.js';
import type { UpdateMaxRecordSizeInput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { updating } from '../resharding.js';
import { requireStatus } from '../stream-store.js';

export async function updateMaxRecordSize(env: KinesisEnv, input: UpdateMaxRecordSizeInput, context: RequestContext): Promise<void> {
  await env.streams.update(context, { StreamARN: input.StreamARN }, (s) => {
    requireStatus(s);
    return { ...s, ...updating(env, env.clock.now()), maxRecordSizeKiB: input.MaxRecordSizeInKiB };
  });
}
