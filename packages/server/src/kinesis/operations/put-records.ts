/**
 * PutRecords: up to 500 records (10 MiB per request including partition keys), each routed to the
 * open shard whose hash key range contains MD5(partition key) or its ExplicitHashKey. Results come
 * back in request order; each entry either succeeds (ShardId, SequenceNumber) or fails on its own
 * (ErrorCode ProvisionedThroughputExceededException or InternalFailure, with ErrorMessage) — never all
 * or nothing, never a silent drop.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 *
 * Entries are grouped by shard and each shard's group is appended as one batch (one await per shard,
 * all shards in parallel).
 */
import type { RequestContext } from '../../model/context.js';
import type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { AppendRecord } from '../../storage/contract.js';
import { StorageError, StorageErrorCode } from '../../storage/contract.js';
import type { Versioned } from '../../storage/contract.js';
import type { DataPlaneContext } from '../data-plane.js';
import { dryRunSucceeded, requireReadableOrWritable } from '../data-plane.js';
import type { StreamRecord } from '../records.js';
import { RecordDistributionStrategy } from '../records.js';
import type { RoutingTable } from '../routing.js';
import { explicitHashKeyWords, md5HashKey } from '../routing.js';
import { encodeSequenceNumber } from '../sequence-number.js';
import { RECORD_FLAG_KMS } from '../shard-reader.js';

export type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry };

/** Most bytes (data + partition keys) of one PutRecords request. */
export const MAX_PUT_RECORDS_BYTES = 10 * 1024 * 1024;
/** Most entries of one PutRecords request. */
export const MAX_PUT_RECORDS_ENTRIES = 500;
/** How often a write is re-routed after its shard closed under it (split/merge in flight). */
const MAX_REROUTES = 5;

const INTERNAL_FAILURE_MESSAGE = 'Internal Service Failure';

/** Size of a record as the limits count it: data blob plus partition key (UTF-8). */
export function recordSize(data: Uint8Array, partitionKey: string | undefined): number {
  return data.length + (partitionKey === undefined ? 0 : Buffer.byteLength(partitionKey, 'utf8'));
}

export function throttledMessage(stream: StreamRecord, shardId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream.name} under account ${stream.accountId}.`;
}

export function recordTooLarge(stream: StreamRecord, size: number): ServiceError {
  return new ServiceError(
    'InvalidArgumentException',
    `Record size ${size} bytes (data blob plus partition key) exceeds the maximum record size of ${stream.maxRecordSizeKiB} KiB for stream ${stream.name} under account ${stream.accountId}.`,
  );
}

export function isAutoDistribution(stream: StreamRecord): boolean {
  return stream.recordDistributionStrategy === RecordDistributionStrategy.AUTO;
}

/** Reused for every routed record (routing is synchronous). */
const routeScratch = new Uint32Array(4);

/**
 * Slot index of a record in the routing table; throws InvalidArgumentException for a bad
 * ExplicitHashKey or a missing partition key, InternalFailure for a gap in the open shards.
 */
export function routeRecord<T>(
  table: RoutingTable<T>,
  stream: StreamRecord,
  partitionKey: string | undefined,
  explicitHashKey: string | undefined,
): number {
  if (table.slots.length === 0) throw new ServiceError('InternalFailureException', 'The stream has no open shard.');
  if (isAutoDistribution(stream)) return table.nextAutoIndex();
  let key: Uint32Array;
  if (explicitHashKey !== undefined) {
    const k = explicitHashKeyWords(explicitHashKey, routeScratch);
    if (!k) {
      throw new ServiceError(
        'InvalidArgumentException',
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${explicitHashKey}`,
      );
    }
    key = k;
  } else if (partitionKey !== undefined) {
    key = md5HashKey(partitionKey, routeScratch);
  } else {
    throw new ServiceError(
      'InvalidArgumentException',
      `A partition key is required: stream ${stream.name} under account ${stream.accountId} uses the USER_PARTITION_KEY record distribution strategy.`,
    );
  }
  const index = table.indexOf(key);
  if (index < 0) throw new ServiceError('InternalFailureException', 'No open shard covers the hash key of the record.');
  return index;
}

export function isSealedError(err: unknown): boolean {
  return err instanceof StorageError && err.code === StorageErrorCode.SEALED;
}

/**
 * After an append found its shard sealed: the reshard seals the parent's log first and then commits
 * the closed parent and its children, so wait (briefly, with back-off) for a newer stream version.
 */
export async function resolveAfterSeal(
  dp: DataPlaneContext,
  context: RequestContext,
  ref: { readonly StreamName?: string | undefined; readonly StreamARN?: string | undefined },
  previous: Versioned<StreamRecord>,
): Promise<Versioned<StreamRecord>> {
  let stream = await dp.env.streams.resolve(context, ref);
  for (let delayMs = 2; stream.version <= previous.version && stream.value.uid === previous.value.uid && delayMs <= 512; delayMs *= 2) {
    await new Promise<void>((resolve) => setTimeout(resolve, delayMs));
    stream = await dp.env.streams.resolve(context, ref);
  }
  requireReadableOrWritable(stream.value);
  return stream;
}

