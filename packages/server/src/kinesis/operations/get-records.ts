/**
 * GetRecords: up to Limit (default and most 10,000) records and 10 MiB from a shard iterator's
 * position, each with SequenceNumber, ApproximateArrivalTimestamp (ms), Data, PartitionKey and
 * EncryptionType; NextShardIterator (absent once the end of a closed shard is reached, which is when
 * ChildShards is returned); MillisBehindLatest. Records past retention are never returned.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 *
 * Per-shard read limits (5 calls/s, 2 MiB/s, 5 s back-off after a 10 MiB response) throw
 * ProvisionedThroughputExceededException before any data is read, as AWS "doesn't return any data when
 * it throws an exception".
 */
import type { RequestContext } from '../../model/context.js';
import type { GetRecordsInput, GetRecordsOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { DataPlaneContext } from '../data-plane.js';
import { dryRunSucceeded } from '../data-plane.js';
import { parseStreamArn } from '../arn.js';
import type { ShardRecord, StreamRecord } from '../records.js';
import { StreamStatus, shardIdFor, streamKey } from '../records.js';
import { MAX_BYTES_PER_READ, MAX_RECORDS_PER_READ, readShard } from '../shard-reader.js';
import { invalidIterator } from '../shard-iterator.js';

export type { GetRecordsInput, GetRecordsOutput };

function shardGone(streamName: string, accountId: string, shardId: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Shard ${shardId} in stream ${streamName} under account ${accountId} does not exist`);
}

function findShardByIndex(stream: StreamRecord, index: number): ShardRecord | undefined {
  const direct = stream.shards[index];
  if (direct !== undefined && direct.index === index) return direct;
  return stream.shards.find((s) => s.index === index);
}

export async function getRecords(dp: DataPlaneContext, input: GetRecordsInput, _context: RequestContext): Promise<GetRecordsOutput> {
  const { env } = dp;
  const now = env.clock.now();
  const it = dp.iterators.decode(input.ShardIterator, now);
  if (input.StreamARN !== undefined) {
    const arn = parseStreamArn(input.StreamARN);
    if (!arn || arn.streamName !== it.streamName || arn.accountId !== it.accountId || arn.region !== it.region) throw invalidIterator();
  }
  const resolved = await env.streams.get(streamKey(it.accountId, it.region, it.streamName));
  // A stream deleted (or deleted and re-created) since the iterator was issued: its shards are gone.
  if (!resolved || resolved.value.uid !== it.streamUid || resolved.value.status === StreamStatus.DELETING) {
    throw shardGone(it.streamName, it.accountId, shardIdFor(it.shardIndex));
  }
  const stream = resolved.value;
  const shard = findShardByIndex(stream, it.shardIndex);
  if (!shard) throw shardGone(stream.name, stream.accountId, shardIdFor(it.shardIndex));
  if (input.DryRun === true) throw dryRunSucceeded();

  const limiter = dp.limitsOn ? dp.limiters.read(stream.uid, shard.shardId, now) : undefined;
  if (limiter && !limiter.tryStart(now)) {
    throw new ServiceError('ProvisionedThroughputExceededException', `Rate exceeded for Shard - ${stream.accountId}/${stream.name}/${shard.shardId}`);
  }
  const log = await env.streams.shardLog(stream, shard.shardId);
  if (it.offset === log.endOffset() && shard.closedMs === undefined) {
    // Caught up on an open shard — what a polling consumer sees on most calls: nothing to read, so no
    // storage read; the next iterator stays at this position, and a caught-up reader is 0 ms behind.
    limiter?.charge(0, now);
    return { Records: [], NextShardIterator: nextIterator(dp, stream, shard, it.offset, now), MillisBehindLatest: 0 };
  }
  const result = await readShard(stream, shard, log, it.offset, {
    maxRecords: input.Limit ?? MAX_RECORDS_PER_READ,
    maxBytes: MAX_BYTES_PER_READ,
    nowMs: now,
  });
  limiter?.charge(result.bytes, now);
  if (result.shardEnded) {
    return { Records: result.records, MillisBehindLatest: result.millisBehindLatest, ChildShards: result.childShards };
  }
  return { Records: result.records, NextShardIterator: nextIterator(dp, stream, shard, result.nextOffset, now), MillisBehindLatest: result.millisBehindLatest };
}

function nextIterator(dp: DataPlaneContext, stream: StreamRecord, shard: ShardRecord, offset: number, nowMs: number): string {
  return dp.iterators.encode({
    streamUid: stream.uid,
    accountId: stream.accountId,
    region: stream.region,
    streamName: stream.name,
    shardIndex: shard.index,
    offset,
    issuedMs: nowMs,
  });
}
