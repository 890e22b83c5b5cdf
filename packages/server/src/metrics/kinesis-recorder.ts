/**
 * Pre-resolved Kinesis metric series per stream, shard and consumer, and the rules that turn one API
 * call into samples (see kinesis-metric-names.ts for the AWS semantics). The instrumentation
 * (instrument-kinesis.ts) resolves a {@link StreamMetrics} once per call and hands it numbers; nothing
 * here allocates per record.
 */
import type { MetricDefinition } from './kinesis-metric-names.js';
import { KINESIS_NAMESPACE, KinesisMetric, MetricLevel, PromKind, ShardMetricBit } from './kinesis-metric-names.js';
import type { MetricSeries, MetricStore } from './metric-store.js';

type KeysAt<L extends MetricLevel> = {
  [K in keyof typeof KinesisMetric]: (typeof KinesisMetric)[K]['level'] extends L ? K : never;
}[keyof typeof KinesisMetric];

export type StreamMetricKey = KeysAt<typeof MetricLevel.STREAM>;
export type ShardMetricKey = KeysAt<typeof MetricLevel.SHARD>;
export type ConsumerMetricKey = KeysAt<typeof MetricLevel.CONSUMER>;

function resolveAll<K extends string>(
  store: MetricStore,
  level: MetricLevel,
  accountId: string,
  region: string,
  dimensions: { Name: string; Value: string }[],
): Record<K, MetricSeries> {
  const out: Partial<Record<string, MetricSeries>> = {};
  for (const [key, d] of Object.entries(KinesisMetric) as [string, MetricDefinition][]) {
    if (d.level !== level) continue;
    out[key] = store.series(
      { namespace: KINESIS_NAMESPACE, accountId, region, metricName: d.name, unit: d.unit, dimensions },
      { histogram: d.promKind === PromKind.HISTOGRAM },
    );
  }
  return out as Record<K, MetricSeries>;
}

export class ShardMetrics {
  readonly series: Record<ShardMetricKey, MetricSeries>;
  /** Per-call accumulators (PutRecords spreads one call over several shards). */
  pendingBytes = 0;
  pendingRecords = 0;
  pendingThrottled = 0;
  touched = false;
  constructor(
    store: MetricStore,
    readonly stream: StreamMetrics,
    readonly shardId: string,
  ) {
    this.series = resolveAll<ShardMetricKey>(store, MetricLevel.SHARD, stream.accountId, stream.region, [
      { Name: 'StreamName', Value: stream.name },
      { Name: 'ShardId', Value: shardId },
    ]);
  }
}

export class ConsumerMetrics {
  readonly series: Record<ConsumerMetricKey, MetricSeries>;
  constructor(
    store: MetricStore,
    readonly stream: StreamMetrics,
    readonly consumerName: string,
  ) {
    this.series = resolveAll<ConsumerMetricKey>(store, MetricLevel.CONSUMER, stream.accountId, stream.region, [
      { Name: 'StreamName', Value: stream.name },
      { Name: 'ConsumerName', Value: consumerName },
    ]);
  }
}

/** Shards touched by the PutRecords call being counted (reused: counting is synchronous). */
const touchedShards: ShardMetrics[] = [];

export class StreamMetrics {
  readonly series: Record<StreamMetricKey, MetricSeries>;
  /** Enabled shard-level metrics (bits of ShardMetricBit), from the stream's shardLevelMetrics. */
  shardMask = 0;
  /** performance.now() of the last mask refresh (-Infinity: refresh before next use). */
  maskCheckedAt = -Infinity;
  private readonly shards = new Map<string, ShardMetrics>();
  private readonly consumers = new Map<string, ConsumerMetrics>();

  constructor(
    private readonly store: MetricStore,
    readonly accountId: string,
    readonly region: string,
    readonly name: string,
  ) {
    this.series = resolveAll<StreamMetricKey>(store, MetricLevel.STREAM, accountId, region, [{ Name: 'StreamName', Value: name }]);
  }

  /** The shard's series, or undefined when no shard-level metric is enabled. */
  shard(shardId: string | undefined): ShardMetrics | undefined {
    if (this.shardMask === 0 || shardId === undefined) return undefined;
    let s = this.shards.get(shardId);
    if (!s) {
      s = new ShardMetrics(this.store, this, shardId);
      this.shards.set(shardId, s);
    }
    return s;
  }

