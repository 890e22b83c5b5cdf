/**
 * SubscribeToShard: validate and resolve everything (consumer ACTIVE, shard, starting position, the
 * 5-second rule) before answering, so that every failure is a normal HTTP 400 error; then return the
 * event stream, which the protocol layer writes as `application/vnd.amazon.eventstream`
 * (initial-response, then SubscribeToShardEvent events). See subscriptions.ts for the stream itself.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html
 *
 * Starting positions resolve to a log offset (a sequence number encodes a position: the record at
 * offset i has position i + 1, the shard's StartingSequenceNumber position 0; see sequence-number.ts):
 *   TRIM_HORIZON          first retained record
 *   LATEST                the next record appended
 *   AT_SEQUENCE_NUMBER    the record with that number; the first record for StartingSequenceNumber
 *   AFTER_SEQUENCE_NUMBER the record after it (never past the end of the log); the first record for
 *                         StartingSequenceNumber, which is also the ContinuationSequenceNumber of a
 *                         subscription that has delivered nothing from the start of a shard
 *   AT_TIMESTAMP          the first record that arrived at or after Timestamp
 * Offsets before the trim horizon start at the first retained record.
 */
import type { RequestContext } from '../../model/context.js';
import type { StartingPosition, SubscribeToShardInput, SubscribeToShardOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { ShardLog } from '../../storage/contract.js';
import { requireReadableOrWritable } from '../data-plane.js';
import type { FanOutEnv } from '../fan-out.js';
import type { ShardRecord, StreamRecord } from '../records.js';
import { ConsumerStatus, shardIdFor } from '../records.js';
import { decodeSequenceNumber, offsetAfterSequenceNumber, offsetAtSequenceNumber } from '../sequence-number.js';

export async function subscribeToShard(
  fan: FanOutEnv,
  input: SubscribeToShardInput,
  context: RequestContext,
): Promise<SubscribeToShardOutput> {
  const { stream, consumer } = await fan.consumers.resolve(context, { ConsumerARN: input.ConsumerARN });
  requireReadableOrWritable(stream.value);
  if (consumer.value.status !== ConsumerStatus.ACTIVE) {
    throw new ServiceError(
      'ResourceInUseException',
      `Consumer ${consumer.value.arn} is not ACTIVE, instead in state ${consumer.value.status}.`,
    );
  }
  const shard = stream.value.shards.find((s) => s.shardId === input.ShardId);
  if (!shard) {
    throw new ServiceError(
      'ResourceNotFoundException',
      `Could not find shard ${input.ShardId} in stream ${stream.value.name} under account ${stream.value.accountId}.`,
    );
  }
  const log = await fan.env.streams.shardLog(stream.value, shard.shardId);
  const offset = await startOffset(stream.value, shard, log, input.StartingPosition);
  if (input.DryRun === true) {
    throw new ServiceError('DryRunOperationException', 'Request would have succeeded, but DryRun flag is set.');
  }
  const subscription = fan.subscriptions.start({
    consumerArn: consumer.value.arn,
    stream: stream.value,
    shard,
    log,
    offset,
    signal: context.signal,
  });
  return { EventStream: subscription as AsyncIterable<never> };
}

async function startOffset(stream: StreamRecord, shard: ShardRecord, log: ShardLog, position: StartingPosition): Promise<number> {
  switch (position.Type) {
    case 'TRIM_HORIZON':
      return log.startOffset();
    case 'LATEST':
      return log.endOffset();
    case 'AT_TIMESTAMP': {
      if (position.Timestamp === undefined) {
        throw new ServiceError('InvalidArgumentException', 'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP.');
      }
      return log.offsetAtTime(position.Timestamp.getTime());
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      if (position.SequenceNumber === undefined) {
        throw new ServiceError(
          'InvalidArgumentException',
          `Must specify SequenceNumber parameter for starting position of type ${position.Type}.`,
        );
      }
      const parts = decodeSequenceNumber(position.SequenceNumber);
      if (!parts || parts.salt !== (stream.salt >>> 0)) {
        throw new ServiceError(
          'InvalidArgumentException',
          `StartingSequenceNumber ${position.SequenceNumber} used in SubscribeToShard on shard ${shard.shardId} in stream ${stream.name} under account ${stream.accountId} is invalid.`,
        );
      }
      if (parts.shardIndex !== shard.index) {
        throw new ServiceError(
          'InvalidArgumentException',
          `Invalid StartingSequenceNumber. It encodes ${shardIdFor(parts.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`,
        );
      }
      const at = position.Type === 'AT_SEQUENCE_NUMBER' ? offsetAtSequenceNumber(parts.position) : offsetAfterSequenceNumber(parts.position);
      return Math.max(log.startOffset(), Math.min(at, log.endOffset()));
    }
    default:
      throw new ServiceError('InvalidArgumentException', `Invalid StartingPosition type ${String(position.Type)}.`);
  }
}
