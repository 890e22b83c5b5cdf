/**
 * The metric data behind both views (Prometheus and the CloudWatch-compatible API): one
 * {@link MetricSeries} per (namespace, account, region, metric name, dimensions), each keeping
 * per-minute statistic sets (sum, sample count, minimum, maximum) for the retention window, plus
 * totals since the process started for Prometheus.
 *
 * Hot path: callers resolve a series once (per stream/shard) and call {@link MetricSeries.add} with the
 * minute computed once per API call; an add touches only numbers, and allocates only when a series
 * enters a new minute. Changed minutes are queued for the journal ({@link MetricStore.takeDirty}),
 * which persists them as deltas so a partially-flushed minute can keep growing.
 *
 * CloudWatch's model of this: statistic sets at 1-minute resolution
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Statistic).
 */

export const MINUTE_MS = 60_000;

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface SeriesId {
  readonly namespace: string;
  readonly accountId: string;
  readonly region: string;
  readonly metricName: string;
  readonly unit: string;
  /** Sorted by Name (CloudWatch identifies a metric by its full, unordered set of dimensions). */
  readonly dimensions: readonly Dimension[];
}

/** Statistic set of one series for one minute. */
export class MinuteStat {
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  /** Part of sum/count already written to the journal. */
  persistedSum = 0;
  persistedCount = 0;
  /** Queued in the store's dirty list. */
  dirty = false;
  constructor(
    readonly series: MetricSeries,
    /** Epoch minute (epoch ms / 60000). */
    readonly minute: number,
  ) {}
}

/** Latency histogram bounds (milliseconds) for series created with `histogram: true`. */
export const LATENCY_BUCKETS_MS: readonly number[] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export class MetricSeries {
  /** Sum of every sample since the process started. */
  totalSum = 0;
  totalCount = 0;
  /** The most recent sample (NaN before the first). */
  last = NaN;
  /** Per-bucket (non-cumulative) sample counts, LATENCY_BUCKETS_MS plus +Inf, when a histogram. */
  readonly buckets: Float64Array | undefined;
  readonly minutes = new Map<number, MinuteStat>();
  private current: MinuteStat | undefined;

  constructor(
    private readonly store: MetricStore,
    readonly id: SeriesId,
    readonly key: string,
    /** Unique within the process (journal dictionary id). */
    readonly ordinal: number,
    histogram: boolean,
  ) {
    this.buckets = histogram ? new Float64Array(LATENCY_BUCKETS_MS.length + 1) : undefined;
  }

  /** Add one sample in `minute` (epoch minute). */
  add(minute: number, value: number): void {
    let s = this.current;
    if (s === undefined || s.minute !== minute) s = this.enter(minute);
    s.sum += value;
    s.count += 1;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
    if (!s.dirty) this.store.markDirty(s);
    this.totalSum += value;
    this.totalCount += 1;
    this.last = value;
    const b = this.buckets;
    if (b !== undefined) {
      let i = 0;
      while (i < LATENCY_BUCKETS_MS.length && value > LATENCY_BUCKETS_MS[i]) i++;
      b[i] += 1;
    }
  }

  /** Merge a statistic set read back from the journal (not queued for writing again). */
  merge(minute: number, sum: number, count: number, min: number, max: number): void {
    let s = this.minutes.get(minute);
    if (!s) {
      s = new MinuteStat(this, minute);
      this.minutes.set(minute, s);
    }
    s.sum += sum;
    s.count += count;
    s.persistedSum += sum;
    s.persistedCount += count;
    if (min < s.min) s.min = min;
    if (max > s.max) s.max = max;
  }

  /** True when any minute at or after `fromMinute` has samples. */
  hasDataSince(fromMinute: number): boolean {
    for (const [m, s] of this.minutes) if (m >= fromMinute && s.count > 0) return true;
    return false;
  }

  /** Drop minutes before `cutoffMinute`. */
  prune(cutoffMinute: number): void {
    for (const m of this.minutes.keys()) if (m < cutoffMinute) this.minutes.delete(m);
    if (this.current && this.current.minute < cutoffMinute) this.current = undefined;
  }

  private enter(minute: number): MinuteStat {
    let s = this.minutes.get(minute);
    if (!s) {
      s = new MinuteStat(this, minute);
      this.minutes.set(minute, s);
    }
    this.current = s;
    return s;
  }
}

/** Aggregate of a range of minutes. */
export interface StatisticSet {
  readonly sum: number;
  readonly sampleCount: number;
  readonly minimum: number;
  readonly maximum: number;
}

export const Statistic = {
  SampleCount: 'SampleCount',
  Average: 'Average',
  Sum: 'Sum',
  Minimum: 'Minimum',
  Maximum: 'Maximum',
} as const;
export type Statistic = (typeof Statistic)[keyof typeof Statistic];

