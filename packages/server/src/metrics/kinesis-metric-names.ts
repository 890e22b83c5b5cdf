/**
 * The Kinesis Data Streams metrics Shardline emits, with AWS's names, units and dimensions
 * (namespace `AWS/Kinesis`), and the Prometheus name each one is exposed under.
 *
 * Source: "Monitoring the Amazon Kinesis Data Streams service with Amazon CloudWatch"
 * https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
 * (summarised in ../shared/reference/wire-and-format-notes.md, section (i)).
 *
 * Sample semantics follow the AWS page: one sample per API call (Minimum/Maximum/Average are
 * "per operation"), Success metrics are 1 for a successful call and 0 for a failed one (so Average is
 * the success rate), WriteProvisionedThroughputExceeded counts the records rejected by throttling in
 * the call, ReadProvisionedThroughputExceeded is 1 for a throttled GetRecords call.
 */

export const KINESIS_NAMESPACE = 'AWS/Kinesis';

/** The subset of the CloudWatch StandardUnit values these metrics use. */
export const MetricUnit = { Bytes: 'Bytes', Count: 'Count', Milliseconds: 'Milliseconds' } as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Which dimensions a metric carries. */
export const MetricLevel = {
  /** StreamName */
  STREAM: 'stream',
  /** StreamName + ShardId (enhanced monitoring only) */
  SHARD: 'shard',
  /** StreamName + ConsumerName (enhanced fan-out) */
  CONSUMER: 'consumer',
} as const;
export type MetricLevel = (typeof MetricLevel)[keyof typeof MetricLevel];

/** How the metric is exposed to Prometheus. */
export const PromKind = {
  /** Monotonic sum of the samples (`…_total`). */
  COUNTER: 'counter',
  /** Latency histogram in seconds (samples are milliseconds). */
  HISTOGRAM: 'histogram',
  /** Last sample, converted from milliseconds to seconds. */
  GAUGE_SECONDS: 'gauge_seconds',
} as const;
export type PromKind = (typeof PromKind)[keyof typeof PromKind];

export interface MetricDefinition {
  /** CloudWatch metric name, e.g. "GetRecords.IteratorAgeMilliseconds". */
  readonly name: string;
  readonly unit: MetricUnit;
  readonly level: MetricLevel;
  readonly promName: string;
  readonly promKind: PromKind;
  readonly help: string;
}

const P = 'shardline_kinesis_';

function def<L extends MetricLevel>(
  name: string,
  unit: MetricUnit,
  level: L,
  promSuffix: string,
  promKind: PromKind,
  help: string,
): MetricDefinition & { readonly level: L } {
  return { name, unit, level, promName: P + promSuffix, promKind, help };
}

const S = MetricLevel.STREAM;
const H = MetricLevel.SHARD;
const C = MetricLevel.CONSUMER;
const { Bytes, Count, Milliseconds } = MetricUnit;
const { COUNTER, HISTOGRAM, GAUGE_SECONDS } = PromKind;

/**
 * Every metric, keyed by a short identifier used in code. Stream-level and shard-level metrics that
 * share a CloudWatch name are separate entries (their dimensions differ, and Prometheus must not mix
 * label sets under one name).
 */
