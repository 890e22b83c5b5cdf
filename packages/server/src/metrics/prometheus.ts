/**
 * `GET /metrics`: the metric store in the Prometheus text exposition format (version 0.0.4), through
 * prom-client. Values are read from the store at scrape time (the hot path never touches prom-client):
 * each prom-client metric below overrides `get()` to report the store's totals since the process
 * started.
 *
 * Naming (https://prometheus.io/docs/practices/naming/): prefix `shardline_kinesis_`, snake_case,
 * base units (latencies and ages in seconds), counters end in `_total`; stream-level and shard-level
 * metrics have distinct names so a sum() never mixes the two. Labels: account_id, region,
 * stream_name, plus shard_id or consumer_name.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricDefinition } from './kinesis-metric-names.js';
import { ALL_KINESIS_METRICS, KINESIS_NAMESPACE, MetricLevel, PromKind } from './kinesis-metric-names.js';
import type { MetricSeries, MetricStore } from './metric-store.js';
import { LATENCY_BUCKETS_MS } from './metric-store.js';

const LABELS: Record<MetricLevel, string[]> = {
  [MetricLevel.STREAM]: ['account_id', 'region', 'stream_name'],
  [MetricLevel.SHARD]: ['account_id', 'region', 'stream_name', 'shard_id'],
  [MetricLevel.CONSUMER]: ['account_id', 'region', 'stream_name', 'consumer_name'],
};

type Labels = Record<string, string>;
interface Value {
  value: number;
  labels: Labels;
  metricName?: string;
}

function levelOf(series: MetricSeries): MetricLevel {
  for (const d of series.id.dimensions) {
    if (d.Name === 'ShardId') return MetricLevel.SHARD;
    if (d.Name === 'ConsumerName') return MetricLevel.CONSUMER;
  }
  return MetricLevel.STREAM;
}

function labelsOf(series: MetricSeries): Labels {
  // Fixed label order: account_id, region, stream_name, then shard_id or consumer_name.
  const l: Labels = { account_id: series.id.accountId, region: series.id.region };
  let shard: string | undefined;
  let consumer: string | undefined;
  for (const d of series.id.dimensions) {
    if (d.Name === 'StreamName') l.stream_name = d.Value;
    else if (d.Name === 'ShardId') shard = d.Value;
    else if (d.Name === 'ConsumerName') consumer = d.Value;
  }
  if (shard !== undefined) l.shard_id = shard;
  if (consumer !== undefined) l.consumer_name = consumer;
  return l;
}

/** The series behind one definition, at scrape time. */
type SeriesSource = () => MetricSeries[];

function counterValues(series: MetricSeries[]): Value[] {
  return series.filter((s) => s.totalCount > 0).map((s) => ({ value: s.totalSum, labels: labelsOf(s) }));
}

function gaugeSecondsValues(series: MetricSeries[]): Value[] {
  return series.filter((s) => s.totalCount > 0).map((s) => ({ value: s.last / 1000, labels: labelsOf(s) }));
}

function histogramValues(name: string, series: MetricSeries[]): Value[] {
  const out: Value[] = [];
  for (const s of series) {
    const b = s.buckets;
    if (s.totalCount === 0 || !b) continue;
    const labels = labelsOf(s);
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) {
      cumulative += b[i];
      out.push({ value: cumulative, labels: { ...labels, le: String(LATENCY_BUCKETS_MS[i] / 1000) }, metricName: `${name}_bucket` });
    }
    cumulative += b[LATENCY_BUCKETS_MS.length];
    out.push({ value: cumulative, labels: { ...labels, le: '+Inf' }, metricName: `${name}_bucket` });
    out.push({ value: s.totalSum / 1000, labels, metricName: `${name}_sum` });
    out.push({ value: s.totalCount, labels, metricName: `${name}_count` });
  }
  return out;
}

