/**
 * Shard iterators: self-contained, tamper-evident tokens, so that any gateway sharing the metadata
 * store can verify and serve them without server-side state. AWS iterators are opaque base64 strings
 * of at most 512 characters that expire 5 minutes after they are returned
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html).
 *
 * Byte layout (before standard base64), big-endian:
 *
 *   | off | size | field                                                           |
 *   |-----|------|-----------------------------------------------------------------|
 *   | 0   | 1    | version = 1                                                     |
 *   | 1   | 6    | issue time, epoch ms (uint48)                                   |
 *   | 7   | 8    | position: offset in the shard log (two uint32: high, low)       |
 *   | 15  | 4    | shard index (uint32)                                            |
 *   | 19  | var  | 4 strings, each uint8 length + UTF-8: stream uid, account id,   |
 *   |     |      | region, stream name                                             |
 *   | end | 16   | HMAC-SHA256 of all preceding bytes, truncated to 128 bits       |
 *
 * The HMAC key is random per data directory, created once and kept in the metadata store under
 * {@link ITERATOR_KEY_KEY}, so iterators survive restarts.
 *
 * Cost (an idle consumer polls GetRecords every few ms, and each call decodes one iterator and encodes
 * the next): the HMAC is computed as RFC 2104 defines it, SHA-256(K⊕opad ‖ SHA-256(K⊕ipad ‖ m)), with
 * the padded keys prepared once and Node's one-shot `crypto.hash` (no Hmac object per call; Node
 * ≥ 20.12, else `createHmac`). Tokens are byte-for-byte what `createHmac` gives. A token this codec
 * minted is remembered (a bounded map from token to position), so decoding it again — the next
 * poll — skips base64, MAC and parsing; anything else (another gateway's token, one minted before a
 * restart, a retry after the entry was used) is verified in full. Expiry is checked either way.
 *
 * Two other readers need to know where a token points before and after the codec: the IAM guard
 * (the stream ARN to authorize GetRecords on) and the metrics wrapper (the stream and shard to count
 * against). They read it without the key, {@link peekShardIterator}: nothing they learn is trusted,
 * the codec still decides validity. So that a GetRecords call decodes a token at most once, the
 * codec leaves the position it decoded in a small memo for the metrics wrapper, the call's last
 * reader, to take ({@link takeShardIteratorTarget}), and the bytes of the token the guard last peeked
 * are kept for a verify of the same token. Both are memos of pure functions of the token's text (its
 * base64 decoding, the fields at fixed offsets), so they can never give another answer than decoding
 * again, whichever codec (key) filled them; trust comes only from the codec's own `minted` map and
 * the MAC.
 */
import * as nodeCrypto from 'node:crypto';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ServiceError } from '../model/service-error.js';
import type { MetadataStore } from '../storage/contract.js';
import { StorageError, StorageErrorCode } from '../storage/contract.js';

export const ITERATOR_KEY_KEY = 'kinesis/secret/iterator-key';
/** Iterators expire this long after they are issued. */
export const ITERATOR_TTL_MS = 300_000;

const VERSION = 1;
const MAC_BYTES = 16;
const HEADER_BYTES = 19;
const MAX_TOKEN_CHARS = 512;
const TWO_32 = 0x1_0000_0000;

export interface IteratorPosition {
  readonly streamUid: string;
  readonly accountId: string;
  readonly region: string;
  readonly streamName: string;
  readonly shardIndex: number;
  /** Log offset of the next record to read. */
  readonly offset: number;
  readonly issuedMs: number;
}

interface StoredIteratorKey {
  readonly key: string;
}

