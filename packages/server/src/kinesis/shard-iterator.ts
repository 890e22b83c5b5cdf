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
    const buf = Buffer.from(token, 'base64');
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
