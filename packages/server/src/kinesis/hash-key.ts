/**
 * The 128-bit hash key space and the routing of records to shards.
 * A record's hash key is MD5(partition key as UTF-8) read as an unsigned big-endian 128-bit integer,
 * or its ExplicitHashKey (decimal). https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 */
import { createHash } from 'node:crypto';

export const MAX_HASH_KEY = (1n << 128n) - 1n;

export function partitionKeyHash(partitionKey: string): bigint {
  const d = createHash('md5').update(partitionKey, 'utf8').digest();
  return (d.readBigUInt64BE(0) << 64n) | d.readBigUInt64BE(8);
}

/** Split the whole key space into `count` ranges the way CreateStream does (the last takes the rest). */
export function evenHashRanges(count: number, start: bigint = 0n, end: bigint = MAX_HASH_KEY): Array<[bigint, bigint]> {
  const width = (end - start + 1n) / BigInt(count);
  const out: Array<[bigint, bigint]> = [];
  for (let i = 0; i < count; i++) {
    const lo = start + BigInt(i) * width;
    const hi = i === count - 1 ? end : lo + width - 1n;
    out.push([lo, hi]);
  }
  return out;
}
