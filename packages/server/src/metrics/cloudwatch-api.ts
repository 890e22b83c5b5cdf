/**
 * CloudWatch-compatible reads over the metric store: GetMetricStatistics, GetMetricData and
 * ListMetrics, with AWS's parameters, limits and errors
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html,
 * …/API_GetMetricData.html, …/API_ListMetrics.html; shapes in ../shared/aws-models/cloudwatch/).
 *
 * Data are kept at 1-minute resolution: periods below 60 s (1, 5, 10, 20, 30, valid only for
 * high-resolution custom metrics) are answered at 60 s; other periods must be multiples of 60. The
 * start time is rounded down to the minute and periods are counted from it; the end time is
 * exclusive. Percentiles (ExtendedStatistics, pNN stats) and metric-math expressions need raw samples
 * or an expression engine that Shardline does not keep: they are rejected with InvalidParameterValue.
 *
 * Handlers take the decoded input (awsJson1_0: timestamps as epoch seconds; awsQuery: every value a
 * string, timestamps ISO 8601) and return outputs with Date timestamps; cloudwatch-json.ts and
 * cloudwatch-query.ts do the wire.
 */
import type { Dimension, MetricSeries, MetricStore, Statistic } from './metric-store.js';
import { MINUTE_MS, aggregate, isStatistic, statisticValue } from './metric-store.js';

/** A modeled CloudWatch error: `type` is the shape name, `code` its awsQuery error code. */
export class CloudWatchError extends Error {
  constructor(
    readonly type: string,
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly sender = true,
  ) {
    super(message);
    this.name = 'CloudWatchError';
  }
}

export function invalidValue(message: string): CloudWatchError {
  return new CloudWatchError('InvalidParameterValueException', 'InvalidParameterValue', 400, message);
}
export function invalidCombination(message: string): CloudWatchError {
  return new CloudWatchError('InvalidParameterCombinationException', 'InvalidParameterCombination', 400, message);
}
export function missingParameter(name: string): CloudWatchError {
  return new CloudWatchError('MissingRequiredParameterException', 'MissingParameter', 400, `The parameter ${name} is required.`);
}

/** Who is asking: metrics are scoped by account and region, as CloudWatch scopes them. */
export interface CloudWatchScope {
  readonly accountId: string;
  readonly region: string;
  readonly nowMs: number;
}

const MAX_DATAPOINTS_GMS = 1440;
const MAX_QUERIES = 500;
const LIST_PAGE = 500;
const HIGH_RES_PERIODS = new Set([1, 5, 10, 20, 30]);
const ID_RE = /^[a-z][a-zA-Z0-9_]*$/;

// ---------- input decoding ----------

type Json = Record<string, unknown>;

function obj(v: unknown, name: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue(`The parameter ${name} must be a structure.`);
  return v as Json;
}
function str(o: Json, name: string, required: true): string;
function str(o: Json, name: string, required: false): string | undefined;
function str(o: Json, name: string, required: boolean): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (required) throw missingParameter(name);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidValue(`The parameter ${name} must be a string.`);
  return v;
}
function int(o: Json, name: string, required: boolean): number | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (required) throw missingParameter(name);
    return undefined;
  }
  // awsQuery sends every value as a string
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidValue(`The parameter ${name} must be an integer.`);
  return n;
}
function list(o: Json, name: string): unknown[] | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidValue(`The parameter ${name} must be a list.`);
  return v;
}
/** awsJson timestamps: epoch seconds (number, possibly fractional), or a date string. */
function time(o: Json, name: string): number {
  const v = o[name];
  if (v === undefined || v === null) throw missingParameter(name);
  let ms: number;
  if (typeof v === 'number') ms = v * 1000;
  else if (typeof v === 'string') ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  else ms = NaN;
  if (!Number.isFinite(ms)) throw invalidValue(`The parameter ${name} must be a valid timestamp.`);
  return ms;
}
function dimensions(o: Json, name: string): Dimension[] {
  const l = list(o, name) ?? [];
  if (l.length > 30) throw invalidValue(`The collection ${name} must not have a size greater than 30.`);
  return l.map((d, i) => {
    const x = obj(d, `${name}.member.${i + 1}`);
    return { Name: str(x, 'Name', true), Value: str(x, 'Value', true) };
  });
}

function periodMinutes(period: number): number {
  if (period < 1) throw invalidValue('The parameter Period must be greater than 0.');
  if (HIGH_RES_PERIODS.has(period)) return 1;
  if (period % 60 !== 0) throw invalidValue('The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.');
  return period / 60;
}

