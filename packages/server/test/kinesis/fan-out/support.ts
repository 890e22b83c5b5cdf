/**
 * Test support for the fan-out unit tests: the data plane's test environment (memory storage,
 * ManualClock) plus the fan-out state, and helpers to register an ACTIVE consumer and to pull events
 * from a subscription with a real-time bound.
 */
import type { RequestContext } from '../../../src/model/context.js';
import type { EventStreamEvent } from '../../../src/model/operation.js';
import type { FanOutEnv } from '../../../src/kinesis/fan-out.js';
import { createFanOutEnv } from '../../../src/kinesis/fan-out.js';
import type { ShardEvent, SubscriptionOptions } from '../../../src/kinesis/subscriptions.js';
import { registerStreamConsumer } from '../../../src/kinesis/operations/register-stream-consumer.js';
import { subscribeToShard } from '../../../src/kinesis/operations/subscribe-to-shard.js';
import type { StartingPosition } from '../../../src/model/generated/kinesis-types.js';
import type { TestPlane } from '../data-plane/support.js';
import { openTestPlane, requestContext } from '../data-plane/support.js';

export interface FanOutPlane extends TestPlane {
  readonly fan: FanOutEnv;
}

export async function openFanOutPlane(
  options: { limits?: boolean; subscriptions?: Partial<SubscriptionOptions> } = {},
): Promise<FanOutPlane> {
  const plane = await openTestPlane({ limits: options.limits ?? false });
  const fan = createFanOutEnv(plane.env, { heartbeatMs: 50, ...options.subscriptions });
  return {
    ...plane,
    fan,
    close: async () => {
      fan.subscriptions.close();
      await plane.close();
    },
  };
}

/** Register a consumer and let it become ACTIVE (advances the manual clock past consumerMs). */
export async function activeConsumer(plane: FanOutPlane, streamArn: string, name: string): Promise<string> {
  const out = await registerStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: name }, plane.ctx);
  plane.clock.advance(plane.env.settings.consumerMs);
  return out.Consumer.ConsumerARN;
}

export interface Subscribed {
  readonly iterator: AsyncIterator<EventStreamEvent>;
  readonly abort: AbortController;
}

export async function subscribe(
  plane: FanOutPlane,
  consumerArn: string,
  shardId: string,
  position: StartingPosition,
): Promise<Subscribed> {
  const abort = new AbortController();
  const ctx: RequestContext = { ...requestContext(), signal: abort.signal };
  const out = await subscribeToShard(plane.fan, { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position }, ctx);
  return { iterator: out.EventStream[Symbol.asyncIterator]() as AsyncIterator<EventStreamEvent>, abort };
}

/** The next event's SubscribeToShardEvent, or 'done'; fails the test after `timeoutMs` of real time. */
export async function nextEvent(sub: Subscribed, timeoutMs = 2000): Promise<ShardEvent | 'done'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const r = await Promise.race([sub.iterator.next(), timeout]);
    if (r.done) return 'done';
    const event = r.value.SubscribeToShardEvent as ShardEvent | undefined;
    if (!event) throw new Error(`unexpected event ${Object.keys(r.value).join()}`);
    return event;
  } finally {
    clearTimeout(timer);
  }
}

/** Skip heartbeats: the next event that has records (or the shard-end event). */
export async function nextDataEvent(sub: Subscribed, timeoutMs = 2000): Promise<ShardEvent | 'done'> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const e = await nextEvent(sub, Math.max(1, deadline - Date.now()));
    if (e === 'done' || e.Records.length > 0 || e.ChildShards !== undefined) return e;
  }
}

export { requestContext };
