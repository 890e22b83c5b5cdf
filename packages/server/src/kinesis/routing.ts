/**
 * Routing of records to open shards: a record's hash key is MD5(partition key as UTF-8) read as an
 * unsigned big-endian 128-bit integer, or its ExplicitHashKey (decimal); it goes to the open shard
 * whose [StartingHashKey, EndingHashKey] contains it.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 *
 * Hot path: a {@link RoutingTable} is built once per (stream uid, stream version) and cached. Hash
 * keys are compared as 16-byte big-endian buffers (no BigInt per record); a lookup is a binary search
 * over the sorted starting keys of the open shards. Each slot carries caller-defined state (the data
 * plane keeps the shard's log and write limiter there), carried over from the previous table of the
 * same stream when the shard is still open.
 */
import { hash as digest } from 'node:crypto';
import type { Versioned } from '../storage/contract.js';
import { MAX_HASH_KEY } from './hash-key.js';
import type { ShardRecord, StreamRecord } from './records.js';
import { openShards } from './stream-store.js';

const HASH_KEY_BYTES = 16;

/** A 128-bit hash key as 16 big-endian bytes. */
export function hashKeyBytes(value: bigint): Buffer {
  const out = Buffer.allocUnsafe(HASH_KEY_BYTES);
  out.writeBigUInt64BE(value >> 64n, 0);
  out.writeBigUInt64BE(value & 0xffffffffffffffffn, 8);
  return out;
}

/** MD5 of the partition key (UTF-8): the 16 bytes are the big-endian hash key. */
export function partitionKeyHashBytes(partitionKey: string): Buffer {
  return digest('md5', partitionKey, 'buffer');
}

/** ExplicitHashKey (decimal) → 16 bytes, or undefined when it is outside 0 … 2^128-1. */
export function explicitHashKeyBytes(explicitHashKey: string): Buffer | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(explicitHashKey)) return undefined;
  const v = BigInt(explicitHashKey);
  if (v > MAX_HASH_KEY) return undefined;
  return hashKeyBytes(v);
}

export interface RouteSlot<T> {
  readonly shard: ShardRecord;
  readonly startKey: Buffer;
  readonly endKey: Buffer;
  /** Caller state for this shard (log handle, limiter, …). */
  readonly state: T;
}

export class RoutingTable<T> {
  /** Open shards sorted by starting hash key. */
  readonly slots: readonly RouteSlot<T>[];
  private readonly byShardId = new Map<string, number>();
  private roundRobin = 0;

  constructor(
    readonly streamUid: string,
    readonly version: number,
    slots: RouteSlot<T>[],
  ) {
    this.slots = slots;
    for (let i = 0; i < slots.length; i++) this.byShardId.set(slots[i].shard.shardId, i);
  }

  /** Index of the slot whose range contains the 16-byte hash key, or -1 (a gap: never for a sound stream). */
  indexOf(hashKey: Uint8Array): number {
    const slots = this.slots;
    let lo = 0;
    let hi = slots.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(slots[mid].startKey, hashKey) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || Buffer.compare(hashKey, slots[found].endKey) > 0) return -1;
    return found;
  }

  /** Slot for a record routed by the AUTO distribution strategy: even spread over the open shards. */
  nextAutoIndex(): number {
    const i = this.roundRobin;
    this.roundRobin = (i + 1) % this.slots.length;
    return i;
  }

  slotIndexOfShard(shardId: string): number {
    return this.byShardId.get(shardId) ?? -1;
  }
}

/**
 * Routing tables by stream uid, rebuilt only when the stream's version changes. `createState` makes a
 * slot's state for a shard that was not open in the previous table of the same stream.
 */
export class RoutingCache<T> {
  private readonly tables = new Map<string, RoutingTable<T>>();

  constructor(
    private readonly createState: (stream: StreamRecord, shard: ShardRecord) => T,
    private readonly maxStreams = 10_000,
  ) {}

  get(stream: Versioned<StreamRecord>): RoutingTable<T> {
    const uid = stream.value.uid;
    const cached = this.tables.get(uid);
    if (cached && cached.version === stream.version) return cached;
    if (cached && cached.version > stream.version) return cached;
    const table = this.build(stream, cached);
    if (!cached && this.tables.size >= this.maxStreams) this.tables.clear();
    this.tables.set(uid, table);
    return table;
  }

  forget(streamUid: string): void {
    this.tables.delete(streamUid);
  }

  private build(stream: Versioned<StreamRecord>, previous: RoutingTable<T> | undefined): RoutingTable<T> {
    const slots: RouteSlot<T>[] = [];
    for (const shard of openShards(stream.value)) {
      const prevIndex = previous ? previous.slotIndexOfShard(shard.shardId) : -1;
      const state = prevIndex >= 0 && previous ? previous.slots[prevIndex].state : this.createState(stream.value, shard);
      slots.push({
        shard,
        startKey: hashKeyBytes(BigInt(shard.startingHashKey)),
        endKey: hashKeyBytes(BigInt(shard.endingHashKey)),
        state,
      });
    }
    return new RoutingTable(stream.value.uid, stream.version, slots);
  }
}
