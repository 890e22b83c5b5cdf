import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudWatchApi } from '../../src/metrics/cloudwatch-api.js';
import { handleCloudWatchQuery, isCloudWatchQueryRequest, unflattenQuery } from '../../src/metrics/cloudwatch-query.js';
import { MINUTE_MS, MetricStore } from '../../src/metrics/metric-store.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const SCOPE = { accountId: '000000000000', region: 'us-east-1', nowMs: T0 + 3_600_000 };

function api(): CloudWatchApi {
  const store = new MetricStore();
  const s = store.series({ namespace: 'AWS/Kinesis', accountId: '000000000000', region: 'us-east-1', metricName: 'IncomingBytes', unit: 'Bytes', dimensions: [{ Name: 'StreamName', Value: 'a<b' }] });
  s.add(T0 / MINUTE_MS, 5);
  s.add(T0 / MINUTE_MS + 1, 7);
  return new CloudWatchApi(store, 25 * 3_600_000);
}

void describe('awsQuery for CloudWatch', () => {
  void it('recognises form-encoded requests without a target', () => {
    assert.equal(isCloudWatchQueryRequest({ 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }), true);
    assert.equal(isCloudWatchQueryRequest({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' }), false);
    assert.equal(isCloudWatchQueryRequest({}), false);
  });

  void it('unflattens member lists and nested structures in order', () => {
    const p = new URLSearchParams(
      'Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.2.Id=b&MetricDataQueries.member.1.Id=a' +
        '&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=StreamName&MetricDataQueries.member.1.MetricStat.Period=60' +
        '&Statistics.member.1=Sum&Statistics.member.2=Maximum&Statistics.member.10=Minimum',
    );
    assert.deepEqual(unflattenQuery(p), {
      MetricDataQueries: [{ Id: 'a', MetricStat: { Metric: { Dimensions: [{ Name: 'StreamName' }] }, Period: '60' } }, { Id: 'b' }],
      Statistics: ['Sum', 'Maximum', 'Minimum'],
    });
  });

  void it('answers in XML with members, ISO timestamps and escaped text', () => {
    const body = new URLSearchParams({
      Action: 'GetMetricStatistics',
      Version: '2010-08-01',
      Namespace: 'AWS/Kinesis',
      MetricName: 'IncomingBytes',
      'Dimensions.member.1.Name': 'StreamName',
      'Dimensions.member.1.Value': 'a<b',
      StartTime: new Date(T0).toISOString(),
      EndTime: new Date(T0 + 2 * MINUTE_MS).toISOString(),
      Period: '120',
      'Statistics.member.1': 'Sum',
    }).toString();
    const res = handleCloudWatchQuery(api(), Buffer.from(body), SCOPE);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/xml');
    const xml = res.body.toString();
    assert.match(xml, /^<GetMetricStatisticsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><GetMetricStatisticsResult>/);
    assert.match(xml, /<Label>IncomingBytes<\/Label><Datapoints><member><Timestamp>2026-01-01T10:00:00\.000Z<\/Timestamp><Unit>Bytes<\/Unit><Sum>12<\/Sum><\/member><\/Datapoints>/);
    assert.match(xml, /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetMetricStatisticsResponse>$/);
    const listed = handleCloudWatchQuery(api(), Buffer.from('Action=ListMetrics&Version=2010-08-01'), SCOPE).body.toString();
    assert.match(listed, /<Dimensions><member><Name>StreamName<\/Name><Value>a&lt;b<\/Value><\/member><\/Dimensions>/);
  });

  void it('answers errors as an ErrorResponse document', () => {
    const res = handleCloudWatchQuery(api(), Buffer.from('Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FKinesis'), SCOPE);
    assert.equal(res.status, 400);
    assert.match(res.body.toString(), /^<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>MissingParameter<\/Code><Message>The parameter MetricName is required\.<\/Message><\/Error><RequestId>/);
    const unknown = handleCloudWatchQuery(api(), Buffer.from('Action=PutMetricData&Version=2010-08-01'), SCOPE);
    assert.match(unknown.body.toString(), /<Code>InvalidAction<\/Code>/);
  });
});
