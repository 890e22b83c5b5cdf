import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_KINESIS_METRICS, MetricLevel, PromKind } from '../../src/metrics/kinesis-metric-names.js';
import { KinesisMetrics } from '../../src/metrics/kinesis-recorder.js';
import { MetricStore } from '../../src/metrics/metric-store.js';
import { createPrometheusView } from '../../src/metrics/prometheus.js';

const M = 29_000_000;

void describe('Prometheus naming', () => {
  void it('follows the Prometheus naming rules for every metric', () => {
    const names = new Set<string>();
    for (const d of ALL_KINESIS_METRICS) {
      assert.match(d.promName, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/, d.promName);
      assert.match(d.promName, /^shardline_kinesis_[a-z0-9_]+$/, `${d.promName}: prefix and snake_case`);
      assert.ok(!names.has(d.promName), `${d.promName} is unique`);
      names.add(d.promName);
      if (d.promKind === PromKind.COUNTER) assert.match(d.promName, /_total$/, `${d.promName}: counters end in _total`);
      else assert.doesNotMatch(d.promName, /_total$/, `${d.promName}: only counters end in _total`);
      if (d.unit === 'Milliseconds') assert.match(d.promName, /_seconds$/, `${d.promName}: durations in base unit seconds`);
      if (d.unit === 'Bytes') assert.match(d.promName, /_bytes_total$/, `${d.promName}: bytes counters`);
      assert.doesNotMatch(d.promName, /millisecond/, d.promName);
      if (d.level === MetricLevel.SHARD) assert.match(d.promName, /^shardline_kinesis_shard_/, `${d.promName}: shard-level names are distinct`);
    }
  });
});

void describe('createPrometheusView', () => {
  void it('exposes counters, gauges in seconds and cumulative latency histograms with labels', async () => {
    const store = new MetricStore();
    const km = new KinesisMetrics(store);
    const s = km.stream('000000000000', 'us-east-1', 'orders');
    s.putRecordSucceeded(M, 120, 3, undefined);
    s.putRecordSucceeded(M, 80, 30, undefined);
    s.getRecordsSucceeded(M, 2, 2, 200, 1500, undefined);
    s.shardMask = 127;
    const shard = s.shard('shardId-000000000001');
    assert.ok(shard);
    s.getRecordsSucceeded(M, 2, 1, 50, 2500, shard);
    const view = createPrometheusView(store);
    const text = await view.render();
    const L = 'account_id="000000000000",region="us-east-1",stream_name="orders"';
    assert.match(text, /# TYPE shardline_kinesis_incoming_bytes_total counter/);
    assert.ok(text.includes(`shardline_kinesis_incoming_bytes_total{${L}} 200\n`), text);
    assert.ok(text.includes(`shardline_kinesis_incoming_records_total{${L}} 2\n`));
    assert.ok(text.includes(`shardline_kinesis_put_record_success_total{${L}} 2\n`));
    assert.ok(text.includes(`shardline_kinesis_get_records_bytes_total{${L}} 250\n`));
    assert.match(text, /# TYPE shardline_kinesis_get_records_iterator_age_seconds gauge/);
    assert.ok(text.includes(`shardline_kinesis_get_records_iterator_age_seconds{${L}} 2.5\n`));
    assert.ok(text.includes(`shardline_kinesis_shard_iterator_age_seconds{${L},shard_id="shardId-000000000001"} 2.5\n`));
    assert.ok(text.includes(`shardline_kinesis_shard_outgoing_bytes_total{${L},shard_id="shardId-000000000001"} 50\n`));
    assert.match(text, /# TYPE shardline_kinesis_put_record_latency_seconds histogram/);
    assert.ok(text.includes(`shardline_kinesis_put_record_latency_seconds_bucket{${L},le="0.001"} 0\n`));
    assert.ok(text.includes(`shardline_kinesis_put_record_latency_seconds_bucket{${L},le="0.005"} 1\n`));
    assert.ok(text.includes(`shardline_kinesis_put_record_latency_seconds_bucket{${L},le="0.05"} 2\n`));
    assert.ok(text.includes(`shardline_kinesis_put_record_latency_seconds_bucket{${L},le="+Inf"} 2\n`));
    assert.ok(text.includes(`shardline_kinesis_put_record_latency_seconds_sum{${L}} 0.033\n`));
    assert.ok(text.includes(`shardline_kinesis_put_record_latency_seconds_count{${L}} 2\n`));
    // nothing for metrics that never had a sample
    assert.doesNotMatch(text, /shardline_kinesis_put_records_bytes_total\{/);
    assert.equal(view.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  });

  void it('drops series of a deleted stream and of shard metrics turned off, keeping their history', async () => {
    const store = new MetricStore();
    const km = new KinesisMetrics(store);
    const s = km.stream('000000000000', 'us-east-1', 'gone');
    s.setShardMask(127);
    s.putRecordSucceeded(M, 10, 1, s.shard('shardId-000000000000'));
    const view = createPrometheusView(store);
    assert.match(await view.render(), /shardline_kinesis_shard_incoming_bytes_total\{[^}]*stream_name="gone"/);
    s.setShardMask(1); // IncomingBytes only
    let text = await view.render();
    assert.match(text, /shardline_kinesis_shard_incoming_bytes_total\{[^}]*stream_name="gone"/);
    assert.doesNotMatch(text, /shardline_kinesis_shard_incoming_records_total\{/);
    s.retire();
    text = await view.render();
    assert.doesNotMatch(text, /stream_name="gone"/);
    assert.equal(s.series.IncomingBytes.minute(M)?.sum, 10, 'the CloudWatch history stays');
    // a re-created stream of the same name starts its counters again
    s.putRecordSucceeded(M + 1, 3, 1, undefined);
    assert.match(await view.render(), /shardline_kinesis_incoming_bytes_total\{[^}]*stream_name="gone"\} 3\n/);
  });

  void it('escapes label values', async () => {
    const store = new MetricStore();
    new KinesisMetrics(store).stream('000000000000', 'us-east-1', 'a"b').putRecordSucceeded(M, 1, 1, undefined);
    const text = await createPrometheusView(store).render();
    assert.ok(text.includes('stream_name="a\\"b"'), text);
  });
});