/** Load the iterator HMAC key, creating it on first use (compare-and-set: gateways agree on one key). */
export async function loadIteratorKey(metadata: MetadataStore): Promise<Buffer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await metadata.get<StoredIteratorKey>(ITERATOR_KEY_KEY);
    if (found) return Buffer.from(found.value.key, 'base64');
    const key = randomBytes(32);
    try {
      await metadata.commit([{ type: 'put', key: ITERATOR_KEY_KEY, value: { key: key.toString('base64') }, expectVersion: 0 }]);
      return key;
    } catch (err) {
      // Another gateway created it first: read theirs.
      if (!(err instanceof StorageError && err.code === StorageErrorCode.CONFLICT)) throw err;
    }
  }
  throw new Error('could not create or load the shard iterator key');
}

export function invalidIterator(): ServiceError {
  return new ServiceError('InvalidArgumentException', 'Invalid ShardIterator.');
}

/** Where a token points: the stream (IAM resource, metrics) and the shard. An IteratorPosition is one. */
export interface IteratorTarget {
  readonly accountId: string;
  readonly region: string;
  readonly streamName: string;
  readonly shardIndex: number;
}

/**
 * Positions the codec decoded in calls still in flight, with their tokens, for the metrics wrapper to
 * take: a ring of the last few. The wrapper holds the very string the codec was given, so `===` is a
 * pointer compare on a hit; two different tokens differ within their first characters (issue time).
 * Between a decode and its take only the awaits of one GetRecords call pass, so a few slots are enough,
 * and a miss only costs a decode. Not a Map: one set and one delete per call with a fresh token string
 * measured slower than the decode they saved (bench/get-records-call.ts).
 */
const TARGET_SLOTS = 8;
const slotTokens: (string | undefined)[] = new Array<string | undefined>(TARGET_SLOTS).fill(undefined);
const slotTargets: (IteratorTarget | undefined)[] = new Array<IteratorTarget | undefined>(TARGET_SLOTS).fill(undefined);
let nextSlot = 0;
/** The last token decoded from scratch by a peek and its bytes (what a verify of it would decode). */
let peekedToken: string | undefined;
let peekedBytes: Buffer | undefined;

function rememberTarget(token: string, target: IteratorTarget): void {
  slotTokens[nextSlot] = token;
  slotTargets[nextSlot] = target;
  nextSlot = (nextSlot + 1) % TARGET_SLOTS;
}

/** The slot holding `token`, newest first; -1 when none does. */
function slotOf(token: string): number {
  for (let i = 1; i <= TARGET_SLOTS; i++) {
    const at = (nextSlot - i + TARGET_SLOTS) % TARGET_SLOTS;
    if (slotTokens[at] === token) return at;
  }
  return -1;
}

/** The target fields of a token, unverified; undefined when it cannot be an iterator of this layout. */
function readTarget(token: string): IteratorTarget | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) return undefined;
  const buf = Buffer.from(token, 'base64');
  peekedToken = token;
  peekedBytes = buf;
  if (buf.length < HEADER_BYTES + 4 + MAC_BYTES || buf[0] !== VERSION) return undefined;
  const end = buf.length - MAC_BYTES;
  const shardIndex = buf.readUInt32BE(15);
  let at = HEADER_BYTES;
  let accountId = '';
  let region = '';
  let streamName = '';
  for (let i = 0; i < 4; i++) {
    if (at >= end) return undefined;
    const len = buf[at];
    if (at + 1 + len > end) return undefined;
    // Field 0 (the stream uid) is not part of the target.
    if (i === 1) accountId = buf.toString('utf8', at + 1, at + 1 + len);
    else if (i === 2) region = buf.toString('utf8', at + 1, at + 1 + len);
    else if (i === 3) streamName = buf.toString('utf8', at + 1, at + 1 + len);
    at += 1 + len;
  }
  return { accountId, region, streamName, shardIndex };
}

/**
 * Which stream and shard a token points at, read without verifying its MAC — for the IAM guard, which
 * runs before the codec (a forged token names whatever it likes; the codec refuses it afterwards).
 * Undefined for anything that cannot be an iterator.
 */
export function peekShardIterator(token: string): IteratorTarget | undefined {
  const at = slotOf(token);
  return at >= 0 ? slotTargets[at] : readTarget(token);
}

