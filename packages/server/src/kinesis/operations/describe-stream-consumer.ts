/**
 * DescribeStreamConsumer: by ConsumerARN, or by StreamARN + ConsumerName.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamConsumer.html
 */
import type { RequestContext } from '../../model/context.js';
import type { DescribeStreamConsumerInput, DescribeStreamConsumerOutput } from '../../model/generated/kinesis-types.js';
import { consumerOutput } from '../consumers.js';
import type { FanOutEnv } from '../fan-out.js';

export async function describeStreamConsumer(
  fan: FanOutEnv,
  input: DescribeStreamConsumerInput,
  context: RequestContext,
): Promise<DescribeStreamConsumerOutput> {
  const { consumer } = await fan.consumers.resolve(context, input);
  return { ConsumerDescription: { ...consumerOutput(consumer.value), StreamARN: consumer.value.streamArn } };
}