function range(startMs: number, endMs: number): { startMinute: number; endMinute: number } {
  if (!(startMs < endMs)) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  return { startMinute: Math.floor(startMs / MINUTE_MS), endMinute: Math.ceil(endMs / MINUTE_MS) };
}

// ---------- outputs ----------

export interface Datapoint {
  Timestamp: Date;
  SampleCount?: number;
  Average?: number;
  Sum?: number;
  Minimum?: number;
  Maximum?: number;
  Unit: string;
}

export interface GetMetricStatisticsOutput {
  Label: string;
  Datapoints: Datapoint[];
}

export interface MetricDataResult {
  Id: string;
  Label: string;
  Timestamps: Date[];
  Values: number[];
  StatusCode: 'Complete';
  Messages: never[];
}

export interface GetMetricDataOutput {
  MetricDataResults: MetricDataResult[];
  Messages: never[];
  NextToken?: string;
}

export interface ListMetricsOutput {
  Metrics: { Namespace: string; MetricName: string; Dimensions: Dimension[] }[];
  NextToken?: string;
}

// ---------- operations ----------

export class CloudWatchApi {
  constructor(
    private readonly store: MetricStore,
    private readonly retentionMs: number,
  ) {}

  private lookup(scope: CloudWatchScope, namespace: string, metricName: string, dims: Dimension[]): MetricSeries | undefined {
    return this.store.find({ namespace, accountId: scope.accountId, region: scope.region, metricName, dimensions: dims });
  }

  /**
   * Run one of the served reads by its action name (the same in every CloudWatch wire protocol);
   * undefined when the action is not one Shardline serves, so each protocol answers in its own terms.
   */
  call(action: string, input: unknown, scope: CloudWatchScope): object | undefined {
    switch (action) {
      case 'GetMetricStatistics':
        return this.getMetricStatistics(input, scope);
      case 'GetMetricData':
        return this.getMetricData(input, scope);
      case 'ListMetrics':
        return this.listMetrics(input, scope);
      default:
        return undefined;
    }
  }

  getMetricStatistics(raw: unknown, scope: CloudWatchScope): GetMetricStatisticsOutput {
    const input = obj(raw ?? {}, 'input');
    const namespace = str(input, 'Namespace', true);
    const metricName = str(input, 'MetricName', true);
    const dims = dimensions(input, 'Dimensions');
    const startMs = time(input, 'StartTime');
    const endMs = time(input, 'EndTime');
    const period = int(input, 'Period', true) as number;
    const stats = (list(input, 'Statistics') ?? []).map((s) => {
      if (typeof s !== 'string' || !isStatistic(s)) {
        throw invalidValue(`The parameter Statistics contains an invalid value ${JSON.stringify(s)}: expected SampleCount, Average, Sum, Minimum or Maximum.`);
      }
      return s;
    });
    const extended = list(input, 'ExtendedStatistics');
    const unit = str(input, 'Unit', false);
    if (stats.length === 0 && !extended) throw invalidCombination('Must specify either Statistics or ExtendedStatistics, but not both.');
    if (stats.length > 0 && extended) throw invalidCombination('Must specify either Statistics or ExtendedStatistics, but not both.');
    if (stats.length > 5) throw invalidValue('The collection Statistics must not have a size greater than 5.');
    if (extended) throw invalidValue('ExtendedStatistics (percentiles) are not supported: Shardline keeps statistic sets, not raw samples.');
    const pm = periodMinutes(period);
    const { startMinute, endMinute } = range(startMs, endMs);
    const requested = Math.ceil((endMinute - startMinute) / pm);
    if (requested > MAX_DATAPOINTS_GMS) {
      throw invalidCombination(
        `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS_GMS}. ` +
          'You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
      );
    }
    const series = this.lookup(scope, namespace, metricName, dims);
    const datapoints: Datapoint[] = [];
    if (series && (unit === undefined || unit === series.id.unit)) {
      for (const { startMinute: b, set } of aggregate(series, startMinute, endMinute, pm)) {
        const dp: Datapoint = { Timestamp: new Date(b * MINUTE_MS), Unit: series.id.unit };
        for (const s of stats) dp[s] = statisticValue(set, s);
        datapoints.push(dp);
      }
    }
    return { Label: metricName, Datapoints: datapoints };
  }