export const KinesisMetric = {
  IncomingBytes: def('IncomingBytes', Bytes, S, 'incoming_bytes_total', COUNTER, 'Bytes successfully put (PutRecord and PutRecords).'),
  IncomingRecords: def('IncomingRecords', Count, S, 'incoming_records_total', COUNTER, 'Records successfully put (PutRecord and PutRecords).'),
  PutRecordBytes: def('PutRecord.Bytes', Bytes, S, 'put_record_bytes_total', COUNTER, 'Bytes put with PutRecord.'),
  PutRecordLatency: def('PutRecord.Latency', Milliseconds, S, 'put_record_latency_seconds', HISTOGRAM, 'PutRecord latency.'),
  PutRecordSuccess: def('PutRecord.Success', Count, S, 'put_record_success_total', COUNTER, 'Successful PutRecord calls.'),
  PutRecordsBytes: def('PutRecords.Bytes', Bytes, S, 'put_records_bytes_total', COUNTER, 'Bytes put successfully with PutRecords.'),
  PutRecordsLatency: def('PutRecords.Latency', Milliseconds, S, 'put_records_latency_seconds', HISTOGRAM, 'PutRecords latency.'),
  PutRecordsSuccess: def('PutRecords.Success', Count, S, 'put_records_success_total', COUNTER, 'PutRecords calls with at least one record put.'),
  PutRecordsTotalRecords: def('PutRecords.TotalRecords', Count, S, 'put_records_records_total', COUNTER, 'Records sent in PutRecords calls.'),
  PutRecordsSuccessfulRecords: def('PutRecords.SuccessfulRecords', Count, S, 'put_records_successful_records_total', COUNTER, 'Records put successfully with PutRecords.'),
  PutRecordsFailedRecords: def('PutRecords.FailedRecords', Count, S, 'put_records_failed_records_total', COUNTER, 'PutRecords records rejected by internal failures.'),
  PutRecordsThrottledRecords: def('PutRecords.ThrottledRecords', Count, S, 'put_records_throttled_records_total', COUNTER, 'PutRecords records rejected by throttling.'),
  GetRecordsBytes: def('GetRecords.Bytes', Bytes, S, 'get_records_bytes_total', COUNTER, 'Bytes returned by GetRecords.'),
  GetRecordsIteratorAge: def('GetRecords.IteratorAgeMilliseconds', Milliseconds, S, 'get_records_iterator_age_seconds', GAUGE_SECONDS, 'Age of the last record returned by the latest GetRecords call.'),
  GetRecordsLatency: def('GetRecords.Latency', Milliseconds, S, 'get_records_latency_seconds', HISTOGRAM, 'GetRecords latency.'),
  GetRecordsRecords: def('GetRecords.Records', Count, S, 'get_records_records_total', COUNTER, 'Records returned by GetRecords.'),
  GetRecordsSuccess: def('GetRecords.Success', Count, S, 'get_records_success_total', COUNTER, 'Successful GetRecords calls.'),
  OutgoingBytes: def('OutgoingBytes', Bytes, S, 'outgoing_bytes_total', COUNTER, 'Bytes read (GetRecords and SubscribeToShard).'),
  OutgoingRecords: def('OutgoingRecords', Count, S, 'outgoing_records_total', COUNTER, 'Records read (GetRecords and SubscribeToShard).'),
  ReadProvisionedThroughputExceeded: def('ReadProvisionedThroughputExceeded', Count, S, 'read_provisioned_throughput_exceeded_total', COUNTER, 'GetRecords calls throttled.'),
  WriteProvisionedThroughputExceeded: def('WriteProvisionedThroughputExceeded', Count, S, 'write_provisioned_throughput_exceeded_total', COUNTER, 'Records rejected by write throttling.'),
  SubscribeToShardRateExceeded: def('SubscribeToShard.RateExceeded', Count, C, 'subscribe_to_shard_rate_exceeded_total', COUNTER, 'SubscribeToShard calls rejected (active subscription or rate).'),
  SubscribeToShardSuccess: def('SubscribeToShard.Success', Count, C, 'subscribe_to_shard_success_total', COUNTER, 'Subscriptions established.'),
  SubscribeToShardEventBytes: def('SubscribeToShardEvent.Bytes', Bytes, C, 'subscribe_to_shard_event_bytes_total', COUNTER, 'Bytes pushed to enhanced fan-out consumers.'),
  SubscribeToShardEventMillisBehindLatest: def('SubscribeToShardEvent.MillisBehindLatest', Milliseconds, C, 'subscribe_to_shard_event_behind_latest_seconds', GAUGE_SECONDS, 'How far the latest event was behind the tip of the shard.'),
  SubscribeToShardEventRecords: def('SubscribeToShardEvent.Records', Count, C, 'subscribe_to_shard_event_records_total', COUNTER, 'Records pushed to enhanced fan-out consumers.'),
  SubscribeToShardEventSuccess: def('SubscribeToShardEvent.Success', Count, C, 'subscribe_to_shard_event_success_total', COUNTER, 'Events published to enhanced fan-out consumers.'),
  ShardIncomingBytes: def('IncomingBytes', Bytes, H, 'shard_incoming_bytes_total', COUNTER, 'Bytes put to the shard.'),
  ShardIncomingRecords: def('IncomingRecords', Count, H, 'shard_incoming_records_total', COUNTER, 'Records put to the shard.'),
  ShardIteratorAge: def('IteratorAgeMilliseconds', Milliseconds, H, 'shard_iterator_age_seconds', GAUGE_SECONDS, 'Age of the last record returned by the latest GetRecords call on the shard.'),
  ShardOutgoingBytes: def('OutgoingBytes', Bytes, H, 'shard_outgoing_bytes_total', COUNTER, 'Bytes read from the shard.'),
  ShardOutgoingRecords: def('OutgoingRecords', Count, H, 'shard_outgoing_records_total', COUNTER, 'Records read from the shard.'),
  ShardReadProvisionedThroughputExceeded: def('ReadProvisionedThroughputExceeded', Count, H, 'shard_read_provisioned_throughput_exceeded_total', COUNTER, 'GetRecords calls on the shard throttled.'),
  ShardWriteProvisionedThroughputExceeded: def('WriteProvisionedThroughputExceeded', Count, H, 'shard_write_provisioned_throughput_exceeded_total', COUNTER, 'Records to the shard rejected by throttling.'),
} as const satisfies Record<string, MetricDefinition>;
export type KinesisMetricKey = keyof typeof KinesisMetric;

