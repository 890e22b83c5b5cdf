import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MINUTE_MS, MetricStore, Statistic, aggregate, statisticValue } from '../../src/metrics/metric-store.js';
import type { SeriesId } from '../../src/metrics/metric-store.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0) / MINUTE_MS; // epoch minute

function id(metricName: string, stream = 's1', extra: { Name: string; Value: string }[] = []): SeriesId {
  return {
    namespace: 'AWS/Kinesis',
    accountId: '000000000000',
    region: 'us-east-1',
    metricName,
    unit: 'Bytes',
    dimensions: [...extra, { Name: 'StreamName', Value: stream }],
  };
}

void describe('MetricStore', () => {
  void it('keeps a statistic set per minute and totals since start', () => {
    const store = new MetricStore();
    const s = store.series(id('IncomingBytes'));
    s.add(T0, 10);
    s.add(T0, 30);
    s.add(T0 + 1, 5);
    const m0 = s.minute(T0);
    assert.ok(m0);
    assert.deepEqual([m0.sum, m0.count, m0.min, m0.max], [40, 2, 10, 30]);
    const m1 = s.minute(T0 + 1);
    assert.ok(m1);
    assert.deepEqual([m1.sum, m1.count, m1.min, m1.max], [5, 1, 5, 5]);
    assert.equal(s.totalSum, 45);
    assert.equal(s.totalCount, 3);
    assert.equal(s.last, 5);
    // a late sample for an earlier minute still lands in that minute
    s.add(T0, 1);
    const late = s.minute(T0);
    assert.ok(late);
    assert.deepEqual([late.sum, late.count, late.min], [41, 3, 1]);
  });

  void it('identifies a series by its unordered set of dimensions', () => {
    const store = new MetricStore();
    const a = store.series(id('IncomingBytes', 's1', [{ Name: 'ShardId', Value: 'shardId-000000000000' }]));
    const b = store.series({
      ...id('IncomingBytes'),
      dimensions: [
        { Name: 'StreamName', Value: 's1' },
        { Name: 'ShardId', Value: 'shardId-000000000000' },
      ],
    });
    assert.equal(a, b);
    assert.notEqual(a, store.series(id('IncomingBytes')));
    assert.equal(store.find({ ...id('IncomingBytes'), dimensions: [{ Name: 'StreamName', Value: 's1' }] }), store.series(id('IncomingBytes')));
    assert.equal(store.find({ ...id('IncomingBytes'), dimensions: [] }), undefined);
  });

  void it('aggregates minutes into periods aligned on the start minute', () => {
    const store = new MetricStore();
    const s = store.series(id('IncomingBytes'));
    for (let m = 0; m < 10; m++) s.add(T0 + m, m + 1); // values 1..10
    const five = aggregate(s, T0, T0 + 10, 5);
    assert.deepEqual(
      five.map((p) => [p.startMinute - T0, p.set.sum, p.set.sampleCount, p.set.minimum, p.set.maximum]),
      [
        [0, 15, 5, 1, 5],
        [5, 40, 5, 6, 10],
      ],
    );
    // start inside the range, end exclusive
    const mid = aggregate(s, T0 + 2, T0 + 4, 1);
    assert.deepEqual(mid.map((p) => p.set.sum), [3, 4]);
    assert.equal(statisticValue(five[0].set, Statistic.Average), 3);
    assert.equal(statisticValue(five[0].set, Statistic.SampleCount), 5);
    assert.equal(statisticValue(five[1].set, Statistic.Minimum), 6);
    assert.equal(statisticValue(five[1].set, Statistic.Maximum), 10);
    assert.equal(statisticValue(five[1].set, Statistic.Sum), 40);
  });

  void it('queues one delta per series and minute for the journal, holding only what is new', () => {
    const store = new MetricStore();
    const s = store.series(id('IncomingBytes'));
    s.add(T0, 1);
    s.add(T0, 2);
    s.add(T0 + 1, 3);
    const d = store.takeDirty();
    assert.deepEqual(d.map((x) => [x.minute - T0, x.sum, x.count]), [[0, 3, 2], [1, 3, 1]]);
    assert.deepEqual(store.takeDirty(), []);
    s.add(T0 + 1, 1);
    assert.deepEqual(store.takeDirty().map((x) => [x.minute - T0, x.sum, x.count]), [[1, 1, 1]]);
    // the minute itself keeps everything
    assert.deepEqual(s.minute(T0 + 1), { sum: 4, count: 2, min: 1, max: 3 });
  });

  void it('keeps minutes across hour blocks, negative values and merges from the journal', () => {
    const store = new MetricStore();
    const s = store.series(id('IncomingBytes'));
    s.add(T0 + 59, -5);
    s.add(T0 + 60, 5);
    s.merge(T0 + 59, 10, 2, -7, 8);
    s.merge(T0 + 120, 4, 1, 4, 4);
    assert.deepEqual(s.minute(T0 + 59), { sum: 5, count: 3, min: -7, max: 8 });
    assert.deepEqual([...s.entries()].map(([m]) => m - T0), [59, 60, 120]);
    assert.deepEqual([...s.entries(T0 + 60, T0 + 120)].map(([m]) => m - T0), [60]);
    assert.equal(s.minute(T0 + 61), undefined);
    // merged data is not written again
    assert.deepEqual(store.takeDirty().map((x) => [x.minute - T0, x.sum]), [[59, -5], [60, 5]]);
  });

  void it('prunes minutes before the retention cutoff and lists only active series', () => {
    const store = new MetricStore();
    const a = store.series(id('IncomingBytes', 'a'));
    const b = store.series(id('IncomingRecords', 'b'));
    a.add(T0, 1);
    b.add(T0 + 100, 1);
    store.prune(T0 + 50);
    assert.deepEqual([...a.entries()], []);
    assert.deepEqual([...b.entries()].map(([m]) => m - T0), [100]);
    const listed = store.list({ accountId: '000000000000', region: 'us-east-1', activeSinceMinute: 0 });
    assert.deepEqual(listed.map((s) => s.id.metricName), ['IncomingRecords']);
    assert.deepEqual(store.list({ accountId: '000000000000', region: 'us-west-2', activeSinceMinute: 0 }), []);
    assert.deepEqual(
      store.list({ accountId: '000000000000', region: 'us-east-1', activeSinceMinute: 0, dimensions: [{ Name: 'StreamName', Value: 'a' }] }),
      [],
    );
    // a pruned series can receive samples again (the hot path keeps its reference)
    a.add(T0 + 200, 7);
    assert.equal(a.minute(T0 + 200)?.sum, 7);
  });

  void it('counts latency samples into histogram buckets', () => {
    const store = new MetricStore();
    const s = store.series({ ...id('PutRecord.Latency'), unit: 'Milliseconds' }, { histogram: true });
    for (const v of [0.5, 1, 3, 20000]) s.add(T0, v);
    assert.ok(s.buckets);
    assert.equal(s.buckets[0], 2); // ≤ 1 ms
    assert.equal(s.buckets[2], 1); // ≤ 5 ms
    assert.equal(s.buckets[s.buckets.length - 1], 1); // +Inf
  });
});