export function isStatistic(s: string): s is Statistic {
  return Object.hasOwn(Statistic, s);
}

export function statisticValue(set: StatisticSet, stat: Statistic): number {
  switch (stat) {
    case Statistic.SampleCount:
      return set.sampleCount;
    case Statistic.Sum:
      return set.sum;
    case Statistic.Average:
      return set.sampleCount === 0 ? 0 : set.sum / set.sampleCount;
    case Statistic.Minimum:
      return set.minimum;
    case Statistic.Maximum:
      return set.maximum;
  }
}

export interface SeriesFilter {
  readonly namespace?: string | undefined;
  readonly accountId: string;
  readonly region: string;
  readonly metricName?: string | undefined;
  /** Each must be present on the series (with the value, when given). */
  readonly dimensions?: readonly { readonly Name: string; readonly Value?: string | undefined }[] | undefined;
  /** Only series with samples at or after this epoch minute. */
  readonly activeSinceMinute: number;
}

export function seriesKey(id: Omit<SeriesId, 'unit'>): string {
  let k = `${id.namespace}\u0000${id.accountId}\u0000${id.region}\u0000${id.metricName}`;
  for (const d of id.dimensions) k += `\u0000${d.Name}=${d.Value}`;
  return k;
}

export function sortDimensions(dims: readonly Dimension[]): Dimension[] {
  return [...dims].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

export class MetricStore {
  private readonly byKey = new Map<string, MetricSeries>();
  private dirty: MinuteStat[] = [];
  private nextOrdinal = 1;

  /** Get or create a series (dimensions in any order). */
  series(id: SeriesId, options: { histogram?: boolean } = {}): MetricSeries {
    const sorted: SeriesId = { ...id, dimensions: sortDimensions(id.dimensions) };
    const key = seriesKey(sorted);
    let s = this.byKey.get(key);
    if (!s) {
      s = new MetricSeries(this, sorted, key, this.nextOrdinal++, options.histogram === true);
      this.byKey.set(key, s);
    }
    return s;
  }

  /** The series with exactly these dimensions, if it exists. */
  find(id: Omit<SeriesId, 'unit'>): MetricSeries | undefined {
    return this.byKey.get(seriesKey({ ...id, dimensions: sortDimensions(id.dimensions) }));
  }

  all(): IterableIterator<MetricSeries> {
    return this.byKey.values();
  }

  /** Series matching a ListMetrics-style filter, sorted by key (stable pagination). */
  list(filter: SeriesFilter): MetricSeries[] {
    const out: MetricSeries[] = [];
    for (const s of this.byKey.values()) {
      const id = s.id;
      if (id.accountId !== filter.accountId || id.region !== filter.region) continue;
      if (filter.namespace !== undefined && id.namespace !== filter.namespace) continue;
      if (filter.metricName !== undefined && id.metricName !== filter.metricName) continue;
      if (filter.dimensions && !filter.dimensions.every((f) => id.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)))) {
        continue;
      }
      if (!s.hasDataSince(filter.activeSinceMinute)) continue;
      out.push(s);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** @internal called by MetricSeries.add */
  markDirty(s: MinuteStat): void {
    s.dirty = true;
    this.dirty.push(s);
  }

  /** Minutes changed since the last call (for the journal). */
  takeDirty(): MinuteStat[] {
    const d = this.dirty;
    this.dirty = [];
    for (const s of d) s.dirty = false;
    return d;
  }

  /** Drop minutes before `cutoffMinute` from every series. */
  prune(cutoffMinute: number): void {
    for (const s of this.byKey.values()) s.prune(cutoffMinute);
  }
}

/**
 * Aggregate a series into periods: buckets start at `startMinute + k * periodMinutes` and cover
 * [startMinute, endMinuteExclusive). Only periods with samples are returned, in ascending order.
 */
export function aggregate(
  series: MetricSeries,
  startMinute: number,
  endMinuteExclusive: number,
  periodMinutes: number,
): { startMinute: number; set: StatisticSet }[] {
  const buckets = new Map<number, { sum: number; sampleCount: number; minimum: number; maximum: number }>();
  for (const [m, s] of series.minutes) {
    if (m < startMinute || m >= endMinuteExclusive || s.count === 0) continue;
    const b = startMinute + Math.floor((m - startMinute) / periodMinutes) * periodMinutes;
    const cur = buckets.get(b);
    if (!cur) buckets.set(b, { sum: s.sum, sampleCount: s.count, minimum: s.min, maximum: s.max });
    else {
      cur.sum += s.sum;
      cur.sampleCount += s.count;
      if (s.min < cur.minimum) cur.minimum = s.min;
      if (s.max > cur.maximum) cur.maximum = s.max;
    }
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([startMinute, set]) => ({ startMinute, set }));
}
