/**
 * A hermetic Kinesis environment for control-plane unit tests: memory storage, a ManualClock, the
 * control plane's handlers called directly (no HTTP), small state delays.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ServiceError } from '../../../src/model/service-error.js';
import type { RequestContext } from '../../../src/model/context.js';
import { ManualClock } from '../../../src/model/context.js';
import type * as T from '../../../src/model/generated/kinesis-types.js';
import { silentLogger } from '../../../src/logger.js';
import { openStorage } from '../../../src/storage/open-storage.js';
import type { Storage } from '../../../src/storage/contract.js';
import { KinesisBackground } from '../../../src/kinesis/background.js';
import { controlPlaneHandlers, registerStreamCleanup } from '../../../src/kinesis/control-plane.js';
import type { KinesisEnv } from '../../../src/kinesis/env.js';
import type { KinesisSettings } from '../../../src/kinesis/settings.js';
import { defaultKinesisSettings } from '../../../src/kinesis/settings.js';
import { StreamStore } from '../../../src/kinesis/stream-store.js';
import { ShardUsageMeter } from '../../../src/kinesis/usage.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const DELAY_MS = 50;

export function contextFor(accountId = ACCOUNT, region = REGION): RequestContext {
  return {
    requestId: randomUUID(),
    region,
    caller: { accountId },
    protocol: 'json',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    secureTransport: false,
    signal: new AbortController().signal,
  };
}

type Ops = Required<Pick<T.KinesisHandlers, Exclude<T.KinesisOperationName, 'PutRecord' | 'PutRecords' | 'GetRecords' | 'GetShardIterator' | 'SubscribeToShard' | 'RegisterStreamConsumer' | 'DeregisterStreamConsumer' | 'DescribeStreamConsumer' | 'ListStreamConsumers' | 'CreateChannel' | 'DeleteChannel' | 'DescribeChannel' | 'ListChannels' | 'UpdateChannel'>>>;

export interface TestKinesis {
  readonly env: KinesisEnv;
  readonly clock: ManualClock;
  readonly storage: Storage;
  readonly background: KinesisBackground;
  readonly ctx: RequestContext;
  /** Call an operation as the default test caller (or `context`). */
  call<K extends keyof Ops>(op: K, input: Parameters<Ops[K]>[0], context?: RequestContext): ReturnType<Ops[K]>;
  /** Advance the clock past every pending state transition and run the background duties. */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function testKinesis(overrides: Partial<KinesisSettings> = {}): Promise<TestKinesis> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const storage = await openStorage({ inMemory: true, clock });
  const settings: KinesisSettings = {
    ...defaultKinesisSettings,
    createStreamMs: DELAY_MS,
    updateStreamMs: DELAY_MS,
    deleteStreamMs: DELAY_MS,
    backgroundIntervalMs: 0,
    ...overrides,
  };
  const streams = new StreamStore(storage.metadata, storage.logs, clock, silentLogger);
  const env: KinesisEnv = { storage, clock, logger: silentLogger, settings, streams, usage: new ShardUsageMeter() };
  registerStreamCleanup(env);
  const handlers = controlPlaneHandlers(env);
  const background = new KinesisBackground(env);
  const ctx = contextFor();
  return {
    env,
    clock,
    storage,
    background,
    ctx,
    call(op, input, context = ctx) {
      const h = handlers[op];
      if (!h) throw new Error(`no handler for ${op}`);
      return h(input, context) as never;
    },
    async settle(ms = DELAY_MS) {
      clock.advance(ms);
      await background.tick();
    },
    async close() {
      await background.close();
      await storage.close();
    },
  };
}

/** Assert that `promise` rejects with a ServiceError of `code` (and a message matching `message`). */
export async function rejects(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}
