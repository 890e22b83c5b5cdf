import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudWatchApi, CloudWatchError } from '../../src/metrics/cloudwatch-api.js';
import { handleCloudWatchJson } from '../../src/metrics/cloudwatch-json.js';
import { MINUTE_MS, MetricStore } from '../../src/metrics/metric-store.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const M0 = T0 / MINUTE_MS;
const SCOPE = { accountId: '000000000000', region: 'us-east-1', nowMs: T0 + HOUR };
const DIMS = [{ Name: 'StreamName', Value: 'orders' }];

function fixture(): CloudWatchApi {
  const store = new MetricStore();
  const s = store.series({ namespace: 'AWS/Kinesis', accountId: '000000000000', region: 'us-east-1', metricName: 'IncomingBytes', unit: 'Bytes', dimensions: DIMS });
  // minute 0: 100, 300; minute 1: 50; minute 7: 10
  s.add(M0, 100);
  s.add(M0, 300);
  s.add(M0 + 1, 50);
  s.add(M0 + 7, 10);
  const shard = store.series({
    namespace: 'AWS/Kinesis',
    accountId: '000000000000',
    region: 'us-east-1',
    metricName: 'IncomingBytes',
    unit: 'Bytes',
    dimensions: [...DIMS, { Name: 'ShardId', Value: 'shardId-000000000000' }],
  });
  shard.add(M0, 400);
  const other = store.series({ namespace: 'AWS/Kinesis', accountId: '000000000000', region: 'eu-west-1', metricName: 'IncomingBytes', unit: 'Bytes', dimensions: DIMS });
  other.add(M0, 1);
  return new CloudWatchApi(store, 25 * HOUR);
}

function expectError(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CloudWatchError, String(err));
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

