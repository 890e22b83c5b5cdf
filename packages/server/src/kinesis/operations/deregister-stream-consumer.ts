/**
 * DeregisterStreamConsumer: DELETING now (its live subscriptions end with an exception event), gone
 * after settings.consumerMs.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DeregisterStreamConsumer.html
 */
import type { RequestContext } from '../../model/context.js';
import type { DeregisterStreamConsumerInput } from '../../model/generated/kinesis-types.js';
import type { FanOutEnv } from '../fan-out.js';

export async function deregisterStreamConsumer(
  fan: FanOutEnv,
  input: DeregisterStreamConsumerInput,
  context: RequestContext,
): Promise<void> {
  await fan.consumers.deregister(context, input);
}
