/**
 * Test support for the data plane unit tests: a Kinesis environment over memory storage and a
 * ManualClock, streams created directly as StreamRecords, and minimal split/merge that follow the
 * control plane's order (seal the parents' logs, then commit the closed parents and their children).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../src/model/context.js';
import { ManualClock } from '../../../src/model/context.js';
import { silentLogger } from '../../../src/logger.js';
import type { Storage, Versioned } from '../../../src/storage/contract.js';
import { openStorage } from '../../../src/storage/open-storage.js';
import type { DataPlaneContext } from '../../../src/kinesis/data-plane.js';
import { createDataPlaneContext } from '../../../src/kinesis/data-plane.js';
import type { KinesisEnv } from '../../../src/kinesis/env.js';
import { streamArn } from '../../../src/kinesis/arn.js';
import { evenHashRanges } from '../../../src/kinesis/hash-key.js';
import type { ShardRecord, StreamRecord } from '../../../src/kinesis/records.js';
import { StreamMode, StreamStatus, shardIdFor } from '../../../src/kinesis/records.js';
import { defaultKinesisSettings } from '../../../src/kinesis/settings.js';
import { StreamStore, findShard } from '../../../src/kinesis/stream-store.js';
import { ShardUsageMeter } from '../../../src/kinesis/usage.js';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface TestPlane {
  readonly clock: ManualClock;
  readonly storage: Storage;
  readonly env: KinesisEnv;
  readonly dp: DataPlaneContext;
  readonly ctx: RequestContext;
  close(): Promise<void>;
}

export function requestContext(accountId = ACCOUNT, region = REGION): RequestContext {
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

export async function openTestPlane(options: { limits?: boolean; storage?: Storage; clock?: ManualClock } = {}): Promise<TestPlane> {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const storage = options.storage ?? (await openStorage({ inMemory: true, clock }));
  const streams = new StreamStore(storage.metadata, storage.logs, clock, silentLogger);
  const env: KinesisEnv = {
    storage,
    clock,
    logger: silentLogger,
    settings: { ...defaultKinesisSettings, limits: options.limits ?? false },
    streams,
    usage: new ShardUsageMeter(),
  };
  const dp = await createDataPlaneContext(env);
  return { clock, storage, env, dp, ctx: requestContext(), close: () => storage.close() };
}

export async function createTestStream(
  plane: TestPlane,
  name: string,
  shardCount: number,
  overrides: Partial<StreamRecord> = {},
): Promise<Versioned<StreamRecord>> {
  const now = plane.clock.now();
  const shards: ShardRecord[] = evenHashRanges(shardCount).map(([lo, hi], i) => ({
    shardId: shardIdFor(i),
    index: i,
    startingHashKey: lo.toString(),
    endingHashKey: hi.toString(),
    createdMs: now,
  }));
  const record: StreamRecord = {
    uid: randomUUID(),
    salt: randomBytes(4).readUInt32BE(0),
    accountId: ACCOUNT,
    region: REGION,
    name,
    arn: streamArn(REGION, ACCOUNT, name),
    status: StreamStatus.ACTIVE,
    createdMs: now,
    mode: StreamMode.PROVISIONED,
    modeSwitchesMs: [],
    retentionHours: 24,
    encryptionType: 'NONE',
    shardLevelMetrics: [],
    maxRecordSizeKiB: 1024,
    tags: {},
    shards,
    nextShardIndex: shardCount,
    shardCountUpdatesMs: [],
    ...overrides,
  };
  return plane.env.streams.create(record);
}

async function sealAndCommit(
  plane: TestPlane,
  name: string,
  parents: readonly string[],
  change: (stream: StreamRecord, endOffsets: ReadonlyMap<string, number>) => StreamRecord,
): Promise<StreamRecord> {
  const current = await plane.env.streams.resolve(plane.ctx, { StreamName: name });
  const endOffsets = new Map<string, number>();
  for (const id of parents) {
    const log = await plane.env.streams.shardLog(current.value, id);
    await log.seal();
    endOffsets.set(id, log.endOffset());
  }
  const next = change(current.value, endOffsets);
  const committed = await plane.env.streams.replace(current, next);
  if (!committed) throw new Error('concurrent change in test');
  return committed.value;
}

/** Split like SplitShard: parent closed, children [start, mid-1] and [mid, end]. */
export async function splitShard(plane: TestPlane, name: string, shardId: string, newStartingHashKey: bigint): Promise<StreamRecord> {
  return sealAndCommit(plane, name, [shardId], (s, ends) => {
    const parent = findShard(s, shardId);
    if (!parent || parent.closedMs !== undefined) throw new Error(`cannot split ${shardId}`);
    const now = plane.clock.now();
    const lo: ShardRecord = {
      shardId: shardIdFor(s.nextShardIndex),
      index: s.nextShardIndex,
      parentShardId: shardId,
      startingHashKey: parent.startingHashKey,
      endingHashKey: (newStartingHashKey - 1n).toString(),
      createdMs: now,
    };
    const hi: ShardRecord = {
      shardId: shardIdFor(s.nextShardIndex + 1),
      index: s.nextShardIndex + 1,
      parentShardId: shardId,
      startingHashKey: newStartingHashKey.toString(),
      endingHashKey: parent.endingHashKey,
      createdMs: now,
    };
    const shards = s.shards.map((x) => (x.shardId === shardId ? { ...x, closedMs: now, endOffset: ends.get(shardId) } : x));
    return { ...s, shards: [...shards, lo, hi], nextShardIndex: s.nextShardIndex + 2 };
  });
}

/** Merge like MergeShards: both closed, one child with ParentShardId and AdjacentParentShardId. */
export async function mergeShards(plane: TestPlane, name: string, shardId: string, adjacentId: string): Promise<StreamRecord> {
  return sealAndCommit(plane, name, [shardId, adjacentId], (s, ends) => {
    const a = findShard(s, shardId);
    const b = findShard(s, adjacentId);
    if (!a || !b) throw new Error('cannot merge');
    const [low, high] = BigInt(a.startingHashKey) < BigInt(b.startingHashKey) ? [a, b] : [b, a];
    if (BigInt(low.endingHashKey) + 1n !== BigInt(high.startingHashKey)) throw new Error('not adjacent');
    const now = plane.clock.now();
    const child: ShardRecord = {
      shardId: shardIdFor(s.nextShardIndex),
      index: s.nextShardIndex,
      parentShardId: shardId,
      adjacentParentShardId: adjacentId,
      startingHashKey: low.startingHashKey,
      endingHashKey: high.endingHashKey,
      createdMs: now,
    };
    const shards = s.shards.map((x) =>
      x.shardId === shardId || x.shardId === adjacentId ? { ...x, closedMs: now, endOffset: ends.get(x.shardId) } : x,
    );
    return { ...s, shards: [...shards, child], nextShardIndex: s.nextShardIndex + 1 };
  });
}

/** A small deterministic PRNG (mulberry32) for seeded property tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poll DescribeStreamSummary until the stream is ACTIVE (every 5 ms, up to 3 s). */
export async function waitActive(kinesis: KinesisClient, name: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}
