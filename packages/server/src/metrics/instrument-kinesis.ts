/**
 * Counting Kinesis metrics without touching the operations: each data-plane handler in the binding's
 * table is wrapped by a function that times the call and derives the samples from the typed input and
 * output (or the ServiceError thrown). Enable/DisableEnhancedMonitoring and Create/DeleteStream are
 * wrapped only to keep each stream's shard-level mask current.
 *
 * Per call: one clock read, one map lookup for the stream, a loop over the records already in memory
 * (sizes only), no allocation per record.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, RequestContext } from '../model/context.js';
import type {
  EnhancedMonitoringOutput,
  GetRecordsInput,
  GetRecordsOutput,
  PutRecordInput,
  PutRecordOutput,
  PutRecordsInput,
  PutRecordsOutput,
  SubscribeToShardInput,
  SubscribeToShardOutput,
} from '../model/generated/kinesis-types.js';
import type { OperationHandler } from '../model/operation.js';
import { isServiceError } from '../model/service-error.js';
import { parseConsumerArn } from '../kinesis/arn.js';
import { partitionKeyHash } from '../kinesis/hash-key.js';
import { RenderedPutRecords } from '../kinesis/operations/put-records.js';
import { ScannedPutRecords } from '../kinesis/put-records-scan.js';
import type { StreamRecord } from '../kinesis/records.js';
import { shardIdFor, streamKey } from '../kinesis/records.js';
import type { StreamStore } from '../kinesis/stream-store.js';
import { openShards } from '../kinesis/stream-store.js';
import { shardMetricsMask, ShardMetricBit } from './kinesis-metric-names.js';
import type { KinesisMetrics, ShardMetrics, StreamMetrics } from './kinesis-recorder.js';
import { MINUTE_MS } from './metric-store.js';
import { takeShardIteratorTarget } from './peek-shard-iterator.js';

/** How long a stream's shard-level mask is trusted before it is re-read from the stream record. */
const MASK_TTL_MS = 2_000;
const THROTTLED = 'ProvisionedThroughputExceededException';

export interface InstrumentDeps {
  readonly metrics: KinesisMetrics;
  readonly streams: StreamStore;
  readonly clock: Clock;
}

function utf8Length(s: string | undefined): number {
  return s === undefined ? 0 : Buffer.byteLength(s, 'utf8');
}