void describe('CloudWatchApi.getMetricStatistics', () => {
  void it('returns one datapoint per period with data, with the requested statistics and the unit', () => {
    const api = fixture();
    const out = api.getMetricStatistics(
      { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: DIMS, StartTime: T0 / 1000, EndTime: (T0 + 10 * MINUTE_MS) / 1000, Period: 300, Statistics: ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'] },
      SCOPE,
    );
    assert.equal(out.Label, 'IncomingBytes');
    const dps = out.Datapoints.sort((a, b) => a.Timestamp.getTime() - b.Timestamp.getTime());
    assert.deepEqual(dps, [
      { Timestamp: new Date(T0), Unit: 'Bytes', Sum: 450, SampleCount: 3, Average: 150, Minimum: 50, Maximum: 300 },
      { Timestamp: new Date(T0 + 5 * MINUTE_MS), Unit: 'Bytes', Sum: 10, SampleCount: 1, Average: 10, Minimum: 10, Maximum: 10 },
    ]);
  });

  void it('matches dimensions exactly, scopes by region, and filters on Unit', () => {
    const api = fixture();
    const base = { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', StartTime: T0 / 1000, EndTime: (T0 + HOUR) / 1000, Period: 3600, Statistics: ['Sum'] };
    assert.equal(api.getMetricStatistics({ ...base, Dimensions: DIMS }, SCOPE).Datapoints[0].Sum, 460);
    assert.equal(api.getMetricStatistics({ ...base, Dimensions: [...DIMS, { Name: 'ShardId', Value: 'shardId-000000000000' }] }, SCOPE).Datapoints[0].Sum, 400);
    assert.deepEqual(api.getMetricStatistics({ ...base }, SCOPE).Datapoints, []);
    assert.equal(api.getMetricStatistics({ ...base, Dimensions: DIMS }, { ...SCOPE, region: 'eu-west-1' }).Datapoints[0].Sum, 1);
    assert.deepEqual(api.getMetricStatistics({ ...base, Dimensions: DIMS, Unit: 'Count' }, SCOPE).Datapoints, []);
    // ISO-8601 strings are accepted too
    assert.equal(api.getMetricStatistics({ ...base, Dimensions: DIMS, StartTime: new Date(T0).toISOString(), EndTime: new Date(T0 + HOUR).toISOString() }, SCOPE).Datapoints.length, 1);
  });

  void it('rejects what AWS rejects', () => {
    const api = fixture();
    const base = { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', StartTime: T0 / 1000, EndTime: (T0 + HOUR) / 1000, Period: 60, Statistics: ['Sum'] };
    expectError(() => api.getMetricStatistics({ ...base, EndTime: (T0 + 25 * HOUR) / 1000 }, SCOPE), 'InvalidParameterCombination', /requested up to 1500 datapoints, which exceeds the limit of 1440/);
    expectError(() => api.getMetricStatistics({ ...base, Period: 90 }, SCOPE), 'InvalidParameterValue', /Period/);
    expectError(() => api.getMetricStatistics({ ...base, Statistics: undefined }, SCOPE), 'InvalidParameterCombination');
    expectError(() => api.getMetricStatistics({ ...base, Statistics: ['Median'] }, SCOPE), 'InvalidParameterValue');
    expectError(() => api.getMetricStatistics({ ...base, MetricName: undefined }, SCOPE), 'MissingParameter', /MetricName/);
    expectError(() => api.getMetricStatistics({ ...base, EndTime: T0 / 1000 }, SCOPE), 'InvalidParameterValue', /StartTime/);
  });
});

void describe('CloudWatchApi.getMetricData', () => {
  void it('answers MetricStat queries in timestamp order, honouring ReturnData and Label', () => {
    const api = fixture();
    const q = (id: string, stat: string, extra: Record<string, unknown> = {}) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: DIMS }, Period: 60, Stat: stat },
      ...extra,
    });
    const out = api.getMetricData(
      { MetricDataQueries: [q('sum', 'Sum'), q('max', 'Maximum', { Label: 'peak' }), q('hidden', 'Sum', { ReturnData: false })], StartTime: T0 / 1000, EndTime: (T0 + 10 * MINUTE_MS) / 1000 },
      SCOPE,
    );
    assert.equal(out.MetricDataResults.length, 2);
    const [sum, max] = out.MetricDataResults;
    assert.deepEqual(sum.Timestamps.map((t) => (t.getTime() - T0) / MINUTE_MS), [7, 1, 0]);
    assert.deepEqual(sum.Values, [10, 50, 400]);
    assert.equal(sum.StatusCode, 'Complete');
    assert.equal(max.Label, 'peak');
    assert.deepEqual(max.Values, [10, 50, 300]);
    const asc = api.getMetricData({ MetricDataQueries: [q('a', 'SampleCount')], StartTime: T0 / 1000, EndTime: (T0 + 10 * MINUTE_MS) / 1000, ScanBy: 'TimestampAscending' }, SCOPE);
    assert.deepEqual(asc.MetricDataResults[0].Values, [2, 1, 1]);
  });

  void it('rejects expressions, percentiles and bad ids', () => {
    const api = fixture();
    const range = { StartTime: T0 / 1000, EndTime: (T0 + HOUR) / 1000 };
    expectError(() => api.getMetricData({ MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }], ...range }, SCOPE), 'InvalidParameterValue', /expressions/);
    const stat = (s: string, id = 'a') => ({ Id: id, MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: DIMS }, Period: 60, Stat: s } });
    expectError(() => api.getMetricData({ MetricDataQueries: [stat('p99')], ...range }, SCOPE), 'InvalidParameterValue');
    expectError(() => api.getMetricData({ MetricDataQueries: [stat('Sum', 'Bad')], ...range }, SCOPE), 'InvalidParameterValue');
    expectError(() => api.getMetricData({ MetricDataQueries: [stat('Sum'), stat('Sum')], ...range }, SCOPE), 'InvalidParameterValue', /unique/);
    expectError(() => api.getMetricData({ ...range }, SCOPE), 'MissingParameter');
  });
});

void describe('CloudWatchApi.listMetrics', () => {
  void it('lists metrics with data, filtered by name and dimensions', () => {
    const api = fixture();
    const all = api.listMetrics({ Namespace: 'AWS/Kinesis' }, SCOPE);
    assert.equal(all.Metrics.length, 2);
    assert.equal(all.NextToken, undefined);
    const shard = api.listMetrics({ Dimensions: [{ Name: 'ShardId' }] }, SCOPE);
    assert.deepEqual(shard.Metrics, [
      {
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingBytes',
        Dimensions: [
          { Name: 'ShardId', Value: 'shardId-000000000000' },
          { Name: 'StreamName', Value: 'orders' },
        ],
      },
    ]);
    assert.equal(api.listMetrics({ MetricName: 'IncomingRecords' }, SCOPE).Metrics.length, 0);
    assert.equal(api.listMetrics({ Namespace: 'AWS/EC2' }, SCOPE).Metrics.length, 0);
    // RecentlyActive=PT3H excludes data older than three hours
    assert.equal(api.listMetrics({ RecentlyActive: 'PT3H' }, { ...SCOPE, nowMs: T0 + 4 * HOUR }).Metrics.length, 0);
  });

  void it('pages by 500 with NextToken', () => {
    const store = new MetricStore();
    for (let i = 0; i < 750; i++) {
      store.series({ namespace: 'AWS/Kinesis', accountId: '000000000000', region: 'us-east-1', metricName: 'IncomingBytes', unit: 'Bytes', dimensions: [{ Name: 'StreamName', Value: `s${i}` }] }).add(M0, 1);
    }
    const api = new CloudWatchApi(store, 25 * HOUR);
    const p1 = api.listMetrics({}, SCOPE);
    assert.equal(p1.Metrics.length, 500);
    assert.ok(p1.NextToken);
    const p2 = api.listMetrics({ NextToken: p1.NextToken }, SCOPE);
    assert.equal(p2.Metrics.length, 250);
    assert.equal(p2.NextToken, undefined);
    const names = new Set([...p1.Metrics, ...p2.Metrics].map((m) => m.Dimensions[0].Value));
    assert.equal(names.size, 750);
  });
});

