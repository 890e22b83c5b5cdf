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

// MD5 (RFC 1321) of a short byte string, in JavaScript: for partition keys
// (≤ 256 characters, one to five blocks) it is several times faster than a native crypto call, which
// pays a per-call crossing and a Buffer allocation. Checked against node:crypto by
// test/kinesis/data-plane/routing.test.ts.

/** Scratch for the padded message; grown for long keys. */
let md5Scratch = new Uint8Array(1088);
const md5State = new Int32Array(4);

const MD5_S = new Int32Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16,
  23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
const MD5_K = new Int32Array(64);
for (let i = 0; i < 64; i++) MD5_K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;
/** Message word index of each step. */
const MD5_G = new Int32Array(64);
for (let i = 0; i < 64; i++) MD5_G[i] = i < 16 ? i : i < 32 ? (5 * i + 1) & 15 : i < 48 ? (3 * i + 5) & 15 : (7 * i) & 15;
const md5Words = new Int32Array(16);

/** Run the MD5 compression over the padded message `m[0, padded)`; the state ends in md5State. */
function md5Blocks(m: Uint8Array, padded: number): void {
  md5State[0] = 0x67452301;
  md5State[1] = 0xefcdab89 | 0;
  md5State[2] = 0x98badcfe | 0;
  md5State[3] = 0x10325476;
  const x = md5Words;
  for (let o = 0; o < padded; o += 64) {
    for (let j = 0; j < 16; j++) {
      const p = o + 4 * j;
      x[j] = m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24);
    }
    md5Compress();
  }
}

/** One MD5 block: the message words in md5Words, the running state in md5State. */
function md5Compress(): void {
  const x = md5Words;
  const K = MD5_K;
  const S = MD5_S;
  const G = MD5_G;
  const a0 = md5State[0];
  const b0 = md5State[1];
  const c0 = md5State[2];
  const d0 = md5State[3];
  let a = a0;
  let b = b0;
  let c = c0;
  let d = d0;
  // Four rounds of 16 steps, one loop each so that no step branches on its round.
  for (let i = 0; i < 16; i++) {
    const n = (a + ((b & c) | (~b & d)) + x[i] + K[i]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((n << S[i]) | (n >>> (32 - S[i])))) | 0;
  }
  for (let i = 16; i < 32; i++) {
    const n = (a + ((b & d) | (c & ~d)) + x[G[i]] + K[i]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((n << S[i]) | (n >>> (32 - S[i])))) | 0;
  }
  for (let i = 32; i < 48; i++) {
    const n = (a + (b ^ c ^ d) + x[G[i]] + K[i]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((n << S[i]) | (n >>> (32 - S[i])))) | 0;
  }
  for (let i = 48; i < 64; i++) {
    const n = (a + (c ^ (b | ~d)) + x[G[i]] + K[i]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((n << S[i]) | (n >>> (32 - S[i])))) | 0;
  }
  md5State[0] = (a0 + a) | 0;
  md5State[1] = (b0 + b) | 0;
  md5State[2] = (c0 + c) | 0;
  md5State[3] = (d0 + d) | 0;
}

/** Pad `m[0, len)` in place (MD5 padding); returns the padded length. */
function md5Pad(m: Uint8Array, len: number): number {
  const padded = (((len + 8) >>> 6) + 1) * 64;
  m[len] = 0x80;
  for (let i = len + 1; i < padded - 8; i++) m[i] = 0;
  const bitsLo = (len * 8) >>> 0;
  const bitsHi = Math.floor((len * 8) / 2 ** 32) >>> 0;
  m[padded - 8] = bitsLo;
  m[padded - 7] = bitsLo >>> 8;
  m[padded - 6] = bitsLo >>> 16;
  m[padded - 5] = bitsLo >>> 24;
  m[padded - 4] = bitsHi;
  m[padded - 3] = bitsHi >>> 8;
  m[padded - 2] = bitsHi >>> 16;
  m[padded - 1] = bitsHi >>> 24;
  return padded;
}

function md5Out(out: HashKeyWords): HashKeyWords {
  // The digest is A, B, C, D little-endian; read as one big-endian integer each word is byte-swapped.
  out[0] = bswap32(md5State[0]);
  out[1] = bswap32(md5State[1]);
  out[2] = bswap32(md5State[2]);
  out[3] = bswap32(md5State[3]);
  return out;
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

const utf8 = new TextEncoder();

/** MD5 of the UTF-8 bytes of `text`, as the big-endian 128-bit hash key. */
export function md5HashKey(text: string, out: HashKeyWords = new Uint32Array(4)): HashKeyWords {
  let len = text.length;
  if (len * 3 + 72 > md5Scratch.length) md5Scratch = new Uint8Array(len * 3 + 72);
  const m = md5Scratch;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) {
      len = utf8.encodeInto(text, m).written;
      break;
    }
    m[i] = c;
  }
  md5Blocks(m, md5Pad(m, len));
  return md5Out(out);
}

/** MD5 of the bytes `src[start, end)`, as the big-endian 128-bit hash key (no string, no allocation). */
export function md5HashKeyOfBytes(src: Uint8Array, start: number, end: number, out: HashKeyWords = new Uint32Array(4)): HashKeyWords {
  const len = end - start;
  if (len <= 55) {
    // One block (most partition keys): build its words straight from the source, padding included.
    const x = md5Words;
    const whole = len >>> 2;
    for (let j = 0; j < whole; j++) {
      const p = start + 4 * j;
      x[j] = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
    }
    // The partial word: the remaining bytes, then 0x80.
    const rest = len & 3;
    const p = start + 4 * whole;
    let w = 0x80 << (8 * rest);
    if (rest > 0) w |= src[p];
    if (rest > 1) w |= src[p + 1] << 8;
    if (rest > 2) w |= src[p + 2] << 16;
    x[whole] = w;
    for (let j = whole + 1; j < 14; j++) x[j] = 0;
    x[14] = len * 8;
    x[15] = 0;
    md5State[0] = 0x67452301;
    md5State[1] = 0xefcdab89 | 0;
    md5State[2] = 0x98badcfe | 0;
    md5State[3] = 0x10325476;
    md5Compress();
    return md5Out(out);
  }
  if (len + 72 > md5Scratch.length) md5Scratch = new Uint8Array(len + 72);
  const m = md5Scratch;
  for (let i = 0; i < len; i++) m[i] = src[start + i];
  md5Blocks(m, md5Pad(m, len));
  return md5Out(out);
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
