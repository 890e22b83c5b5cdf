/**
 * GetShardIterator: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP.
 * Every type resolves to a log offset now; the iterator is a self-contained token
 * ({@link ShardIteratorCodec}) valid for 5 minutes. A closed shard gives a valid iterator.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html
 *
 * Validation messages follow the ones AWS returns:
 * - a sequence number with the wrong type, or none with AT_/AFTER_SEQUENCE_NUMBER: "Must either specify
 *   (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or
 *   LATEST and no StartingSequenceNumber. Request specified …"
 * - a sequence number of another shard: "Invalid StartingSequenceNumber. It encodes shardId-…, while it
 *   was used in a call to a shard with shardId-…"
 * - one that is not a sequence number of this stream: "StartingSequenceNumber … used in GetShardIterator
 *   on shard … in stream … under account … is invalid."
 */
import type { RequestContext } from '../../model/context.js';
import type { GetShardIteratorInput, GetShardIteratorOutput } from '../../model/generated/kinesis-types.js';
import { ShardIteratorType } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { DataPlaneContext } from '../data-plane.js';
import { dryRunSucceeded, requireReadableOrWritable } from '../data-plane.js';
import type { ShardRecord, StreamRecord } from '../records.js';
import { shardIdFor } from '../records.js';
import { decodeSequenceNumber, offsetAfterSequenceNumber, offsetAtSequenceNumber } from '../sequence-number.js';
import { isExpired } from '../resharding.js';
import { findShard } from '../stream-store.js';

export type { GetShardIteratorInput, GetShardIteratorOutput };

export function shardNotFound(stream: StreamRecord, shardId: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Shard ${shardId} in stream ${stream.name} under account ${stream.accountId} does not exist`);
}

export async function getShardIterator(
  dp: DataPlaneContext,
  input: GetShardIteratorInput,
  context: RequestContext,
): Promise<GetShardIteratorOutput> {
  const { env } = dp;
  const resolved = await env.streams.resolve(context, input);
  const stream = resolved.value;
  requireReadableOrWritable(stream);
  const shard = findShard(stream, input.ShardId);
  // A closed shard whose records have all passed retention is gone, as ListShards no longer shows it.
  if (!shard || isExpired(stream, shard, env.clock.now())) throw shardNotFound(stream, input.ShardId);
  const type = input.ShardIteratorType;
  const seq = input.StartingSequenceNumber;
  const bySequence = type === ShardIteratorType.AT_SEQUENCE_NUMBER || type === ShardIteratorType.AFTER_SEQUENCE_NUMBER;
  if (bySequence && seq === undefined) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} and no StartingSequenceNumber.`,
    );
  }
  if ((type === ShardIteratorType.TRIM_HORIZON || type === ShardIteratorType.LATEST) && seq !== undefined) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} and also a StartingSequenceNumber.`,
    );
  }
  if (type === ShardIteratorType.AT_TIMESTAMP && input.Timestamp === undefined) {
    throw new ServiceError(
      'InvalidArgumentException',
      'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
    );
  }
  const now = env.clock.now();
  const log = await env.streams.shardLog(stream, shard.shardId);
  let offset: number;
  switch (type) {
    case ShardIteratorType.TRIM_HORIZON:
      offset = log.startOffset();
      break;
    case ShardIteratorType.LATEST:
      offset = log.endOffset();
      break;
    case ShardIteratorType.AT_SEQUENCE_NUMBER:
    case ShardIteratorType.AFTER_SEQUENCE_NUMBER: {
      // The shard's StartingSequenceNumber is position 0: AT and AFTER it both start at the first record.
      const position = sequencePosition(stream, shard, seq as string, log.endOffset());
      offset = type === ShardIteratorType.AT_SEQUENCE_NUMBER ? offsetAtSequenceNumber(position) : offsetAfterSequenceNumber(position);
      break;
    }
    case ShardIteratorType.AT_TIMESTAMP: {
      const ts = (input.Timestamp as Date).getTime();
      if (Number.isNaN(ts)) throw new ServiceError('InvalidArgumentException', 'Invalid Timestamp for iterator of type AT_TIMESTAMP.');
      if (ts > now) {
        throw new ServiceError(
          'InvalidArgumentException',
          `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${ts}, currentTimestampInMillis: ${now}`,
        );
      }
      offset = await log.offsetAtTime(ts);
      break;
    }
    default:
      throw new ServiceError('InvalidArgumentException', `Invalid ShardIteratorType ${String(type)}.`);
  }
  if (input.DryRun === true) throw dryRunSucceeded();
  if (dp.limitsOn && !dp.limiters.iterator(stream.uid, shard.shardId, now).tryTake(now)) {
    throw new ServiceError(
      'ProvisionedThroughputExceededException',
      `Rate exceeded for shard ${shard.shardId} in stream ${stream.name} under account ${stream.accountId}.`,
    );
  }
  const ShardIterator = dp.iterators.encode({
    streamUid: stream.uid,
    accountId: stream.accountId,
    region: stream.region,
    streamName: stream.name,
    shardIndex: shard.index,
    offset,
    issuedMs: now,
  });
  return { ShardIterator };
}

/**
 * Position a sequence number names in this shard (0 = its start, offset + 1 = a record), with AWS's
 * validations.
 */
function sequencePosition(stream: StreamRecord, shard: ShardRecord, sequenceNumber: string, endOffset: number): number {
  const parts = decodeSequenceNumber(sequenceNumber);
  const invalid = (): ServiceError =>
    new ServiceError(
      'InvalidArgumentException',
      `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shard.shardId} in stream ${stream.name} under account ${stream.accountId} is invalid.`,
    );
  if (!parts || parts.salt !== stream.salt >>> 0) throw invalid();
  if (parts.shardIndex !== shard.index) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Invalid StartingSequenceNumber. It encodes ${shardIdFor(parts.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`,
    );
  }
  // A number this shard has not issued yet (beyond its last record) cannot come from the service.
  if (parts.position > endOffset) throw invalid();
  return parts.position;
}