  getMetricData(raw: unknown, scope: CloudWatchScope): GetMetricDataOutput {
    const input = obj(raw ?? {}, 'input');
    const queries = list(input, 'MetricDataQueries');
    if (!queries) throw missingParameter('MetricDataQueries');
    if (queries.length === 0 || queries.length > MAX_QUERIES) {
      throw invalidValue(`The collection MetricDataQueries must have between 1 and ${MAX_QUERIES} items.`);
    }
    const startMs = time(input, 'StartTime');
    const endMs = time(input, 'EndTime');
    const { startMinute, endMinute } = range(startMs, endMs);
    const scanBy = str(input, 'ScanBy', false) ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
      throw invalidValue('The parameter ScanBy must be TimestampDescending or TimestampAscending.');
    }
    const ids = new Set<string>();
    const results: MetricDataResult[] = [];
    for (let i = 0; i < queries.length; i++) {
      const q = obj(queries[i], `MetricDataQueries.member.${i + 1}`);
      const id = str(q, 'Id', true);
      if (!ID_RE.test(id)) throw invalidValue(`The value ${id} for parameter MetricDataQueries.member.${i + 1}.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
      if (ids.has(id)) throw invalidValue(`The value ${id} for parameter MetricDataQueries.member.${i + 1}.Id is not unique.`);
      ids.add(id);
      if (q.Expression !== undefined) throw invalidValue('Metric math expressions are not supported; use MetricStat queries.');
      if (q.MetricStat === undefined) throw invalidValue(`MetricDataQueries.member.${i + 1} must have MetricStat or Expression.`);
      const ms = obj(q.MetricStat, 'MetricStat');
      const metric = obj(ms.Metric, 'MetricStat.Metric');
      const namespace = str(metric, 'Namespace', true);
      const metricName = str(metric, 'MetricName', true);
      const dims = dimensions(metric, 'Dimensions');
      const stat = str(ms, 'Stat', true);
      if (!isStatistic(stat)) throw invalidValue(`The statistic ${stat} is not supported: use SampleCount, Average, Sum, Minimum or Maximum.`);
      const pm = periodMinutes(int(ms, 'Period', true) as number);
      const unit = str(ms, 'Unit', false);
      const label = str(q, 'Label', false) ?? metricName;
      const returnData = q.ReturnData === undefined ? true : q.ReturnData === true || q.ReturnData === 'true';
      if (!returnData) continue;
      const series = this.lookup(scope, namespace, metricName, dims);
      const points = series && (unit === undefined || unit === series.id.unit) ? aggregate(series, startMinute, endMinute, pm) : [];
      if (scanBy === 'TimestampDescending') points.reverse();
      results.push({
        Id: id,
        Label: label,
        Timestamps: points.map((p) => new Date(p.startMinute * MINUTE_MS)),
        Values: points.map((p) => statisticValue(p.set, stat as Statistic)),
        StatusCode: 'Complete',
        Messages: [],
      });
    }
    return { MetricDataResults: results, Messages: [] };
  }

  listMetrics(raw: unknown, scope: CloudWatchScope): ListMetricsOutput {
    const input = obj(raw ?? {}, 'input');
    const namespace = str(input, 'Namespace', false);
    const metricName = str(input, 'MetricName', false);
    const filters = (list(input, 'Dimensions') ?? []).map((d, i) => {
      const x = obj(d, `Dimensions.member.${i + 1}`);
      return { Name: str(x, 'Name', true), Value: str(x, 'Value', false) };
    });
    if (filters.length > 10) throw invalidValue('The collection Dimensions must not have a size greater than 10.');
    const recently = str(input, 'RecentlyActive', false);
    if (recently !== undefined && recently !== 'PT3H') throw invalidValue('The parameter RecentlyActive must be PT3H.');
    const token = str(input, 'NextToken', false);
    let offset = 0;
    if (token !== undefined) {
      const parsed = /^o:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
      if (!parsed) throw invalidValue('The parameter NextToken is not valid.');
      offset = Number(parsed[1]);
    }
    const sinceMs = recently ? scope.nowMs - 3 * 3_600_000 : scope.nowMs - this.retentionMs;
    const all = this.store.list({
      namespace,
      metricName,
      accountId: scope.accountId,
      region: scope.region,
      dimensions: filters,
      activeSinceMinute: Math.floor(sinceMs / MINUTE_MS),
    });
    const page = all.slice(offset, offset + LIST_PAGE);
    const out: ListMetricsOutput = {
      Metrics: page.map((s) => ({ Namespace: s.id.namespace, MetricName: s.id.metricName, Dimensions: s.id.dimensions.map((d) => ({ ...d })) })),
    };
    if (offset + LIST_PAGE < all.length) out.NextToken = Buffer.from(`o:${offset + LIST_PAGE}`).toString('base64');
    return out;
  }
}