/**
 * The object prom-client's Registry renders for one metric. Its typings declare `type` as an enum the
 * package does not export at runtime and a `collect` member the registry never reads, so the object is
 * built here and cast once.
 */
function snapshot<S>(def: MetricDefinition, type: 'counter' | 'gauge' | 'histogram', aggregator: 'sum' | 'max', values: Value[]): S {
  return { name: def.promName, help: def.help, type, aggregator, values } as unknown as S;
}

class StoreCounter extends Counter<string> {
  constructor(
    private readonly def: MetricDefinition,
    private readonly source: SeriesSource,
    registry: Registry,
  ) {
    super({ name: def.promName, help: def.help, labelNames: LABELS[def.level], registers: [registry] });
  }
  override async get(): Promise<Awaited<ReturnType<Counter<string>['get']>>> {
    return snapshot(this.def, 'counter', 'sum', counterValues(this.source()));
  }
}

class StoreGauge extends Gauge<string> {
  constructor(
    private readonly def: MetricDefinition,
    private readonly source: SeriesSource,
    registry: Registry,
  ) {
    super({ name: def.promName, help: def.help, labelNames: LABELS[def.level], registers: [registry] });
  }
  override async get(): Promise<Awaited<ReturnType<Gauge<string>['get']>>> {
    return snapshot(this.def, 'gauge', 'max', gaugeSecondsValues(this.source()));
  }
}

class StoreHistogram extends Histogram<string> {
  constructor(
    private readonly def: MetricDefinition,
    private readonly source: SeriesSource,
    registry: Registry,
  ) {
    super({
      name: def.promName,
      help: def.help,
      labelNames: LABELS[def.level],
      buckets: LATENCY_BUCKETS_MS.map((ms) => ms / 1000),
      registers: [registry],
    });
  }
  override async get(): Promise<Awaited<ReturnType<Histogram<string>['get']>>> {
    return snapshot(this.def, 'histogram', 'sum', histogramValues(this.def.promName, this.source()));
  }
  /**
   * prom-client 15's Registry renders histograms through this (undeclared) method rather than get();
   * test/metrics/prometheus.test.ts checks the rendered buckets so an upgrade that changes it fails.
   */
  async getForPromString(): Promise<Awaited<ReturnType<Histogram<string>['get']>>> {
    return this.get();
  }
}

export interface PrometheusView {
  readonly registry: Registry;
  readonly contentType: string;
  /** The exposition text. */
  render(): Promise<string>;
}

/** A prom-client registry exposing every Kinesis metric of `store`. */
export function createPrometheusView(store: MetricStore): PrometheusView {
  const registry = new Registry();
  // Group the store's series by definition once per scrape.
  let cache: Map<MetricDefinition, MetricSeries[]> | undefined;
  const byDef = (): Map<MetricDefinition, MetricSeries[]> => {
    if (cache) return cache;
    const m = new Map<MetricDefinition, MetricSeries[]>();
    const index = new Map<string, MetricDefinition>();
    for (const d of ALL_KINESIS_METRICS) index.set(`${d.level}:${d.name}`, d);
    for (const s of store.all()) {
      if (s.id.namespace !== KINESIS_NAMESPACE) continue;
      const d = index.get(`${levelOf(s)}:${s.id.metricName}`);
      if (!d) continue;
      let list = m.get(d);
      if (!list) m.set(d, (list = []));
      list.push(s);
    }
    cache = m;
    return m;
  };
  for (const d of ALL_KINESIS_METRICS) {
    const source: SeriesSource = () => byDef().get(d) ?? [];
    if (d.promKind === PromKind.COUNTER) new StoreCounter(d, source, registry);
    else if (d.promKind === PromKind.GAUGE_SECONDS) new StoreGauge(d, source, registry);
    else new StoreHistogram(d, source, registry);
  }
  return {
    registry,
    contentType: registry.contentType,
    async render() {
      cache = undefined;
      try {
        return await registry.metrics();
      } finally {
        cache = undefined;
      }
    },
  };
}