void describe('handleCloudWatchJson (awsJson1_0, query-compatible)', () => {
  const headers = (op: string) => ({ 'x-amz-target': `GraniteServiceVersion20100801.${op}`, 'content-type': 'application/x-amz-json-1.0' });

  void it('renders timestamps as epoch seconds', () => {
    const api = fixture();
    const body = Buffer.from(JSON.stringify({ Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: DIMS, StartTime: T0 / 1000, EndTime: (T0 + MINUTE_MS) / 1000, Period: 60, Statistics: ['Sum'] }));
    const res = handleCloudWatchJson(api, headers('GetMetricStatistics'), body, SCOPE);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.0');
    assert.deepEqual(JSON.parse(res.body.toString()), { Label: 'IncomingBytes', Datapoints: [{ Timestamp: T0 / 1000, Unit: 'Bytes', Sum: 400 }] });
  });

  void it('answers errors with __type and the x-amzn-query-error code', () => {
    const api = fixture();
    const res = handleCloudWatchJson(api, headers('GetMetricStatistics'), Buffer.from('{"Namespace":"AWS/Kinesis"}'), SCOPE);
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-query-error'], 'MissingParameter;Sender');
    assert.equal(JSON.parse(res.body.toString()).__type, 'MissingRequiredParameterException');
    const unknown = handleCloudWatchJson(api, headers('PutMetricAlarm'), Buffer.from('{}'), SCOPE);
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.body.toString()).__type, 'UnknownOperationException');
    const bad = handleCloudWatchJson(api, headers('ListMetrics'), Buffer.from('{'), SCOPE);
    assert.equal(JSON.parse(bad.body.toString()).__type, 'SerializationException');
  });
});

void describe('MetricsService.handleCloudWatch', () => {
  void it('answers with the account and region the authenticator names, and maps its refusals', async () => {
    const { MetricsService } = await import('../../src/metrics/metrics-service.js');
    const { ManualClock } = await import('../../src/model/context.js');
    const { ServiceError } = await import('../../src/model/service-error.js');
    const { silentLogger } = await import('../../src/logger.js');
    const clock = new ManualClock(T0 + MINUTE_MS);
    let refuse = false;
    const metrics = await MetricsService.open({
      clock,
      logger: silentLogger,
      defaultAccountId: '000000000000',
      defaultRegion: 'us-east-1',
      authenticate: async () => {
        if (refuse) throw new ServiceError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
        return { accountId: '111111111111', region: 'eu-west-1' };
      },
    });
    try {
      metrics.kinesis.stream('111111111111', 'eu-west-1', 'orders').putRecordSucceeded(T0 / MINUTE_MS, 10, 1, undefined);
      metrics.kinesis.stream('000000000000', 'us-east-1', 'orders').putRecordSucceeded(T0 / MINUTE_MS, 99, 1, undefined);
      const headers = {
        'x-amz-target': 'GraniteServiceVersion20100801.GetMetricStatistics',
        'content-type': 'application/x-amz-json-1.0',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/monitoring/aws4_request, SignedHeaders=host, Signature=00',
      };
      const body = Buffer.from(JSON.stringify({ Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: DIMS, StartTime: T0 / 1000, EndTime: (T0 + MINUTE_MS) / 1000, Period: 60, Statistics: ['Sum'] }));
      const ok = await metrics.handleCloudWatch({ method: 'POST', path: '/', headers, body });
      assert.equal(ok.status, 200);
      assert.equal(JSON.parse(ok.body.toString()).Datapoints[0].Sum, 10);
      refuse = true;
      const no = await metrics.handleCloudWatch({ method: 'POST', path: '/', headers, body });
      assert.equal(no.status, 400);
      assert.equal(no.headers['x-amzn-query-error'], 'InvalidSignature;Sender');
      assert.equal(JSON.parse(no.body.toString()).__type, 'InvalidSignatureException');
      const unsigned = await metrics.handleCloudWatch({ method: 'POST', path: '/', headers: { ...headers, authorization: undefined }, body });
      assert.equal(unsigned.status, 403);
      assert.equal(unsigned.headers['x-amzn-query-error'], 'MissingAuthenticationToken;Sender');
    } finally {
      await metrics.close();
    }
  });
});
