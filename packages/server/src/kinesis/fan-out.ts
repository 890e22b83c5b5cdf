/**
 * Enhanced fan-out: stream consumers (RegisterStreamConsumer, DescribeStreamConsumer,
 * ListStreamConsumers, DeregisterStreamConsumer) and SubscribeToShard. Builds the consumer store and
 * the subscription manager and ties them to stream life: a deleted stream takes its consumers and
 * ends their subscriptions; a stream change (reshard) wakes its subscriptions so a closed shard ends
 * promptly; a deregistered consumer's subscriptions end with ResourceNotFoundException.
 */
import type { RequestContext } from '../model/context.js';
import type {
  DeregisterStreamConsumerInput,
  DescribeStreamConsumerInput,
  ListStreamConsumersInput,
  RegisterStreamConsumerInput,
  SubscribeToShardInput,
} from '../model/generated/kinesis-types.js';
import type { OperationHandler } from '../model/operation.js';
import { ServiceError } from '../model/service-error.js';
import type { KinesisPart } from './binding.js';
import { ConsumerStore } from './consumers.js';
import type { KinesisEnv } from './env.js';
import { deregisterStreamConsumer } from './operations/deregister-stream-consumer.js';
import { describeStreamConsumer } from './operations/describe-stream-consumer.js';
import { listStreamConsumers } from './operations/list-stream-consumers.js';
import { registerStreamConsumer } from './operations/register-stream-consumer.js';
import { subscribeToShard } from './operations/subscribe-to-shard.js';
import type { SubscriptionOptions } from './subscriptions.js';
import { SubscriptionManager, defaultSubscriptionOptions } from './subscriptions.js';

/** What the fan-out operations receive besides their input and context. */
export interface FanOutEnv {
  readonly env: KinesisEnv;
  readonly consumers: ConsumerStore;
  readonly subscriptions: SubscriptionManager;
}

/** Consumers CREATING at once per account (AWS: 5). */
const MAX_CREATING_CONSUMERS = 5;

/** Build the fan-out state (exposed for tests and benchmarks that drive it without HTTP). */
export function createFanOutEnv(env: KinesisEnv, overrides: Partial<SubscriptionOptions> = {}): FanOutEnv {
  const logger = env.logger.child({ component: 'fan-out' });
  const consumers = new ConsumerStore(
    env.storage.metadata,
    env.streams,
    env.clock,
    { maxPerStream: env.settings.maxConsumersPerStream, maxCreating: MAX_CREATING_CONSUMERS, transitionMs: env.settings.consumerMs },
    logger,
  );
  const options: SubscriptionOptions = {
    ...defaultSubscriptionOptions,
    bytesPerSecond: env.settings.limits ? defaultSubscriptionOptions.bytesPerSecond : undefined,
    ...overrides,
  };
  const subscriptions = new SubscriptionManager({ streams: env.streams, clock: env.clock, logger }, options);
  consumers.onGone((consumer) =>
    subscriptions.endConsumer(consumer.arn, new ServiceError('ResourceNotFoundException', `Consumer ${consumer.arn} not found.`)),
  );
  env.streams.onTransition(async (before, after) => {
    if (after === undefined) {
      subscriptions.endStream(
        before.uid,
        new ServiceError('ResourceNotFoundException', `Stream ${before.name} under account ${before.accountId} not found.`),
      );
      await consumers.removeAll(before.uid);
    } else {
      subscriptions.wakeStream(before.uid);
    }
  });
  return { env, consumers, subscriptions };
}

export async function fanOut(env: KinesisEnv, overrides: Partial<SubscriptionOptions> = {}): Promise<KinesisPart> {
  const fan = createFanOutEnv(env, overrides);
  return fanOutPart(fan);
}

export function fanOutPart(fan: FanOutEnv): KinesisPart {
  const handlers: Record<string, OperationHandler> = {
    RegisterStreamConsumer: (input: unknown, context: RequestContext) =>
      registerStreamConsumer(fan, input as RegisterStreamConsumerInput, context),
    DescribeStreamConsumer: (input: unknown, context: RequestContext) =>
      describeStreamConsumer(fan, input as DescribeStreamConsumerInput, context),
    ListStreamConsumers: (input: unknown, context: RequestContext) => listStreamConsumers(fan, input as ListStreamConsumersInput, context),
    DeregisterStreamConsumer: (input: unknown, context: RequestContext) =>
      deregisterStreamConsumer(fan, input as DeregisterStreamConsumerInput, context),
    SubscribeToShard: (input: unknown, context: RequestContext) => subscribeToShard(fan, input as SubscribeToShardInput, context),
  };
  return {
    handlers,
    // Ending every live subscription (the clients resubscribe elsewhere or after restart, from their
    // ContinuationSequenceNumber) lets shutdown finish without waiting for the grace period.
    async drain() {
      fan.subscriptions.close();
    },
    async close() {
      fan.subscriptions.close();
    },
  };
}
