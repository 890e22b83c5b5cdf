/**
 * UpdateStreamRecordDistributionStrategy:
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateStreamRecordDistributionStrategy.html
 * On-demand streams only ("Attempting to set AUTO on a provisioned stream results in an
 * InvalidArgumentException"); takes effect immediately, without an UPDATING phase. Records already
 * stored keep their shards.
 */
import type { RequestContext } from '../../model/context.js';
import type { UpdateStreamRecordDistributionStrategyInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { StreamMode } from '../records.js';
import { requireStatus } from '../stream-store.js';

export async function updateStreamRecordDistributionStrategy(
  env: KinesisEnv,
  input: UpdateStreamRecordDistributionStrategyInput,
  context: RequestContext,
): Promise<void> {
  await env.streams.update(context, { StreamARN: input.StreamARN }, (s) => {
    requireStatus(s);
    if (s.mode !== StreamMode.ON_DEMAND) {
      throw new ServiceError(
        'InvalidArgumentException',
        `The record distribution strategy is only supported for streams in ON_DEMAND capacity mode; stream ${s.name} under account ${s.accountId} is PROVISIONED.`,
      );
    }
    return { ...s, recordDistributionStrategy: input.RecordDistributionStrategy };
  });
}