/**
 * {@link peekShardIterator} for the last reader of a call (the metrics wrapper, after the handler):
 * the remembered position is let go.
 */
export function takeShardIteratorTarget(token: string): IteratorTarget | undefined {
  const at = slotOf(token);
  if (at < 0) return readTarget(token);
  const target = slotTargets[at];
  slotTokens[at] = undefined;
  slotTargets[at] = undefined;
  return target;
}

/** How many minted tokens the codec remembers (one per polling consumer is what is used). */
const MINTED_CACHE_ENTRIES = 4096;
/** Streams whose encoded string fields are kept for encode (cleared wholesale when full). */
const FIELD_CACHE_ENTRIES = 1024;
const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;
/** Longest token body: 512 base64 characters. */
const MAX_BODY_BYTES = (MAX_TOKEN_CHARS / 4) * 3;

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer;
/** `crypto.hash` (Node ≥ 20.12, 21.7); undefined on older Node 20 releases. */
const oneShotHash = (nodeCrypto as { hash?: OneShotHash }).hash;

/** The four string fields of a stream, encoded as they sit in a token (length byte + UTF-8 each). */
interface EncodedFields {
  readonly accountId: string;
  readonly region: string;
  readonly streamName: string;
  readonly bytes: Buffer;
}

export class ShardIteratorCodec {
  /** [K⊕ipad (64) ‖ message], the inner hash input, built in place (no await while it is in use). */
  private readonly inner: Buffer;
  /** [K⊕opad (64) ‖ inner digest (32)]. */
  private readonly outer: Buffer;
  private readonly minted = new Map<string, IteratorPosition>();
  private readonly fields = new Map<string, EncodedFields>();

  constructor(private readonly key: Buffer) {
    const k = key.length > SHA256_BLOCK_BYTES ? nodeCrypto.createHash('sha256').update(key).digest() : key;
    this.inner = Buffer.alloc(SHA256_BLOCK_BYTES + MAX_BODY_BYTES, 0x36);
    this.outer = Buffer.alloc(SHA256_BLOCK_BYTES + SHA256_BYTES, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.inner[i] ^= k[i];
      this.outer[i] ^= k[i];
    }
  }

  encode(p: IteratorPosition): string {
    const strings = this.fieldsOf(p);
    const bodyBytes = HEADER_BYTES + strings.length;
    const buf = this.inner;
    const at = SHA256_BLOCK_BYTES;
    buf[at] = VERSION;
    buf.writeUIntBE(p.issuedMs, at + 1, 6);
    buf.writeUInt32BE(Math.floor(p.offset / TWO_32), at + 7);
    buf.writeUInt32BE(p.offset % TWO_32, at + 11);
    buf.writeUInt32BE(p.shardIndex, at + 15);
    strings.copy(buf, at + HEADER_BYTES);
    const mac = this.macOfInner(bodyBytes);
    mac.copy(buf, at + bodyBytes, 0, MAC_BYTES);
    const token = buf.toString('base64', at, at + bodyBytes + MAC_BYTES);
    this.remember(token, {
      streamUid: p.streamUid,
      accountId: p.accountId,
      region: p.region,
      streamName: p.streamName,
      shardIndex: p.shardIndex,
      offset: p.offset,
      issuedMs: p.issuedMs,
    });
    return token;
  }

