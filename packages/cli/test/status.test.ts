import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { ManualClock } from '../../server/src/model/context.js';
import { startTestServer } from '../../server/test/support/server.js';
import type { TestServer } from '../../server/test/support/server.js';
import { renderStatus, runStatus } from '../src/status.js';
import type { StatusReport } from '../src/status.js';

function capture(): { write(s: string): boolean; text: () => string } {
  let out = '';
  return {
    write(s: string) {
      out += s;
      return true;
    },
    text: () => out,
  };
}

void describe('shardline status', () => {
  let server: TestServer;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock(Math.floor(Date.now() / 60_000) * 60_000 + 30_000);
    server = await startTestServer({ clock, createStreamMs: 0, updateStreamMs: 0 });
    const kinesis = server.kinesis();
    await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 2 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
    for (const name of ['clicks', 'orders']) {
      for (let i = 0; i < 20; i++) {
        const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
        clock.advance(100);
      }
    }
    await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'orders', ShardLevelMetrics: ['ALL'] }));
    clock.advance(100);
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    // 30 records of 10 B + 2-char keys to orders (360 B), read 20 s later
    await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: Array.from({ length: 30 }, (_, i) => ({ PartitionKey: `k${i % 10}`, Data: Buffer.alloc(10) })) }));
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'orders', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    clock.advance(20_000);
    await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  });
  after(async () => {
    await server.stop();
  });

  void it('reports streams, shards, throughput and lag as JSON', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await runStatus(['--endpoint', server.url, '--minutes', '1', '--json'], { stdout, stderr, env: {}, now: () => clock.now() });
    assert.equal(code, 0, stderr.text());
    const report = JSON.parse(stdout.text()) as StatusReport;
    assert.deepEqual(report.streams.map((s) => s.name), ['clicks', 'orders']);
    const [clicks, orders] = report.streams;
    assert.equal(clicks.openShards, 2);
    assert.equal(clicks.shards.length, 2);
    assert.equal(clicks.shards[0].hashShare, 0.5);
    assert.equal(clicks.incomingRecordsPerSecond, 0);
    assert.equal(clicks.iteratorAgeMs, undefined);
    assert.ok(orders.enhancedMonitoring.length > 0, 'orders has enhanced monitoring on');
    assert.deepEqual(clicks.enhancedMonitoring, []);
    // the window starts at the beginning of the current minute of the injected clock
    const seconds = (clock.now() % 60_000) / 1000;
    assert.ok(Math.abs(orders.incomingBytesPerSecond - 360 / seconds) < 1e-9, String(orders.incomingBytesPerSecond));
    assert.ok(Math.abs(orders.incomingRecordsPerSecond - 30 / seconds) < 1e-9);
    assert.ok(Math.abs(orders.outgoingRecordsPerSecond - 30 / seconds) < 1e-9);
    assert.equal(orders.iteratorAgeMs, 20_000);
    assert.equal(orders.shards[0].iteratorAgeMs, 20_000);
    assert.ok(Math.abs((orders.shards[0].incomingBytesPerSecond ?? 0) - 360 / seconds) < 1e-9);
    assert.equal(orders.writeThrottledRecords, 0);
  });

  void it('prints a table', async () => {
    const stdout = capture();
    const code = await runStatus(['--endpoint', server.url, '--minutes', '1'], { stdout, stderr: capture(), env: {}, now: () => clock.now() });
    assert.equal(code, 0);
    const text = stdout.text();
    assert.match(text, /^STREAM\s+STATUS\s+MODE\s+SHARDS/m);
    assert.match(text, /^orders\s+ACTIVE\s+PROVISIONED\s+1\s/m);
    assert.match(text, /^ {2}shardId-000000000000\s+open\s+100\.0 %/m);
    assert.match(text, /20\.0 s/);
  });

  void it('fails clearly when no server answers, and on bad options', async () => {
    const stderr = capture();
    assert.equal(await runStatus(['--endpoint', 'http://127.0.0.1:1'], { stdout: capture(), stderr, env: {} }), 1);
    assert.match(stderr.text(), /cannot read http:\/\/127\.0\.0\.1:1/);
    const usage = capture();
    assert.equal(await runStatus(['--minutes', '0'], { stdout: capture(), stderr: usage, env: {} }), 2);
    assert.match(usage.text(), /--minutes/);
  });

  void it('says so when there are no streams', () => {
    assert.match(renderStatus({ endpoint: 'http://x', region: 'us-east-1', windowMinutes: 5, streams: [] }), /No streams\./);
  });
});
