/**
 * The metric data behind both views (Prometheus and the CloudWatch-compatible API): one
 * {@link MetricSeries} per (namespace, account, region, metric name, dimensions), each keeping
 * per-minute statistic sets (sum, sample count, minimum, maximum) for the retention window, plus
 * totals since the process started for Prometheus.
 *
 * Hot path: callers resolve a series once (per stream/shard) and call {@link MetricSeries.add} with the
 * minute computed once per API call; an add touches only numbers, and allocates only when a series
 * enters a new minute (a small delta record for the journal) or a new hour (its block). Samples since
 * the last flush are queued for the journal ({@link MetricStore.takeDirty}) as deltas, so a
 * partially-flushed minute can keep growing.
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

/** Statistic set of one series for one minute (a copy, for readers). */
export interface MinuteStat {
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Samples added since the last journal flush, for one series and minute. Created once per series and
 * minute between flushes (not per sample); the journal writes these as deltas.
 */
export class PendingDelta {
  sum = 0;
  count = 0;
  constructor(
    readonly series: MetricSeries,
    /** Epoch minute (epoch ms / 60000). */
    readonly minute: number,
  ) {}
}

/** Latency histogram bounds (milliseconds) for series created with `histogram: true`. */
export const LATENCY_BUCKETS_MS: readonly number[] = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Minutes per block; a block holds sum, count, min, max for each of its minutes in one Float64Array. */
const BLOCK_MINUTES = 60;
const FIELDS = 4;

function newBlock(): Float64Array {
  return new Float64Array(BLOCK_MINUTES * FIELDS);
}

export class MetricSeries {
  /** Sum of every sample since the process started. */
  totalSum = 0;
  totalCount = 0;
  /** The most recent sample (NaN before the first). */
  last = NaN;
  /** Per-bucket (non-cumulative) sample counts, LATENCY_BUCKETS_MS plus +Inf, when a histogram. */
  readonly buckets: Float64Array | undefined;
  /**
   * Hour blocks by their first epoch minute: 32 bytes per minute in flat arrays (a per-minute object
   * would cost five times that, and 25 hours of minutes for thousands of series add up).
   */
  private readonly blocks = new Map<number, Float64Array>();
  private block: Float64Array | undefined;
  private blockStart = -1;
  /** Where samples of the current minute accumulate for the journal. */
  private pending: PendingDelta | undefined;

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
    let b = this.block;
    if (b === undefined || minute < this.blockStart || minute >= this.blockStart + BLOCK_MINUTES) b = this.enter(minute);
    const i = (minute - this.blockStart) * FIELDS;
    b[i] += value;
    const n = (b[i + 1] += 1);
    if (n === 1 || value < b[i + 2]) b[i + 2] = value;
    if (n === 1 || value > b[i + 3]) b[i + 3] = value;
    let p = this.pending;
    if (p === undefined || p.minute !== minute) p = this.pending = this.store.newPending(this, minute);
    p.sum += value;
    p.count += 1;
    this.totalSum += value;
    this.totalCount += 1;
    this.last = value;
    const h = this.buckets;
    if (h !== undefined) {
      let k = 0;
      while (k < LATENCY_BUCKETS_MS.length && value > LATENCY_BUCKETS_MS[k]) k++;
      h[k] += 1;
    }
  }

  /** Merge a statistic set read back from the journal (not queued for writing again). */
  merge(minute: number, sum: number, count: number, min: number, max: number): void {
    if (count <= 0) return;
    const b = this.enter(minute);
    const i = (minute - this.blockStart) * FIELDS;
    const had = b[i + 1];
    b[i] += sum;
    b[i + 1] += count;
    if (had === 0 || min < b[i + 2]) b[i + 2] = min;
    if (had === 0 || max > b[i + 3]) b[i + 3] = max;
  }

  /** The statistic set of one minute, or undefined when it has no samples. */
  minute(minute: number): MinuteStat | undefined {
    const start = minute - (((minute % BLOCK_MINUTES) + BLOCK_MINUTES) % BLOCK_MINUTES);
    const b = this.blocks.get(start);
    if (!b) return undefined;
    const i = (minute - start) * FIELDS;
    return b[i + 1] === 0 ? undefined : { sum: b[i], count: b[i + 1], min: b[i + 2], max: b[i + 3] };
  }

  /** Minutes with samples in [fromMinute, toMinuteExclusive), ascending. */
  *entries(fromMinute = -Infinity, toMinuteExclusive = Infinity): Generator<[number, MinuteStat]> {
    const starts = [...this.blocks.keys()].filter((s) => s + BLOCK_MINUTES > fromMinute && s < toMinuteExclusive).sort((a, b) => a - b);
    for (const start of starts) {
      const b = this.blocks.get(start);
      if (!b) continue;
      for (let j = 0; j < BLOCK_MINUTES; j++) {
        const m = start + j;
        if (m < fromMinute || m >= toMinuteExclusive) continue;
        const i = j * FIELDS;
        if (b[i + 1] > 0) yield [m, { sum: b[i], count: b[i + 1], min: b[i + 2], max: b[i + 3] }];
      }
    }
  }

  /** True when any minute at or after `fromMinute` has samples. */
  hasDataSince(fromMinute: number): boolean {
    return !this.entries(fromMinute).next().done;
  }

  /** Drop minutes before `cutoffMinute`. */
  prune(cutoffMinute: number): void {
    for (const [start, b] of this.blocks) {
      if (start + BLOCK_MINUTES <= cutoffMinute) {
        this.blocks.delete(start);
        if (this.block === b) {
          this.block = undefined;
          this.blockStart = -1;
        }
      } else if (start < cutoffMinute) {
        b.fill(0, 0, (cutoffMinute - start) * FIELDS);
      }
    }
  }

  private enter(minute: number): Float64Array {
    const start = minute - (((minute % BLOCK_MINUTES) + BLOCK_MINUTES) % BLOCK_MINUTES);
    let b = this.blocks.get(start);
    if (!b) {
      b = newBlock();
      this.blocks.set(start, b);
    }
    this.block = b;
    this.blockStart = start;
    return b;
  }

  /**
   * Forget the totals since start (Prometheus view): the series disappears from /metrics until it gets
   * a sample again, as a counter that restarts. The per-minute history (CloudWatch view) is kept.
   */
  retire(): void {
    this.totalSum = 0;
    this.totalCount = 0;
    this.last = NaN;
    this.buckets?.fill(0);
  }

  /** @internal the journal took this delta */
  detach(p: PendingDelta): void {
    if (this.pending === p) this.pending = undefined;
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
  private dirty: PendingDelta[] = [];
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

  /** @internal called by MetricSeries.add when a series starts a new minute since the last flush */
  newPending(series: MetricSeries, minute: number): PendingDelta {
    const p = new PendingDelta(series, minute);
    this.dirty.push(p);
    return p;
  }

  /**
   * Samples added since they were last taken, per series and minute (for the journal); only minutes
   * before `beforeMinute` when given (the current minute keeps growing: writing it once it is complete
   * keeps the journal at about one line per series and minute).
   */
  takeDirty(beforeMinute = Infinity): PendingDelta[] {
    const taken: PendingDelta[] = [];
    const kept: PendingDelta[] = [];
    for (const p of this.dirty) {
      if (p.minute < beforeMinute) {
        p.series.detach(p);
        taken.push(p);
      } else {
        kept.push(p);
      }
    }
    this.dirty = kept;
    return taken;
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
  for (const [m, s] of series.entries(startMinute, endMinuteExclusive)) {
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