/** Returns a new handler table; handlers not concerned are passed through unchanged. */
export function instrumentKinesisHandlers(
  handlers: Readonly<Record<string, OperationHandler>>,
  deps: InstrumentDeps,
): Record<string, OperationHandler> {
  const { metrics, streams, clock } = deps;
  const out: Record<string, OperationHandler> = { ...handlers };

  /** Stream metrics for a request naming a stream, with a fresh shard mask; undefined if unresolvable. */
  async function streamFor(
    context: RequestContext,
    ref: { StreamName?: string | undefined; StreamARN?: string | undefined },
  ): Promise<StreamMetrics | undefined> {
    let k: { key: string; name: string; accountId: string; region: string };
    try {
      k = streams.keyFor(context, ref);
    } catch {
      return undefined; // the handler already answered the client; nothing to attribute
    }
    const sm = metrics.stream(k.accountId, k.region, k.name);
    await refreshMask(sm, k.key);
    return sm;
  }

  async function refreshMask(sm: StreamMetrics, key: string): Promise<void> {
    const t = performance.now();
    if (t - sm.maskCheckedAt < MASK_TTL_MS) return;
    sm.maskCheckedAt = t;
    try {
      const found = await streams.get(key);
      sm.setShardMask(found ? shardMetricsMask(found.value.shardLevelMetrics) : 0);
    } catch {
      // Metadata unavailable: keep the previous mask; the request itself reports the storage error.
    }
  }

  /** Shard an unsent (throttled) record would have gone to; slow path, only with shard metrics on. */
  async function shardOfKey(key: string, partitionKey: string | undefined, explicitHashKey: string | undefined): Promise<string | undefined> {
    const found = await streams.get(key);
    if (!found || partitionKey === undefined) return undefined;
    return routeTo(found.value, explicitHashKey !== undefined ? BigInt(explicitHashKey) : partitionKeyHash(partitionKey));
  }

  const putRecord = handlers.PutRecord;
  if (putRecord) {
    out.PutRecord = async (input: unknown, context: RequestContext) => {
      const t0 = performance.now();
      const req = input as PutRecordInput;
      try {
        const res = (await putRecord(input, context)) as PutRecordOutput;
        const latency = performance.now() - t0;
        const sm = await streamFor(context, req);
        if (sm) {
          const bytes = req.Data.length + utf8Length(req.PartitionKey);
          sm.putRecordSucceeded(Math.floor(clock.now() / MINUTE_MS), bytes, latency, sm.shard(res.ShardId));
        }
        return res;
      } catch (err) {
        const latency = performance.now() - t0;
        if (!(isServiceError(err) && err.code === 'DryRunOperationException')) {
          const sm = await streamFor(context, req);
          if (sm) {
            const throttled = isServiceError(err) && err.code === THROTTLED;
            let shard: ShardMetrics | undefined;
            if (throttled && sm.shardMask & ShardMetricBit.WriteProvisionedThroughputExceeded) {
              const k = streams.keyFor(context, req).key;
              shard = sm.shard(await shardOfKey(k, req.PartitionKey, req.ExplicitHashKey).catch(() => undefined));
            }
            sm.putRecordFailed(Math.floor(clock.now() / MINUTE_MS), latency, throttled, shard);
          }
        }
        throw err;
      }
    };
  }

  const putRecords = handlers.PutRecords;
  if (putRecords) {
    out.PutRecords = async (input: unknown, context: RequestContext) => {
      const t0 = performance.now();
      const req = input as PutRecordsInput | ScannedPutRecords;
      const scanned = req instanceof ScannedPutRecords ? req : undefined;
      const count = scanned !== undefined ? scanned.count : (req as PutRecordsInput).Records.length;
      let res: PutRecordsOutput | RenderedPutRecords;
      try {
        res = (await putRecords(input, context)) as PutRecordsOutput | RenderedPutRecords;
      } catch (err) {
        const latency = performance.now() - t0;
        if (!(isServiceError(err) && err.code === 'DryRunOperationException')) {
          const sm = await streamFor(context, req);
          const throttled = isServiceError(err) && err.code === THROTTLED ? count : 0;
          sm?.putRecordsFailed(Math.floor(clock.now() / MINUTE_MS), latency, throttled);
        }
        throw err;
      }
      const latency = performance.now() - t0;
      const sm = await streamFor(context, req);
      if (!sm) return res;
      // Both input forms (generic and scanned) and both output forms (objects and rendered JSON).
      const plainEntries = scanned === undefined ? (req as PutRecordsInput).Records : undefined;
      const rendered = res instanceof RenderedPutRecords ? res : undefined;
      const plainResults = rendered === undefined ? (res as PutRecordsOutput).Records : undefined;
      const entryBytes = (i: number) => (plainEntries !== undefined ? plainEntries[i].Data.length + utf8Length(plainEntries[i].PartitionKey) : (scanned as ScannedPutRecords).size(i));
      const errorCode = (i: number) => (plainResults !== undefined ? plainResults[i]?.ErrorCode : (rendered as RenderedPutRecords).errorCodes[i]);
      const shardsOn = sm.shardMask !== 0;
      let successful = 0;
      let failed = 0;
      let throttled = 0;
      let successfulBytes = 0;
      if (scanned !== undefined && rendered !== undefined && rendered.failedRecordCount === 0 && !shardsOn) {
        // The fast path's common case: every entry stored, no shard-level metrics. One pass over sizes.
        const layout = scanned.source.layout;
        for (let i = 0; i < count; i++) successfulBytes += layout[4 * i + 1] + layout[4 * i + 3];
        successful = count;
      } else {
        for (let i = 0; i < count; i++) {
          if (plainResults !== undefined && plainResults[i] === undefined) continue;
          const code = errorCode(i);
          if (code === undefined) {
            const bytes = entryBytes(i);
            successful++;
            successfulBytes += bytes;
            if (shardsOn) {
              const sh = sm.shard(plainResults !== undefined ? plainResults[i].ShardId : (rendered as RenderedPutRecords).shardIds[i]);
              if (sh) sm.putRecordsEntry(sh, bytes, true, false);
            }
          } else if (code === THROTTLED) {
            throttled++;
          } else {
            failed++;
          }
        }
      }
      if (throttled > 0 && sm.shardMask & ShardMetricBit.WriteProvisionedThroughputExceeded) {
        const key = streams.keyFor(context, req).key;
        const stream = await streams.get(key).catch(() => undefined);
        if (stream) {
          for (let i = 0; i < count; i++) {
            if (errorCode(i) !== THROTTLED) continue;
            const partitionKey = plainEntries !== undefined ? plainEntries[i].PartitionKey : (scanned as ScannedPutRecords).partitionKey(i);
            const explicitHashKey = plainEntries !== undefined ? plainEntries[i].ExplicitHashKey : (scanned as ScannedPutRecords).explicitHashKey(i);
            if (partitionKey === undefined) continue;
            const shardId = routeTo(stream.value, explicitHashKey !== undefined ? BigInt(explicitHashKey) : partitionKeyHash(partitionKey));
            const sh = sm.shard(shardId);
            if (sh) sm.putRecordsEntry(sh, 0, false, true);
          }
        }
      }
      sm.putRecordsDone(Math.floor(clock.now() / MINUTE_MS), latency, {
        total: count,
        successful,
        failed,
        throttled,
        successfulBytes,
      });
      return res;
    };
  }

  const getRecords = handlers.GetRecords;
  if (getRecords) {
    out.GetRecords = async (input: unknown, context: RequestContext) => {
      const t0 = performance.now();
      const req = input as GetRecordsInput;
      let res: GetRecordsOutput;
      try {
        res = (await getRecords(input, context)) as GetRecordsOutput;
      } catch (err) {
        const latency = performance.now() - t0;
        if (!(isServiceError(err) && err.code === 'DryRunOperationException')) {
          const it = takeShardIteratorTarget(req.ShardIterator);
          if (it) {
            const sm = metrics.stream(it.accountId, it.region, it.streamName);
            await refreshMask(sm, streamKeyOf(it));
            const throttled = isServiceError(err) && err.code === THROTTLED;
            sm.getRecordsFailed(Math.floor(clock.now() / MINUTE_MS), latency, throttled, sm.shard(shardIdFor(it.shardIndex)));
          }
        }
        throw err;
      }
      const latency = performance.now() - t0;
      // Usually the position the codec has just decoded (no second decode of the token).
      const it = takeShardIteratorTarget(req.ShardIterator);
      if (!it) return res;
      const sm = metrics.stream(it.accountId, it.region, it.streamName);
      await refreshMask(sm, streamKeyOf(it));
      const records = res.Records;
      let bytes = 0;
      for (let i = 0; i < records.length; i++) bytes += records[i].Data.length + utf8Length(records[i].PartitionKey);
      const nowMs = clock.now();
      // Age of the last record returned; with no records, how far the iterator is behind the tip
      // (0 when caught up, as AWS reports it).
      const last = records.length > 0 ? records[records.length - 1].ApproximateArrivalTimestamp : undefined;
      const ageMs = last !== undefined ? Math.max(0, nowMs - last.getTime()) : (res.MillisBehindLatest ?? 0);
      sm.getRecordsSucceeded(Math.floor(nowMs / MINUTE_MS), latency, records.length, bytes, ageMs, sm.shard(shardIdFor(it.shardIndex)));
      return res;
    };
  }

  const subscribe = handlers.SubscribeToShard;
  if (subscribe) {
    out.SubscribeToShard = async (input: unknown, context: RequestContext) => {
      const req = input as SubscribeToShardInput;
      const arn = parseConsumerArn(req.ConsumerARN);
      let res: SubscribeToShardOutput;
      try {
        res = (await subscribe(input, context)) as SubscribeToShardOutput;
      } catch (err) {
        if (arn && !(isServiceError(err) && err.code === 'DryRunOperationException')) {
          const sm = metrics.stream(arn.accountId, arn.region, arn.streamName);
          const rate = isServiceError(err) && (err.code === 'ResourceInUseException' || err.code === 'LimitExceededException');
          sm.subscribeRejected(Math.floor(clock.now() / MINUTE_MS), sm.consumer(arn.consumerName), rate);
        }
        throw err;
      }
      if (!arn) return res;
      const sm = metrics.stream(arn.accountId, arn.region, arn.streamName);
      await refreshMask(sm, streamKeyOf(arn));
      const consumer = sm.consumer(arn.consumerName);
      sm.subscribed(Math.floor(clock.now() / MINUTE_MS), consumer);
      const shardId = req.ShardId;
      const counted = countEvents(res.EventStream, (ev) => {
        if (!('SubscribeToShardEvent' in ev)) return;
        const e = ev.SubscribeToShardEvent;
        let bytes = 0;
        for (let i = 0; i < e.Records.length; i++) bytes += e.Records[i].Data.length + utf8Length(e.Records[i].PartitionKey);
        sm.subscribeEvent(Math.floor(clock.now() / MINUTE_MS), consumer, e.Records.length, bytes, e.MillisBehindLatest ?? 0, sm.shard(shardId));
      });
      return { ...res, EventStream: counted };
    };
  }

  for (const op of ['EnableEnhancedMonitoring', 'DisableEnhancedMonitoring'] as const) {
    const h = handlers[op];
    if (!h) continue;
    out[op] = async (input: unknown, context: RequestContext) => {
      const res = (await h(input, context)) as EnhancedMonitoringOutput;
      const ref = input as { StreamName?: string; StreamARN?: string };
      try {
        const k = streams.keyFor(context, ref);
        const sm = metrics.stream(k.accountId, k.region, k.name);
        sm.setShardMask(shardMetricsMask(res.DesiredShardLevelMetrics ?? []));
        sm.maskCheckedAt = performance.now();
      } catch {
        // Unresolvable reference: the handler succeeded anyway, so this cannot happen; nothing to update.
      }
      return res;
    };
  }

  for (const op of ['CreateStream', 'DeleteStream'] as const) {
    const h = handlers[op];
    if (!h) continue;
    out[op] = async (input: unknown, context: RequestContext) => {
      const res = await h(input, context);
      try {
        const k = streams.keyFor(context, input as { StreamName?: string; StreamARN?: string });
        const sm = metrics.stream(k.accountId, k.region, k.name);
        if (op === 'DeleteStream') sm.retire();
        else sm.setShardMask(0);
        sm.maskCheckedAt = -Infinity;
      } catch {
        // see above
      }
      return res;
    };
  }

  return out;
}

/**
 * The same events, counted as they pass. A plain iterator rather than an async generator: `return()`
 * (the client went away) must reach the source at once, not after the next event is produced.
 */
function countEvents<E>(source: AsyncIterable<E>, onEvent: (event: E) => void): AsyncIterable<E> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<E> {
      const it = source[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<E>> {
          const r = await it.next();
          if (r.done !== true) onEvent(r.value);
          return r;
        },
        return(value?: unknown): Promise<IteratorResult<E>> {
          return it.return ? it.return(value) : Promise.resolve({ done: true, value: undefined });
        },
        throw(err?: unknown): Promise<IteratorResult<E>> {
          return it.throw ? it.throw(err) : Promise.reject(err instanceof Error ? err : new Error(String(err)));
        },
      };
    },
  };
}

function streamKeyOf(it: { accountId: string; region: string; streamName: string }): string {
  return streamKey(it.accountId, it.region, it.streamName);
}

/** The open shard whose hash range holds `hashKey`. */
function routeTo(stream: StreamRecord, hashKey: bigint): string | undefined {
  for (const s of openShards(stream)) {
    if (hashKey >= BigInt(s.startingHashKey) && hashKey <= BigInt(s.endingHashKey)) return s.shardId;
  }
  return undefined;
}
