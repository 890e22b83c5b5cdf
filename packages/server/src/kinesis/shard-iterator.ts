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
 */
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

export class ShardIteratorCodec {
  constructor(private readonly key: Buffer) {}

  encode(p: IteratorPosition): string {
    const uid = Buffer.from(p.streamUid, 'utf8');
    const account = Buffer.from(p.accountId, 'utf8');
    const region = Buffer.from(p.region, 'utf8');
    const name = Buffer.from(p.streamName, 'utf8');
    const strings = [uid, account, region, name];
    let size = HEADER_BYTES + MAC_BYTES;
    for (const s of strings) {
      if (s.length > 255) throw new Error('shard iterator field too long');
      size += 1 + s.length;
    }
    const buf = Buffer.allocUnsafe(size);
    buf.writeUInt8(VERSION, 0);
    buf.writeUIntBE(p.issuedMs, 1, 6);
    buf.writeUInt32BE(Math.floor(p.offset / TWO_32), 7);
    buf.writeUInt32BE(p.offset % TWO_32, 11);
    buf.writeUInt32BE(p.shardIndex, 15);
    let at = HEADER_BYTES;
    for (const s of strings) {
      buf.writeUInt8(s.length, at);
      s.copy(buf, at + 1);
      at += 1 + s.length;
    }
    this.mac(buf.subarray(0, at)).copy(buf, at);
    return buf.toString('base64');
  }

  /**
   * Verify and decode. Throws InvalidArgumentException for anything that is not an intact iterator of
   * this data directory, ExpiredIteratorException when it is older than 5 minutes.
   */
  decode(token: string, nowMs: number): IteratorPosition {
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw invalidIterator();
    const buf = Buffer.from(token, 'base64');
    if (buf.length < HEADER_BYTES + 4 + MAC_BYTES || buf.readUInt8(0) !== VERSION) throw invalidIterator();
    const body = buf.subarray(0, buf.length - MAC_BYTES);
    const mac = buf.subarray(buf.length - MAC_BYTES);
    if (!timingSafeEqual(mac, this.mac(body))) throw invalidIterator();
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
    if (nowMs - issuedMs > ITERATOR_TTL_MS) {
      throw new ServiceError(
        'ExpiredIteratorException',
        `Iterator expired. The iterator was created at time ${issuedMs} while right now it is ${nowMs} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
      );
    }
    return { streamUid: strings[0], accountId: strings[1], region: strings[2], streamName: strings[3], shardIndex, offset, issuedMs };
  }

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest().subarray(0, MAC_BYTES);
  }
}