  /**
   * Verify and decode. Throws InvalidArgumentException for anything that is not an intact iterator of
   * this data directory, ExpiredIteratorException when it is older than 5 minutes.
   */
  decode(token: string, nowMs: number): IteratorPosition {
    let position = this.minted.get(token);
    if (position !== undefined) {
      // Used once, as a poller does; a reuse (a retry) is verified in full.
      this.minted.delete(token);
    } else {
      position = this.verify(token);
    }
    // For the metrics wrapper after the handler (expired or not: the call is counted either way).
    rememberTarget(token, position);
    const issuedMs = position.issuedMs;
    if (nowMs - issuedMs > ITERATOR_TTL_MS) {
      throw new ServiceError(
        'ExpiredIteratorException',
        `Iterator expired. The iterator was created at time ${issuedMs} while right now it is ${nowMs} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
      );
    }
    return position;
  }

  private verify(token: string): IteratorPosition {
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw invalidIterator();
    // The guard may have peeked this very token in this call: the same text decodes to the same bytes.
    const buf = token === peekedToken && peekedBytes !== undefined ? peekedBytes : Buffer.from(token, 'base64');
    if (buf.length < HEADER_BYTES + 4 + MAC_BYTES || buf.length > MAX_BODY_BYTES || buf.readUInt8(0) !== VERSION) throw invalidIterator();
    const bodyBytes = buf.length - MAC_BYTES;
    buf.copy(this.inner, SHA256_BLOCK_BYTES, 0, bodyBytes);
    const expected = this.macOfInner(bodyBytes).subarray(0, MAC_BYTES);
    if (!timingSafeEqual(buf.subarray(bodyBytes), expected)) throw invalidIterator();
    const body = buf.subarray(0, bodyBytes);
    const issuedMs = body.readUIntBE(1, 6);
    const offset = body.readUInt32BE(7) * TWO_32 + body.readUInt32BE(11);
    const shardIndex = body.readUInt32BE(15);
    const strings: string[] = [];
    let at = HEADER_BYTES;
    for (let i = 0; i < 4; i++) {
      if (at >= body.length) throw invalidIterator();
      const len = body.readUInt8(at);
      if (at + 1 + len > body.length) throw invalidIterator();
      strings.push(body.toString('utf8', at + 1, at + 1 + len));
      at += 1 + len;
    }
    if (at !== body.length) throw invalidIterator();
    return { streamUid: strings[0], accountId: strings[1], region: strings[2], streamName: strings[3], shardIndex, offset, issuedMs };
  }

  /** HMAC-SHA256 of the `bodyBytes` message bytes placed in `inner` after the padded key (32 bytes). */
  private macOfInner(bodyBytes: number): Buffer {
    if (oneShotHash === undefined) {
      return createHmac('sha256', this.key).update(this.inner.subarray(SHA256_BLOCK_BYTES, SHA256_BLOCK_BYTES + bodyBytes)).digest();
    }
    oneShotHash('sha256', this.inner.subarray(0, SHA256_BLOCK_BYTES + bodyBytes), 'buffer').copy(this.outer, SHA256_BLOCK_BYTES);
    return oneShotHash('sha256', this.outer, 'buffer');
  }

  private remember(token: string, position: IteratorPosition): void {
    // Full (more live pollers than entries, or tokens never presented again): start over. Dropping one
    // entry at a time would cost more — a Map walks past its deleted slots to find the oldest.
    if (this.minted.size >= MINTED_CACHE_ENTRIES) this.minted.clear();
    this.minted.set(token, position);
  }

  private fieldsOf(p: IteratorPosition): Buffer {
    const cached = this.fields.get(p.streamUid);
    if (cached !== undefined && cached.accountId === p.accountId && cached.region === p.region && cached.streamName === p.streamName) {
      return cached.bytes;
    }
    const parts = [p.streamUid, p.accountId, p.region, p.streamName].map((s) => Buffer.from(s, 'utf8'));
    let size = 0;
    for (const s of parts) {
      if (s.length > 255) throw new Error('shard iterator field too long');
      size += 1 + s.length;
    }
    if (HEADER_BYTES + size + MAC_BYTES > MAX_BODY_BYTES) throw new Error('shard iterator too long');
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    for (const s of parts) {
      bytes[at] = s.length;
      s.copy(bytes, at + 1);
      at += 1 + s.length;
    }
    if (this.fields.size >= FIELD_CACHE_ENTRIES) this.fields.clear();
    this.fields.set(p.streamUid, { accountId: p.accountId, region: p.region, streamName: p.streamName, bytes });
    return bytes;
  }
}
