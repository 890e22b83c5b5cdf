/**
 * RegisterStreamConsumer: a consumer starts CREATING and becomes ACTIVE after settings.consumerMs.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html
 */
import type { RequestContext } from '../../model/context.js';
import type { RegisterStreamConsumerInput, RegisterStreamConsumerOutput } from '../../model/generated/kinesis-types.js';
import { consumerOutput } from '../consumers.js';
import type { FanOutEnv } from '../fan-out.js';

export async function registerStreamConsumer(
  fan: FanOutEnv,
  input: RegisterStreamConsumerInput,
  context: RequestContext,
): Promise<RegisterStreamConsumerOutput> {
  const consumer = await fan.consumers.register(context, input.StreamARN, input.ConsumerName, input.Tags ?? {});
  return { Consumer: consumerOutput(consumer) };
}
