/**
 * DeleteStream: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DeleteStream.html
 * ACTIVE or UPDATING streams go DELETING for deleteStreamMs, then disappear (their logs, consumers and
 * policies are destroyed by the transition hook in control-plane.ts). With registered consumers the
 * call fails with ResourceInUseException unless EnforceConsumerDeletion is true.
 */
import type { RequestContext } from '../../model/context.js';
import type { DeleteStreamInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { StreamStatus, consumerPrefix } from '../records.js';
import { requireStatus } from '../stream-store.js';

export async function deleteStream(env: KinesisEnv, input: DeleteStreamInput, context: RequestContext): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await env.streams.resolve(context, input);
    const stream = current.value;
    requireStatus(stream, [StreamStatus.ACTIVE, StreamStatus.UPDATING]);
    const consumers = await env.storage.metadata.list(consumerPrefix(stream.uid));
    if (consumers.length > 0 && input.EnforceConsumerDeletion !== true) {
      throw new ServiceError(
        'ResourceInUseException',
        `Stream ${stream.name} under account ${stream.accountId} has registered consumers. Deregister them first, or set EnforceConsumerDeletion.`,
      );
    }
    const committed = await env.streams.replace(current, {
      ...stream,
      status: StreamStatus.DELETING,
      statusReadyAtMs: env.clock.now() + env.settings.deleteStreamMs,
    });
    if (committed) return;
  }
  throw new ServiceError('LimitExceededException', 'Too many concurrent updates to the stream; retry the request.');
}