  /**
   * Apply a new shard-level mask (Enable/DisableEnhancedMonitoring): shard series whose metric is no
   * longer enabled leave the Prometheus view.
   */
  setShardMask(mask: number): void {
    const off = this.shardMask & ~mask;
    this.shardMask = mask;
    if (off === 0) return;
    for (const sh of this.shards.values()) {
      const s = sh.series;
      if (off & ShardMetricBit.IncomingBytes) s.ShardIncomingBytes.retire();
      if (off & ShardMetricBit.IncomingRecords) s.ShardIncomingRecords.retire();
      if (off & ShardMetricBit.OutgoingBytes) s.ShardOutgoingBytes.retire();
      if (off & ShardMetricBit.OutgoingRecords) s.ShardOutgoingRecords.retire();
      if (off & ShardMetricBit.IteratorAgeMilliseconds) s.ShardIteratorAge.retire();
      if (off & ShardMetricBit.ReadProvisionedThroughputExceeded) s.ShardReadProvisionedThroughputExceeded.retire();
      if (off & ShardMetricBit.WriteProvisionedThroughputExceeded) s.ShardWriteProvisionedThroughputExceeded.retire();
    }
  }

  /** The stream was deleted: every series of it leaves the Prometheus view (history is kept). */
  retire(): void {
    for (const s of Object.values<MetricSeries>(this.series)) s.retire();
    for (const sh of this.shards.values()) for (const s of Object.values<MetricSeries>(sh.series)) s.retire();
    for (const c of this.consumers.values()) for (const s of Object.values<MetricSeries>(c.series)) s.retire();
    this.shardMask = 0;
  }

  consumer(consumerName: string): ConsumerMetrics {
    let c = this.consumers.get(consumerName);
    if (!c) {
      c = new ConsumerMetrics(this.store, this, consumerName);
      this.consumers.set(consumerName, c);
    }
    return c;
  }

  // ---- PutRecord ----

  putRecordSucceeded(minute: number, bytes: number, latencyMs: number, shard: ShardMetrics | undefined): void {
    const s = this.series;
    s.IncomingBytes.add(minute, bytes);
    s.IncomingRecords.add(minute, 1);
    s.PutRecordBytes.add(minute, bytes);
    s.PutRecordLatency.add(minute, latencyMs);
    s.PutRecordSuccess.add(minute, 1);
    s.WriteProvisionedThroughputExceeded.add(minute, 0);
    if (shard) this.shardWrite(minute, shard, bytes, 1, 0);
  }

  putRecordFailed(minute: number, latencyMs: number, throttled: boolean, shard: ShardMetrics | undefined): void {
    const s = this.series;
    s.PutRecordLatency.add(minute, latencyMs);
    s.PutRecordSuccess.add(minute, 0);
    if (throttled) {
      s.WriteProvisionedThroughputExceeded.add(minute, 1);
      if (shard) this.shardWrite(minute, shard, 0, 0, 1);
    }
  }

  // ---- PutRecords ----

  /** Count one entry of a PutRecords call against its shard (call {@link putRecordsDone} after the loop). */
  putRecordsEntry(shard: ShardMetrics, bytes: number, succeeded: boolean, throttled: boolean): void {
    if (!shard.touched) {
      shard.touched = true;
      touchedShards.push(shard);
    }
    if (succeeded) {
      shard.pendingBytes += bytes;
      shard.pendingRecords += 1;
    } else if (throttled) {
      shard.pendingThrottled += 1;
    }
  }

  putRecordsDone(
    minute: number,
    latencyMs: number,
    totals: { total: number; successful: number; failed: number; throttled: number; successfulBytes: number },
  ): void {
    const s = this.series;
    s.IncomingBytes.add(minute, totals.successfulBytes);
    s.IncomingRecords.add(minute, totals.successful);
    s.PutRecordsBytes.add(minute, totals.successfulBytes);
    s.PutRecordsLatency.add(minute, latencyMs);
    s.PutRecordsSuccess.add(minute, totals.successful > 0 ? 1 : 0);
    s.PutRecordsTotalRecords.add(minute, totals.total);
    s.PutRecordsSuccessfulRecords.add(minute, totals.successful);
    s.PutRecordsFailedRecords.add(minute, totals.failed);
    s.PutRecordsThrottledRecords.add(minute, totals.throttled);
    s.WriteProvisionedThroughputExceeded.add(minute, totals.throttled);
    for (let i = 0; i < touchedShards.length; i++) {
      const sh = touchedShards[i];
      this.shardWrite(minute, sh, sh.pendingBytes, sh.pendingRecords, sh.pendingThrottled);
      sh.pendingBytes = 0;
      sh.pendingRecords = 0;
      sh.pendingThrottled = 0;
      sh.touched = false;
    }
    touchedShards.length = 0;
  }

  /** A PutRecords call that failed as a whole (no entry was put). */
  putRecordsFailed(minute: number, latencyMs: number, throttledRecords: number): void {
    const s = this.series;
    s.PutRecordsLatency.add(minute, latencyMs);
    s.PutRecordsSuccess.add(minute, 0);
    if (throttledRecords > 0) {
      s.PutRecordsTotalRecords.add(minute, throttledRecords);
      s.PutRecordsThrottledRecords.add(minute, throttledRecords);
      s.WriteProvisionedThroughputExceeded.add(minute, throttledRecords);
    }
  }

