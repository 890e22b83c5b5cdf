/**
 * Sequence numbers: decimal strings that encode the shard and the position, so AT_SEQUENCE_NUMBER is
 * a lookup, not a scan.
 *
 * Layout of the unsigned integer (most significant first), 184 bits → 55–56 decimal digits like AWS's:
 *
 *   | 4 bits  version = 2 | 32 bits shard index | 64 bits offset | 32 bits stream salt | 52 bits check |
 *
 * - Within a shard, numbers strictly increase with the offset.
 * - A child shard has a higher index than its parents, so its numbers are larger than theirs.
 * - The stream salt and a check field (a hash of the other fields) make a number from another
 *   stream, or a made-up one, fail to decode, as AWS rejects them with InvalidArgumentException.
 */
import { createHash } from 'node:crypto';

const VERSION = 2n;
const CHECK_BITS = 52n;
const SALT_BITS = 32n;
const OFFSET_BITS = 64n;
const INDEX_BITS = 32n;
const CHECK_MASK = (1n << CHECK_BITS) - 1n;
const SALT_MASK = (1n << SALT_BITS) - 1n;
const OFFSET_MASK = (1n << OFFSET_BITS) - 1n;
const INDEX_MASK = (1n << INDEX_BITS) - 1n;

export interface SequenceNumberParts {
  readonly shardIndex: number;
  readonly offset: number;
  readonly salt: number;
}

function check(shardIndex: bigint, offset: bigint, salt: bigint): bigint {
  const h = createHash('sha256').update(`${shardIndex}:${offset}:${salt}`).digest();
  return h.readBigUInt64BE(0) & CHECK_MASK;
}

export function encodeSequenceNumber(shardIndex: number, offset: number, salt: number): string {
  const i = BigInt(shardIndex);
  const o = BigInt(offset);
  const s = BigInt(salt >>> 0);
  const v =
    (VERSION << (INDEX_BITS + OFFSET_BITS + SALT_BITS + CHECK_BITS)) |
    (i << (OFFSET_BITS + SALT_BITS + CHECK_BITS)) |
    (o << (SALT_BITS + CHECK_BITS)) |
    (s << CHECK_BITS) |
    check(i, o, s);
  return v.toString(10);
}

/** Decode, or undefined when the string is not a sequence number this server issued. */
export function decodeSequenceNumber(value: string): SequenceNumberParts | undefined {
  if (!/^(0|[1-9]\d{0,128})$/.test(value)) return undefined;
  const v = BigInt(value);
  if (v >> (INDEX_BITS + OFFSET_BITS + SALT_BITS + CHECK_BITS) !== VERSION) return undefined;
  const c = v & CHECK_MASK;
  const s = (v >> CHECK_BITS) & SALT_MASK;
  const o = (v >> (SALT_BITS + CHECK_BITS)) & OFFSET_MASK;
  const i = (v >> (OFFSET_BITS + SALT_BITS + CHECK_BITS)) & INDEX_MASK;
  if (check(i, o, s) !== c) return undefined;
  if (o > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { shardIndex: Number(i), offset: Number(o), salt: Number(s) };
}

/** Numeric comparison of two decimal sequence numbers (-1, 0, 1). */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
