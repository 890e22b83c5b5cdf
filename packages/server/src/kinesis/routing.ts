/**
 * Routing of records to open shards: a record's hash key is MD5(partition key as UTF-8) read as an
 * unsigned big-endian 128-bit integer, or its ExplicitHashKey (decimal); it goes to the open shard
 * whose [StartingHashKey, EndingHashKey] contains it.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 *
 * Hot path: a {@link RoutingTable} is built once per (stream uid, stream version) and cached. Hash
 * keys are compared as four uint32 words (no BigInt per record); a lookup is a binary search
 * over the sorted starting keys of the open shards. Each slot carries caller-defined state (the data
 * plane keeps the shard's log and write limiter there), carried over from the previous table of the
 * same stream when the shard is still open.
 */
import type { Versioned } from '../storage/contract.js';
import { MAX_HASH_KEY } from './hash-key.js';
import type { ShardRecord, StreamRecord } from './records.js';
import { openShards } from './stream-store.js';

/**
 * A 128-bit hash key as four big-endian uint32 words (most significant first). Compared word by word:
 * no BigInt and no Buffer per record.
 */
export type HashKeyWords = Uint32Array;

export function hashKeyWords(value: bigint, out: HashKeyWords = new Uint32Array(4)): HashKeyWords {
  out[0] = Number((value >> 96n) & 0xffffffffn);
  out[1] = Number((value >> 64n) & 0xffffffffn);
  out[2] = Number((value >> 32n) & 0xffffffffn);
  out[3] = Number(value & 0xffffffffn);
  return out;
}

export function compareHashKeys(a: HashKeyWords, b: HashKeyWords): number {
  for (let i = 0; i < 4; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

// MD5 (RFC 1321) of a short string, in JavaScript: for partition keys (≤ 256 characters) it is about
// twice as fast as a native crypto call, which pays a per-call crossing and a Buffer allocation.
// Checked against node:crypto by test/kinesis/data-plane/routing.test.ts.
const MD5_S = new Uint8Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16,
  23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
const MD5_K = new Int32Array(64);
for (let i = 0; i < 64; i++) MD5_K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;
const md5Block = new Int32Array(16);
const utf8 = new TextEncoder();
let md5Scratch = new Uint8Array(1024);

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** MD5 of the UTF-8 bytes of `text`, as the big-endian 128-bit hash key. */
export function md5HashKey(text: string, out: HashKeyWords = new Uint32Array(4)): HashKeyWords {
  let len = text.length;
  if (len * 3 + 72 > md5Scratch.length) md5Scratch = new Uint8Array(len * 3 + 72);
  const buf = md5Scratch;
  let ascii = true;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) {
      ascii = false;
      break;
    }
    buf[i] = c;
  }
  if (!ascii) len = utf8.encodeInto(text, buf).written;
  const padded = (((len + 8) >>> 6) + 1) * 64;
  buf[len] = 0x80;
  for (let i = len + 1; i < padded - 8; i++) buf[i] = 0;
  const bitsLo = (len * 8) >>> 0;
  const bitsHi = Math.floor((len * 8) / 2 ** 32) >>> 0;
  for (let i = 0; i < 4; i++) {
    buf[padded - 8 + i] = (bitsLo >>> (8 * i)) & 0xff;
    buf[padded - 4 + i] = (bitsHi >>> (8 * i)) & 0xff;
  }
  let a0 = 0x67452301 | 0;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476 | 0;
  const M = md5Block;
  for (let block = 0; block < padded; block += 64) {
    for (let j = 0; j < 16; j++) {
      const o = block + j * 4;
      M[j] = buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24);
    }
    let A = a0;
    let B = b0;
    let C = c0;
    let D = d0;
    for (let i = 0; i < 64; i++) {
      let F: number;
      let g: number;
      if (i < 16) {
        F = (B & C) | (~B & D);
        g = i;
      } else if (i < 32) {
        F = (D & B) | (~D & C);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        F = B ^ C ^ D;
        g = (3 * i + 5) & 15;
      } else {
        F = C ^ (B | ~D);
        g = (7 * i) & 15;
      }
      F = (F + A + MD5_K[i] + M[g]) | 0;
      A = D;
      D = C;
      C = B;
      const r = MD5_S[i];
      B = (B + ((F << r) | (F >>> (32 - r)))) | 0;
    }
    a0 = (a0 + A) | 0;
    b0 = (b0 + B) | 0;
    c0 = (c0 + C) | 0;
    d0 = (d0 + D) | 0;
  }
  // The digest is A, B, C, D little-endian; read as one big-endian integer each word is byte-swapped.
  out[0] = bswap32(a0);
  out[1] = bswap32(b0);
  out[2] = bswap32(c0);
  out[3] = bswap32(d0);
  return out;
}

/** ExplicitHashKey (decimal) → words, or undefined when it is outside 0 … 2^128-1. */
export function explicitHashKeyWords(explicitHashKey: string, out: HashKeyWords = new Uint32Array(4)): HashKeyWords | undefined {
  if (!/^(0|[1-9]\d{0,38})$/.test(explicitHashKey)) return undefined;
  const v = BigInt(explicitHashKey);
  if (v > MAX_HASH_KEY) return undefined;
  return hashKeyWords(v, out);
}

export interface RouteSlot<T> {
  readonly shard: ShardRecord;
  readonly startKey: HashKeyWords;
  readonly endKey: HashKeyWords;
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

  /** Index of the slot whose range contains the hash key, or -1 (a gap: never for a sound stream). */
  indexOf(hashKey: HashKeyWords): number {
    const slots = this.slots;
    let lo = 0;
    let hi = slots.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareHashKeys(slots[mid].startKey, hashKey) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || compareHashKeys(hashKey, slots[found].endKey) > 0) return -1;
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
        startKey: hashKeyWords(BigInt(shard.startingHashKey)),
        endKey: hashKeyWords(BigInt(shard.endingHashKey)),
        state,
      });
    }
    return new RoutingTable(stream.value.uid, stream.version, slots);
  }
}