  private shardWrite(minute: number, shard: ShardMetrics, bytes: number, records: number, throttled: number): void {
    const m = this.shardMask;
    const s = shard.series;
    if (records > 0 || throttled === 0) {
      if (m & ShardMetricBit.IncomingBytes) s.ShardIncomingBytes.add(minute, bytes);
      if (m & ShardMetricBit.IncomingRecords) s.ShardIncomingRecords.add(minute, records);
    }
    if (m & ShardMetricBit.WriteProvisionedThroughputExceeded) s.ShardWriteProvisionedThroughputExceeded.add(minute, throttled);
  }

  // ---- GetRecords ----

  getRecordsSucceeded(
    minute: number,
    latencyMs: number,
    records: number,
    bytes: number,
    iteratorAgeMs: number,
    shard: ShardMetrics | undefined,
  ): void {
    const s = this.series;
    s.GetRecordsBytes.add(minute, bytes);
    s.GetRecordsRecords.add(minute, records);
    s.GetRecordsLatency.add(minute, latencyMs);
    s.GetRecordsSuccess.add(minute, 1);
    s.GetRecordsIteratorAge.add(minute, iteratorAgeMs);
    s.OutgoingBytes.add(minute, bytes);
    s.OutgoingRecords.add(minute, records);
    s.ReadProvisionedThroughputExceeded.add(minute, 0);
    if (shard) {
      const m = this.shardMask;
      const h = shard.series;
      if (m & ShardMetricBit.OutgoingBytes) h.ShardOutgoingBytes.add(minute, bytes);
      if (m & ShardMetricBit.OutgoingRecords) h.ShardOutgoingRecords.add(minute, records);
      if (m & ShardMetricBit.IteratorAgeMilliseconds) h.ShardIteratorAge.add(minute, iteratorAgeMs);
      if (m & ShardMetricBit.ReadProvisionedThroughputExceeded) h.ShardReadProvisionedThroughputExceeded.add(minute, 0);
    }
  }

  getRecordsFailed(minute: number, latencyMs: number, throttled: boolean, shard: ShardMetrics | undefined): void {
    const s = this.series;
    s.GetRecordsLatency.add(minute, latencyMs);
    s.GetRecordsSuccess.add(minute, 0);
    if (throttled) {
      s.ReadProvisionedThroughputExceeded.add(minute, 1);
      if (shard && this.shardMask & ShardMetricBit.ReadProvisionedThroughputExceeded) {
        shard.series.ShardReadProvisionedThroughputExceeded.add(minute, 1);
      }
    }
  }

  // ---- SubscribeToShard ----

  subscribed(minute: number, consumer: ConsumerMetrics): void {
    consumer.series.SubscribeToShardSuccess.add(minute, 1);
    consumer.series.SubscribeToShardRateExceeded.add(minute, 0);
  }

  subscribeRejected(minute: number, consumer: ConsumerMetrics, rateExceeded: boolean): void {
    consumer.series.SubscribeToShardSuccess.add(minute, 0);
    if (rateExceeded) consumer.series.SubscribeToShardRateExceeded.add(minute, 1);
  }

  subscribeEvent(minute: number, consumer: ConsumerMetrics, records: number, bytes: number, millisBehindLatest: number, shard: ShardMetrics | undefined): void {
    const c = consumer.series;
    c.SubscribeToShardEventBytes.add(minute, bytes);
    c.SubscribeToShardEventRecords.add(minute, records);
    c.SubscribeToShardEventMillisBehindLatest.add(minute, millisBehindLatest);
    c.SubscribeToShardEventSuccess.add(minute, 1);
    const s = this.series;
    s.OutgoingBytes.add(minute, bytes);
    s.OutgoingRecords.add(minute, records);
    if (shard) {
      const m = this.shardMask;
      if (m & ShardMetricBit.OutgoingBytes) shard.series.ShardOutgoingBytes.add(minute, bytes);
      if (m & ShardMetricBit.OutgoingRecords) shard.series.ShardOutgoingRecords.add(minute, records);
    }
  }
}

/** Every stream's metrics, resolved once per (account, region, stream name). */
export class KinesisMetrics {
  private readonly streams = new Map<string, StreamMetrics>();
  constructor(readonly store: MetricStore) {}

  stream(accountId: string, region: string, name: string): StreamMetrics {
    const key = `${accountId}/${region}/${name}`;
    let s = this.streams.get(key);
    if (!s) {
      s = new StreamMetrics(this.store, accountId, region, name);
      this.streams.set(key, s);
    }
    return s;
  }
}