export async function putRecords(dp: DataPlaneContext, input: PutRecordsInput, context: RequestContext): Promise<PutRecordsOutput> {
  const { env } = dp;
  let stream: Versioned<StreamRecord> = await env.streams.resolve(context, input);
  requireReadableOrWritable(stream.value);
  const entries = input.Records;
  const n = entries.length;
  if (n === 0 || n > MAX_PUT_RECORDS_ENTRIES) {
    throw new ServiceError('InvalidArgumentException', `PutRecords takes 1 to ${MAX_PUT_RECORDS_ENTRIES} records; the request has ${n}.`);
  }

  // Whole-request checks first: nothing is written when the request itself is invalid.
  const maxRecordBytes = stream.value.maxRecordSizeKiB * 1024;
  const sizes = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    const size = recordSize(e.Data, e.PartitionKey);
    if (size > maxRecordBytes) throw recordTooLarge(stream.value, size);
    sizes[i] = size;
    total += size;
  }
  if (total > MAX_PUT_RECORDS_BYTES) {
    throw new ServiceError('InvalidArgumentException', `Records size exceeds ${MAX_PUT_RECORDS_BYTES / (1024 * 1024)} MiB limit (the request has ${total} bytes).`);
  }
  let table = dp.routing.get(stream);
  const slotOf = new Int32Array(n);
  for (let i = 0; i < n; i++) slotOf[i] = routeRecord(table, stream.value, entries[i].PartitionKey, entries[i].ExplicitHashKey);
  if (input.DryRun === true) throw dryRunSucceeded();

  const results: PutRecordsResultEntry[] = new Array<PutRecordsResultEntry>(n);
  let failed = 0;
  const flags = stream.value.encryptionType === 'KMS' ? RECORD_FLAG_KMS : 0;
  const autoPartitionKey = isAutoDistribution(stream.value);

  // Throttle per entry, then group the admitted entries by shard slot.
  let pending: number[] = [];
  const now = env.clock.now();
  for (let i = 0; i < n; i++) {
    const slot = table.slots[slotOf[i]];
    if (dp.limitsOn && !slot.state.writeLimiter.tryTake(sizes[i], now)) {
      results[i] = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: throttledMessage(stream.value, slot.shard.shardId) };
      failed++;
    } else {
      pending.push(i);
    }
  }

  for (let attempt = 0; pending.length > 0; attempt++) {
    const groups = groupBySlot(pending, slotOf, table.slots.length);
    const retry: number[] = [];
    const current = table;
    const streamValue = stream.value;
    await Promise.all(
      groups.map(async (group, slotIndex) => {
        if (group === undefined) return;
        const slot = current.slots[slotIndex];
        const batch: AppendRecord[] = new Array<AppendRecord>(group.length);
        let bytes = 0;
        for (let j = 0; j < group.length; j++) {
          const e = entries[group[j]];
          batch[j] = {
            partitionKey: e.PartitionKey ?? '',
            explicitHashKey: autoPartitionKey ? undefined : e.ExplicitHashKey,
            data: e.Data,
            flags,
          };
          bytes += sizes[group[j]];
        }
        try {
          const log = await env.streams.shardLog(streamValue, slot.shard.shardId);
          const appended = await log.append(batch);
          env.usage.recordWrite(streamValue.uid, slot.shard.shardId, bytes, group.length, env.clock.now());
          for (let j = 0; j < group.length; j++) {
            results[group[j]] = {
              ShardId: slot.shard.shardId,
              SequenceNumber: encodeSequenceNumber(slot.shard.index, appended.firstOffset + j, streamValue.salt),
            };
          }
        } catch (err) {
          if (isSealedError(err) && attempt < MAX_REROUTES) {
            // The shard was closed by a split or merge after we routed: route these again.
            for (const i of group) retry.push(i);
            return;
          }
          env.logger.error('PutRecords append failed', { stream: streamValue.name, shard: slot.shard.shardId, err });
          for (const i of group) {
            if (dp.limitsOn) slot.state.writeLimiter.refund(sizes[i]);
            results[i] = { ErrorCode: 'InternalFailure', ErrorMessage: INTERNAL_FAILURE_MESSAGE };
            failed++;
          }
        }
      }),
    );
    pending = retry;
    if (pending.length > 0) {
      try {
        stream = await resolveAfterSeal(dp, context, input, stream);
        table = dp.routing.get(stream);
        for (const i of pending) slotOf[i] = routeRecord(table, stream.value, entries[i].PartitionKey, entries[i].ExplicitHashKey);
      } catch (err) {
        // Other entries may already be acknowledged: report these as failed instead of failing the call.
        env.logger.error('PutRecords could not re-route records after a reshard', { stream: stream.value.name, err });
        for (const i of pending) {
          results[i] = { ErrorCode: 'InternalFailure', ErrorMessage: INTERNAL_FAILURE_MESSAGE };
          failed++;
        }
        pending = [];
      }
    }
  }

  return { FailedRecordCount: failed, Records: results, EncryptionType: stream.value.encryptionType };
}

/** Entry indexes per slot (undefined for slots with no entry), preserving request order. */
function groupBySlot(indexes: readonly number[], slotOf: Int32Array, slotCount: number): (number[] | undefined)[] {
  const groups = new Array<number[] | undefined>(slotCount).fill(undefined);
  for (const i of indexes) {
    const s = slotOf[i];
    const g = groups[s];
    if (g === undefined) groups[s] = [i];
    else g.push(i);
  }
  return groups;
}
