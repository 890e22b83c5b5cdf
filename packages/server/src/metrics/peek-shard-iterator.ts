/**
 * Which stream and shard a shard iterator points at, read without verifying its MAC (the IAM guard
 * before the handler, the metrics wrapper after it). Implemented beside the codec in
 * kinesis/shard-iterator.ts, which owns the byte layout and shares a per-call memo with these readers
 * so that a GetRecords call decodes its token at most once; test/metrics/peek-shard-iterator.test.ts
 * round-trips it against ShardIteratorCodec.encode so a layout change fails loudly.
 */
export { peekShardIterator, takeShardIteratorTarget } from '../kinesis/shard-iterator.js';
export type { IteratorTarget } from '../kinesis/shard-iterator.js';
