/**
 * The read path shared by GetRecords and SubscribeToShard: read a shard's log from a position with
 * record and byte limits, hide records older than the stream's retention, map stored records to the
 * API's `Record` shape, and detect the end of a closed shard (with its child shards).
 *
 * Shapes: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Record.html,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ChildShard.html.
 * Shard end (what KCL checks): the response that reaches the end of a closed shard carries no next
 * position and a non-empty ChildShards, each child with its ParentShards and HashKeyRange.
 */
import type { ShardLog, StoredRecord } from '../storage/contract.js';
import type { ShardRecord, StreamRecord } from './records.js';
import { sequenceNumberEncoder } from './sequence-number.js';

/** Most records one GetRecords call returns. */
export const MAX_RECORDS_PER_READ = 10_000;
/** Most data bytes one GetRecords call returns. */
export const MAX_BYTES_PER_READ = 10 * 1024 * 1024;
/** Stored record flag: written while the stream had KMS server-side encryption. */
export const RECORD_FLAG_KMS = 1;

export interface KinesisRecord {
  readonly SequenceNumber: string;
  readonly ApproximateArrivalTimestamp: Date;
  /** A view of the stored bytes (no copy). */
  readonly Data: Uint8Array;
  readonly PartitionKey?: string | undefined;
  readonly EncryptionType: 'NONE' | 'KMS';
}

export interface ChildShardInfo {
  readonly ShardId: string;
  readonly ParentShards: string[];
  readonly HashKeyRange: { readonly StartingHashKey: string; readonly EndingHashKey: string };
}

export interface ShardReadOptions {
  /** 1 … 10,000 */
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly nowMs: number;
}

export interface ShardReadResult {
  readonly records: KinesisRecord[];
  /** Offset to continue from. */
  readonly nextOffset: number;
  /** Data bytes returned (for read limits and metrics). */
  readonly bytes: number;
  readonly millisBehindLatest: number;
  /** True when the shard is closed and `nextOffset` is at its end: no more records will ever come. */
  readonly shardEnded: boolean;
  /** Present (non-empty) exactly when `shardEnded`. */
  readonly childShards?: ChildShardInfo[] | undefined;
}

/**
 * Earliest arrival time still readable: a record is accessible for the retention period from the time
 * it was added, so one whose age is the full period or more is hidden.
 */
export function minRetainedArrivalMs(stream: StreamRecord, nowMs: number): number {
  return nowMs - stream.retentionHours * 3_600_000 + 1;
}

/**
 * Offset one past the last record of a closed shard, or undefined while the shard is open (or closed
 * in the metadata but its log not yet sealed).
 */
export function shardEndOffset(shard: ShardRecord, log: ShardLog): number | undefined {
  if (shard.closedMs === undefined) return undefined;
  if (shard.endOffset !== undefined) return shard.endOffset;
  return log.isSealed() ? log.endOffset() : undefined;
}

/** The children of a shard (after a split: two; after a merge: one, with both parents). */
export function childShardsOf(stream: StreamRecord, shardId: string): ChildShardInfo[] {
  const out: ChildShardInfo[] = [];
  for (const s of stream.shards) {
    if (s.parentShardId !== shardId && s.adjacentParentShardId !== shardId) continue;
    const parents: string[] = [];
    if (s.parentShardId !== undefined) parents.push(s.parentShardId);
    if (s.adjacentParentShardId !== undefined) parents.push(s.adjacentParentShardId);
    out.push({ ShardId: s.shardId, ParentShards: parents, HashKeyRange: { StartingHashKey: s.startingHashKey, EndingHashKey: s.endingHashKey } });
  }
  return out;
}

/** Sequence number of the record at `offset` of a shard. */
export function sequenceNumberAt(stream: StreamRecord, shard: ShardRecord, offset: number): string {
  return sequenceNumberEncoder(shard.index, stream.salt).record(offset);
}

/**
 * Sequence number at a position of a shard: 0 is the shard's start (its StartingSequenceNumber), p > 0
 * the record at offset p − 1. Resuming AFTER the number at position p reads from offset p.
 */
export function sequenceNumberAtPosition(stream: StreamRecord, shard: ShardRecord, position: number): string {
  return sequenceNumberEncoder(shard.index, stream.salt).at(position);
}

/** Map stored records to the API's Record shape (one Date per distinct arrival time). */
export function toKinesisRecords(stream: StreamRecord, shard: ShardRecord, stored: readonly StoredRecord[]): KinesisRecord[] {
  const out: KinesisRecord[] = new Array<KinesisRecord>(stored.length);
  const sequenceNumbers = sequenceNumberEncoder(shard.index, stream.salt);
  let lastMs = -1;
  let lastDate = new Date(0);
  for (let i = 0; i < stored.length; i++) {
    const r = stored[i];
    if (r.arrivalMs !== lastMs) {
      lastMs = r.arrivalMs;
      lastDate = new Date(lastMs);
    }
    out[i] = {
      SequenceNumber: sequenceNumbers.record(r.offset),
      ApproximateArrivalTimestamp: lastDate,
      Data: r.data,
      PartitionKey: r.partitionKey === '' ? undefined : r.partitionKey,
      EncryptionType: (r.flags & RECORD_FLAG_KMS) !== 0 ? 'KMS' : 'NONE',
    };
  }
  return out;
}

/** Read from `fromOffset` with limits and retention; detect the end of a closed shard. */
export async function readShard(
  stream: StreamRecord,
  shard: ShardRecord,
  log: ShardLog,
  fromOffset: number,
  options: ShardReadOptions,
): Promise<ShardReadResult> {
  const maxRecords = Math.min(Math.max(1, options.maxRecords), MAX_RECORDS_PER_READ);
  const maxBytes = Math.min(Math.max(1, options.maxBytes), MAX_BYTES_PER_READ);
  const end = shardEndOffset(shard, log);
  const result = await log.read(fromOffset, { maxRecords, maxBytes, minArrivalMs: minRetainedArrivalMs(stream, options.nowMs) });
  let stored = result.records;
  let nextOffset = result.nextOffset;
  if (end !== undefined && nextOffset > end) {
    // Never return anything past the recorded end of a closed shard.
    stored = stored.filter((r) => r.offset < end);
    nextOffset = end;
  }
  let bytes = 0;
  for (let i = 0; i < stored.length; i++) bytes += stored[i].data.length;
  const records = toKinesisRecords(stream, shard, stored);
  const tip = log.endOffset();
  const millisBehindLatest =
    nextOffset >= tip || stored.length === 0 ? 0 : Math.max(0, options.nowMs - stored[stored.length - 1].arrivalMs);
  const shardEnded = end !== undefined && nextOffset >= end;
  return {
    records,
    nextOffset,
    bytes,
    millisBehindLatest,
    shardEnded,
    childShards: shardEnded ? childShardsOf(stream, shard.shardId) : undefined,
  };
}
