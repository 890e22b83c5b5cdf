/**
 * End to end: Kinesis traffic through the SDK against a real server (injected clock), then the same
 * numbers through GET /metrics, @aws-sdk/client-cloudwatch and `aws cloudwatch` (the CLI), across a
 * restart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ManualClock } from '../../src/model/context.js';
import { TEST_ACCESS_KEY_ID, TEST_REGION, TEST_SECRET_ACCESS_KEY, runAwsCli, startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

const HOUR = 3_600_000;

async function waitActive(kinesis: KinesisClient, clock: ManualClock, name: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    clock.advance(1000);
  }
  throw new Error(`${name} did not become ACTIVE`);
}

function promValue(text: string, name: string, labels: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labels)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

void describe('metrics through a running server', () => {
  let server: TestServer;
  let clock: ManualClock;
  let kinesis: KinesisClient;
  let cloudwatch: CloudWatchClient;
  const put = { bytes: 0, records: 0 };
  let throttled = 0;

  const stats = async (metricName: string, dims: Record<string, string>, statistics: ('Sum' | 'SampleCount' | 'Maximum')[] = ['Sum']) => {
    const out = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Kinesis',
        MetricName: metricName,
        Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
        StartTime: new Date(clock.now() - HOUR),
        EndTime: new Date(clock.now() + HOUR),
        Period: (3 * HOUR) / 1000, // one bucket covering the whole range
        Statistics: statistics,
      }),
    );
    return out.Datapoints ?? [];
  };
  const sum = async (metricName: string, dims: Record<string, string>): Promise<number> =>
    (await stats(metricName, dims)).reduce((a, d) => a + (d.Sum ?? 0), 0);

  before(async () => {
    clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000);
    server = await startTestServer({ persistent: true, clock, limits: true, createStreamMs: 0 });
    kinesis = server.kinesis();
    cloudwatch = new CloudWatchClient({
      endpoint: server.url,
      region: TEST_REGION,
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
    await waitActive(kinesis, clock, 'orders');
  });
  after(async () => {
    cloudwatch.destroy();
    await server.stop();
  });

  void it('counts puts and gets, visible in /metrics and GetMetricStatistics', async () => {
    const r1 = await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'pk-1', Data: Buffer.from('hello world') }));
    put.bytes += 11 + 4;
    put.records += 1;
    const batch = Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `key-${i}`, Data: Buffer.alloc(100, i) }));
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: batch }));
    assert.equal(out.FailedRecordCount, 0);
    put.bytes += 10 * (100 + 5);
    put.records += 10;

    // a consumer that reads 42 s after the first put
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'orders', ShardId: r1.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    clock.advance(42_000);
    const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 1 }));
    assert.equal(got.Records?.length, 1);

    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const L = 'stream_name="orders"';
    assert.equal(promValue(text, 'shardline_kinesis_incoming_bytes_total', L), put.bytes);
    assert.equal(promValue(text, 'shardline_kinesis_incoming_records_total', L), put.records);
    assert.equal(promValue(text, 'shardline_kinesis_get_records_records_total', L), 1);
    assert.equal(promValue(text, 'shardline_kinesis_get_records_bytes_total', L), 15);
    assert.equal(promValue(text, 'shardline_kinesis_get_records_iterator_age_seconds', L), 42);

    assert.equal(await sum('IncomingBytes', { StreamName: 'orders' }), put.bytes);
    assert.equal(await sum('IncomingRecords', { StreamName: 'orders' }), put.records);
    assert.equal(await sum('PutRecords.SuccessfulRecords', { StreamName: 'orders' }), 10);
    const age = await stats('GetRecords.IteratorAgeMilliseconds', { StreamName: 'orders' }, ['Maximum']);
    assert.equal(age[0]?.Maximum, 42_000);
    assert.equal(age[0]?.Unit, 'Milliseconds');
  });

  void it('counts throttled records with the limits on, and the AWS CLI reads the same numbers', async () => {
    clock.advance(2_000);
    for (let i = 0; i < 3; i++) {
      const out = await kinesis.send(
        new PutRecordsCommand({ StreamName: 'orders', Records: Array.from({ length: 500 }, (_, j) => ({ PartitionKey: `t${j}`, Data: Buffer.from('x') })) }),
      );
      throttled += out.FailedRecordCount ?? 0;
      (out.Records ?? []).forEach((r, j) => {
        if (r.ErrorCode !== undefined) return;
        put.records += 1;
        put.bytes += 1 + `t${j}`.length;
      });
    }
    assert.ok(throttled > 0, 'a 1-shard stream takes 1000 records/s');
    assert.equal(await sum('WriteProvisionedThroughputExceeded', { StreamName: 'orders' }), throttled);

    const start = new Date(clock.now() - HOUR).toISOString();
    const end = new Date(clock.now() + HOUR).toISOString();
    const cli = await runAwsCli(
      ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Kinesis', '--metric-name', 'PutRecords.ThrottledRecords',
        '--dimensions', 'Name=StreamName,Value=orders', '--start-time', start, '--end-time', end, '--period', '3600', '--statistics', 'Sum', 'SampleCount'],
      server,
    );
    assert.equal(cli.exitCode, 0, cli.stderr);
    const points = (cli.json as { Datapoints: { Sum: number; SampleCount: number; Unit: string }[] }).Datapoints;
    assert.equal(points.reduce((a, p) => a + p.Sum, 0), throttled);
    assert.equal(points.reduce((a, p) => a + p.SampleCount, 0), 4, 'one sample per PutRecords call');
    assert.equal(points[0].Unit, 'Count');

    const incoming = await runAwsCli(
      ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Kinesis', '--metric-name', 'IncomingRecords',
        '--dimensions', 'Name=StreamName,Value=orders', '--start-time', start, '--end-time', end, '--period', '60', '--statistics', 'Sum'],
      server,
    );
    assert.equal(incoming.exitCode, 0, incoming.stderr);
    assert.equal((incoming.json as { Datapoints: { Sum: number }[] }).Datapoints.reduce((a, p) => a + p.Sum, 0), put.records);

    const bad = await runAwsCli(
      ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Kinesis', '--metric-name', 'IncomingRecords',
        '--start-time', start, '--end-time', end, '--period', '90', '--statistics', 'Sum'],
      server,
    );
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /InvalidParameterValue/);
  });

  void it('emits shard-level metrics only while enhanced monitoring is on', async () => {
    clock.advance(2_000);
    const shardDims = { StreamName: 'orders', ShardId: 'shardId-000000000000' };
    const shardMetrics = async () =>
      (await cloudwatch.send(new ListMetricsCommand({ Namespace: 'AWS/Kinesis', Dimensions: [{ Name: 'ShardId' }] }))).Metrics ?? [];
    assert.deepEqual(await shardMetrics(), []);
    await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'orders', ShardLevelMetrics: ['IncomingBytes', 'IncomingRecords'] }));
    await waitActive(kinesis, clock, 'orders');
    await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'pk', Data: Buffer.from('abc') }));
    put.bytes += 5;
    put.records += 1;
    assert.deepEqual((await shardMetrics()).map((m) => m.MetricName).sort(), ['IncomingBytes', 'IncomingRecords']);
    assert.equal(await sum('IncomingBytes', shardDims), 5);
    await kinesis.send(new DisableEnhancedMonitoringCommand({ StreamName: 'orders', ShardLevelMetrics: ['ALL'] }));
    await waitActive(kinesis, clock, 'orders');
    await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'pk', Data: Buffer.from('abc') }));
    put.bytes += 5;
    put.records += 1;
    assert.equal(await sum('IncomingBytes', shardDims), 5, 'no shard samples after Disable');

    const data = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(clock.now() - HOUR),
        EndTime: new Date(clock.now() + HOUR),
        MetricDataQueries: [
          { Id: 'stream', MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'orders' }] }, Period: 60, Stat: 'Sum' } },
          { Id: 'shard', MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'orders' }, { Name: 'ShardId', Value: 'shardId-000000000000' }] }, Period: 60, Stat: 'Sum' } },
        ],
      }),
    );
    const results = data.MetricDataResults ?? [];
    assert.equal(results.find((r) => r.Id === 'stream')?.Values?.reduce((a, b) => a + b, 0), put.records);
    assert.deepEqual(results.find((r) => r.Id === 'shard')?.Values, [1]);
    assert.ok(results.every((r) => r.StatusCode === 'Complete'));
  });

  void it('answers clients that speak awsQuery (older botocore / AWS CLI releases)', async () => {
    // The installed botocore speaks JSON to CloudWatch; a copy of its model restricted to the query
    // protocol (AWS_DATA_PATH) makes it send what releases before the switch sent.
    const dataPath = await mkdtemp(join(tmpdir(), 'shardline-cwq-'));
    try {
      await promisify(execFile)('python3', [
        '-c',
        'import botocore,gzip,json,os,sys\n' +
          'm=json.load(gzip.open(os.path.join(os.path.dirname(botocore.__file__),"data/cloudwatch/2010-08-01/service-2.json.gz")))\n' +
          'm["metadata"]["protocol"]="query"; m["metadata"]["protocols"]=["query"]\n' +
          'd=os.path.join(sys.argv[1],"cloudwatch/2010-08-01"); os.makedirs(d)\n' +
          'json.dump(m,open(os.path.join(d,"service-2.json"),"w"))',
        dataPath,
      ]);
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_DATA_PATH: dataPath,
        AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION: TEST_REGION,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_MAX_ATTEMPTS: '1',
      };
      const aws = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
        try {
          const { stdout, stderr } = await promisify(execFile)('aws', [...args, '--endpoint-url', server.url, '--output', 'json', '--debug'], { env, timeout: 60_000 });
          return { code: 0, stdout, stderr };
        } catch (err) {
          const e = err as { code?: number; stdout?: string; stderr?: string };
          return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
        }
      };
      const start = new Date(clock.now() - HOUR).toISOString();
      const end = new Date(clock.now() + HOUR).toISOString();
      const out = await aws(['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Kinesis', '--metric-name', 'IncomingRecords',
        '--dimensions', 'Name=StreamName,Value=orders', '--start-time', start, '--end-time', end, '--period', '3600', '--statistics', 'Sum', 'Maximum']);
      assert.equal(out.code, 0, out.stderr.slice(-2000));
      assert.match(out.stderr, /application\/x-www-form-urlencoded/, 'the request went out as awsQuery');
      const points = (JSON.parse(out.stdout) as { Datapoints: { Sum: number; Unit: string }[] }).Datapoints;
      assert.equal(points.reduce((a, p) => a + p.Sum, 0), put.records);
      assert.equal(points[0].Unit, 'Count');
      const listed = await aws(['cloudwatch', 'list-metrics', '--namespace', 'AWS/Kinesis', '--metric-name', 'PutRecords.ThrottledRecords']);
      assert.equal(listed.code, 0, listed.stderr.slice(-2000));
      assert.deepEqual((JSON.parse(listed.stdout) as { Metrics: unknown[] }).Metrics, [
        { Namespace: 'AWS/Kinesis', MetricName: 'PutRecords.ThrottledRecords', Dimensions: [{ Name: 'StreamName', Value: 'orders' }] },
      ]);
      const bad = await aws(['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/Kinesis', '--metric-name', 'IncomingRecords',
        '--start-time', start, '--end-time', end, '--period', '90', '--statistics', 'Sum']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /\(InvalidParameterValue\).*Period/);
    } finally {
      await rm(dataPath, { recursive: true, force: true });
    }
  });

  void it('refuses unsigned CloudWatch requests like the Kinesis router does', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' },
      body: '{}',
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-query-error'), 'MissingAuthenticationToken;Sender');
    assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  });

  void it('keeps the per-minute aggregates across a restart', async () => {
    await server.restart();
    assert.equal(await sum('IncomingBytes', { StreamName: 'orders' }), put.bytes);
    assert.equal(await sum('IncomingRecords', { StreamName: 'orders' }), put.records);
    assert.equal(await sum('WriteProvisionedThroughputExceeded', { StreamName: 'orders' }), throttled);
    const age = await stats('GetRecords.IteratorAgeMilliseconds', { StreamName: 'orders' }, ['Maximum']);
    assert.equal(age[0]?.Maximum, 42_000);
  });
});