/**
 * The names EnableEnhancedMonitoring accepts (the MetricsName enum without ALL), mapped to the
 * shard-level metrics each one turns on.
 */
export const ShardLevelMetricName = {
  IncomingBytes: 'IncomingBytes',
  IncomingRecords: 'IncomingRecords',
  OutgoingBytes: 'OutgoingBytes',
  OutgoingRecords: 'OutgoingRecords',
  WriteProvisionedThroughputExceeded: 'WriteProvisionedThroughputExceeded',
  ReadProvisionedThroughputExceeded: 'ReadProvisionedThroughputExceeded',
  IteratorAgeMilliseconds: 'IteratorAgeMilliseconds',
} as const;
export type ShardLevelMetricName = (typeof ShardLevelMetricName)[keyof typeof ShardLevelMetricName];

/** Bit of each shard-level metric in a {@link shardMetricsMask}. */
export const ShardMetricBit = {
  IncomingBytes: 1,
  IncomingRecords: 2,
  OutgoingBytes: 4,
  OutgoingRecords: 8,
  WriteProvisionedThroughputExceeded: 16,
  ReadProvisionedThroughputExceeded: 32,
  IteratorAgeMilliseconds: 64,
} as const satisfies Record<ShardLevelMetricName, number>;

export const ALL_SHARD_METRICS_MASK = 127;

/** The bit mask of a StreamRecord's `shardLevelMetrics` ("ALL" turns every one on). */
export function shardMetricsMask(names: readonly string[]): number {
  let mask = 0;
  for (const n of names) {
    if (n === 'ALL') return ALL_SHARD_METRICS_MASK;
    if (Object.hasOwn(ShardMetricBit, n)) mask |= ShardMetricBit[n as ShardLevelMetricName];
  }
  return mask;
}

/** Every definition, for lookups by CloudWatch name and for Prometheus registration. */
export const ALL_KINESIS_METRICS: readonly MetricDefinition[] = Object.values(KinesisMetric);

/** Unit of a CloudWatch metric name (the same for its stream and shard levels). */
export function unitOf(metricName: string): MetricUnit | undefined {
  for (const d of ALL_KINESIS_METRICS) if (d.name === metricName) return d.unit;
  return undefined;
}
