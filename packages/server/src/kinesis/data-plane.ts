/**
 * The Kinesis data plane: PutRecord, PutRecords, GetShardIterator, GetRecords. Holds the state the
 * four operations share — routing tables cached per stream version, per-shard rate limiters, the
 * shard-iterator codec (its key loaded once from the metadata store) — and hands the binding its
 * handlers.
 */
import type { RequestContext } from '../model/context.js';
import { ServiceError } from '../model/service-error.js';
import type { KinesisPart } from './binding.js';
import type { KinesisEnv } from './env.js';
import { ShardLimiterRegistry } from './limits.js';
import type { ShardWriteLimiter } from './limits.js';
import { getRecords } from './operations/get-records.js';
import type { GetRecordsInput } from './operations/get-records.js';
import { getShardIterator } from './operations/get-shard-iterator.js';
import type { GetShardIteratorInput } from './operations/get-shard-iterator.js';
import { putRecord } from './operations/put-record.js';
import type { PutRecordInput } from './operations/put-record.js';
import { putRecords, putScannedRecords } from './operations/put-records.js';
import type { PutRecordsInput } from './operations/put-records.js';
import { ScannedPutRecords } from './put-records-scan.js';
import type { StreamRecord } from './records.js';
import { StreamStatus } from './records.js';
import { RoutingCache } from './routing.js';
import { ShardIteratorCodec, loadIteratorKey } from './shard-iterator.js';
import { notFound } from './stream-store.js';

/** What the routing table keeps per open shard for the write path. */
export interface WriteSlotState {
  readonly writeLimiter: ShardWriteLimiter;
}

/** State shared by the data-plane operations (built once per service). */
export interface DataPlaneContext {
  readonly env: KinesisEnv;
  readonly routing: RoutingCache<WriteSlotState>;
  readonly limiters: ShardLimiterRegistry;
  readonly iterators: ShardIteratorCodec;
  /** Whether the per-shard limits are enforced (settings.limits). */
  readonly limitsOn: boolean;
}

export async function createDataPlaneContext(env: KinesisEnv): Promise<DataPlaneContext> {
  const limiters = new ShardLimiterRegistry();
  const routing = new RoutingCache<WriteSlotState>((stream, shard) => ({
    writeLimiter: limiters.write(stream.uid, shard.shardId, env.clock.now()),
  }));
  const key = await loadIteratorKey(env.storage.metadata);
  const context: DataPlaneContext = { env, routing, limiters, iterators: new ShardIteratorCodec(key), limitsOn: env.settings.limits };
  env.streams.onTransition(async (before, after) => {
    if (after === undefined) {
      // The stream finished deleting: drop its per-stream state.
      routing.forget(before.uid);
      limiters.forgetStream(before.uid);
    }
  });
  return context;
}

/** Data operations need an ACTIVE or UPDATING stream; AWS answers ResourceNotFoundException otherwise. */
export function requireReadableOrWritable(stream: StreamRecord): void {
  if (stream.status === StreamStatus.ACTIVE || stream.status === StreamStatus.UPDATING) return;
  throw notFound(stream.name, stream.accountId);
}

export function dryRunSucceeded(): ServiceError {
  return new ServiceError('DryRunOperationException', 'Request would have succeeded, but DryRun flag is set.');
}

export async function dataPlane(env: KinesisEnv): Promise<KinesisPart> {
  const dp = await createDataPlaneContext(env);
  return {
    handlers: {
      PutRecord: (input: unknown, context: RequestContext) => putRecord(dp, input as PutRecordInput, context),
      PutRecords: (input: unknown, context: RequestContext) =>
        input instanceof ScannedPutRecords ? putScannedRecords(dp, input, context) : putRecords(dp, input as PutRecordsInput, context),
      GetShardIterator: (input: unknown, context: RequestContext) => getShardIterator(dp, input as GetShardIteratorInput, context),
      GetRecords: (input: unknown, context: RequestContext) => getRecords(dp, input as GetRecordsInput, context),
    },
    async close() {
      // Nothing runs in the background; the logs belong to the storage, closed by the composition root.
    },
  };
}
