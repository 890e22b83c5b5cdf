/**
 * RegisterStreamConsumer: a consumer starts CREATING and becomes ACTIVE after settings.consumerMs.
 * Tags follow the same rules as stream tags (tags.ts).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html
 */
import type { RequestContext } from '../../model/context.js';
import type { RegisterStreamConsumerInput, RegisterStreamConsumerOutput } from '../../model/generated/kinesis-types.js';
import { consumerOutput } from '../consumers.js';
import type { FanOutEnv } from '../fan-out.js';
import { resolveKinesisSettings } from '../settings.js';
import { mergeTags } from '../tags.js';

export async function registerStreamConsumer(
  fan: FanOutEnv,
  input: RegisterStreamConsumerInput,
  context: RequestContext,
): Promise<RegisterStreamConsumerOutput> {
  const tags = mergeTags({}, input.Tags ?? {}, resolveKinesisSettings(fan.env.settings).maxTagsPerResource);
  const consumer = await fan.consumers.register(context, input.StreamARN, input.ConsumerName, tags);
  return { Consumer: consumerOutput(consumer) };
}
