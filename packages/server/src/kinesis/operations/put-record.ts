/**
 * PutRecord: one record, routed by MD5(partition key) or ExplicitHashKey to the open shard whose hash
 * key range contains it; answers ShardId, SequenceNumber and the stream's EncryptionType. Over the
 * shard's write rate the whole call fails with ProvisionedThroughputExceededException.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 *
 * SequenceNumberForOrdering: appends to a shard are serialized by its log, so a record's sequence
 * number is always greater than that of any record acknowledged before it on the same shard — which
 * is what the parameter asks for (same partition key ⇒ same shard).
 */
import type { RequestContext } from '../../model/context.js';
import type { PutRecordInput, PutRecordOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { Versioned } from '../../storage/contract.js';
import type { DataPlaneContext } from '../data-plane.js';
import { dryRunSucceeded, requireReadableOrWritable } from '../data-plane.js';
import type { StreamRecord } from '../records.js';
import { encodeSequenceNumber } from '../sequence-number.js';
import { RECORD_FLAG_KMS } from '../shard-reader.js';
import { isAutoDistribution, isSealedError, resolveAfterSeal, recordSize, recordTooLarge, routeRecord, throttledMessage } from './put-records.js';

export type { PutRecordInput, PutRecordOutput };

const MAX_REROUTES = 5;

export async function putRecord(dp: DataPlaneContext, input: PutRecordInput, context: RequestContext): Promise<PutRecordOutput> {
  const { env } = dp;
  let stream: Versioned<StreamRecord> = await env.streams.resolve(context, input);
  requireReadableOrWritable(stream.value);
  const size = recordSize(input.Data, input.PartitionKey);
  if (size > stream.value.maxRecordSizeKiB * 1024) throw recordTooLarge(stream.value, size);
  let table = dp.routing.get(stream);
  let slot = table.slots[routeRecord(table, stream.value, input.PartitionKey, input.ExplicitHashKey)];
  if (input.DryRun === true) throw dryRunSucceeded();

  if (dp.limitsOn && !slot.state.writeLimiter.tryTake(size, env.clock.now())) {
    throw new ServiceError('ProvisionedThroughputExceededException', throttledMessage(stream.value, slot.shard.shardId));
  }
  const auto = isAutoDistribution(stream.value);
  const record = {
    partitionKey: input.PartitionKey ?? '',
    explicitHashKey: auto ? undefined : input.ExplicitHashKey,
    data: input.Data,
    flags: stream.value.encryptionType === 'KMS' ? RECORD_FLAG_KMS : 0,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const log = await env.streams.shardLog(stream.value, slot.shard.shardId);
      const appended = await log.append([record]);
      env.usage.recordWrite(stream.value.uid, slot.shard.shardId, size, 1, env.clock.now());
      return {
        ShardId: slot.shard.shardId,
        SequenceNumber: encodeSequenceNumber(slot.shard.index, appended.firstOffset, stream.value.salt),
        EncryptionType: stream.value.encryptionType,
      };
    } catch (err) {
      if (!isSealedError(err) || attempt >= MAX_REROUTES) {
        if (dp.limitsOn) slot.state.writeLimiter.refund(size);
        throw err;
      }
      // The shard closed (split/merge) after we routed the record: route it again on the new shards.
      stream = await resolveAfterSeal(dp, context, input, stream);
      table = dp.routing.get(stream);
      slot = table.slots[routeRecord(table, stream.value, input.PartitionKey, input.ExplicitHashKey)];
    }
  }
}
