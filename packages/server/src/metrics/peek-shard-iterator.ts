/**
 * Which stream and shard a shard iterator points at, read without verifying its MAC (the data plane
 * has already verified it when this is called after a GetRecords). Follows the byte layout documented
 * in kinesis/shard-iterator.ts; test/metrics/peek-shard-iterator.test.ts round-trips it against
 * ShardIteratorCodec.encode so a layout change fails loudly.
 */
const VERSION = 1;
const HEADER_BYTES = 19;
const MAC_BYTES = 16;

export interface IteratorTarget {
  readonly accountId: string;
  readonly region: string;
  readonly streamName: string;
  readonly shardIndex: number;
}

export function peekShardIterator(token: string): IteratorTarget | undefined {
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) return undefined;
  const buf = Buffer.from(token, 'base64');
  if (buf.length < HEADER_BYTES + 4 + MAC_BYTES || buf[0] !== VERSION) return undefined;
  const end = buf.length - MAC_BYTES;
  const shardIndex = buf.readUInt32BE(15);
  const strings: string[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < 4; i++) {
    if (at >= end) return undefined;
    const len = buf[at];
    if (at + 1 + len > end) return undefined;
    strings.push(buf.toString('utf8', at + 1, at + 1 + len));
    at += 1 + len;
  }
  return { accountId: strings[1], region: strings[2], streamName: strings[3], shardIndex };
}
