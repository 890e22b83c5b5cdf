import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import { createKinesisBinding } from '../../src/kinesis/binding.js';
import type { KinesisService } from '../../src/kinesis/binding.js';
import { defaultKinesisSettings } from '../../src/kinesis/settings.js';
import { MetricsService } from '../../src/metrics/metrics-service.js';
import { MINUTE_MS } from '../../src/metrics/metric-store.js';
import type { MetricSeries } from '../../src/metrics/metric-store.js';
import type { RequestContext } from '../../src/model/context.js';
import { ManualClock } from '../../src/model/context.js';
import type { OperationHandler } from '../../src/model/operation.js';
import { ServiceError } from '../../src/model/service-error.js';
import type { Storage } from '../../src/storage/contract.js';
import { openStorage } from '../../src/storage/open-storage.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

function ctx(signal: AbortSignal = new AbortController().signal): RequestContext {
  return {
    requestId: randomUUID(),
    region: REGION,
    caller: { accountId: ACCOUNT },
    protocol: 'json',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    secureTransport: false,
    signal,
  };
}

interface Harness {
  clock: ManualClock;
  storage: Storage;
  kinesis: KinesisService;
  metrics: MetricsService;
  call(op: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** Sum/count/max of a series over every minute; undefined when it has no samples. */
  totals(metricName: string, dims: Record<string, string>): { sum: number; count: number; max: number } | undefined;
  close(): Promise<void>;
}

async function harness(limits: boolean): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const storage = await openStorage({ inMemory: true, clock });
  const kinesis = await createKinesisBinding({ storage, clock, logger: silentLogger, settings: { ...defaultKinesisSettings, limits, createStreamMs: 0, updateStreamMs: 0 } });
  const metrics = await MetricsService.open({ clock, logger: silentLogger, defaultAccountId: ACCOUNT, defaultRegion: REGION });
  const handlers: Record<string, OperationHandler> = metrics.instrument(kinesis.binding.handlers as Record<string, OperationHandler>, kinesis.env.streams);
  return {
    clock,
    storage,
    kinesis,
    metrics,
    async call(op, input, signal) {
      const h = handlers[op];
      assert.ok(h, op);
      const parsed = kinesis.binding.parseInput(op, input, 'json');
      return ((await h(parsed, ctx(signal))) ?? {}) as Record<string, unknown>;
    },
    totals(metricName, dims) {
      const s: MetricSeries | undefined = metrics.store.find({
        namespace: 'AWS/Kinesis',
        accountId: ACCOUNT,
        region: REGION,
        metricName,
        dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      });
      if (!s) return undefined;
      let sum = 0;
      let count = 0;
      let max = -Infinity;
      for (const [, m] of s.entries()) {
        sum += m.sum;
        count += m.count;
        max = Math.max(max, m.max);
      }
      return count === 0 ? undefined : { sum, count, max };
    },
    async close() {
      await metrics.close();
      await kinesis.close();
      await storage.close();
    },
  };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

void describe('instrumented Kinesis handlers', () => {
  let h: Harness;
  before(async () => {
    h = await harness(false);
    await h.call('CreateStream', { StreamName: 'orders', ShardCount: 2 });
    h.clock.advance(1000);
  });
  after(async () => {
    await h.close();
  });

  void it('counts PutRecord and PutRecords bytes (data + partition key) and records', async () => {
    const s = { StreamName: 'orders' };
    await h.call('PutRecord', { StreamName: 'orders', PartitionKey: 'pk', Data: b64('hello') }); // 5 + 2
    await h.call('PutRecords', {
      StreamName: 'orders',
      Records: [
        { PartitionKey: 'a', Data: b64('1234567890') }, // 11
        { PartitionKey: 'bb', Data: b64('xyz') }, // 5
      ],
    });
    assert.deepEqual(h.totals('IncomingBytes', s), { sum: 23, count: 2, max: 16 });
    assert.deepEqual(h.totals('IncomingRecords', s), { sum: 3, count: 2, max: 2 });
    assert.equal(h.totals('PutRecord.Bytes', s)?.sum, 7);
    assert.equal(h.totals('PutRecord.Success', s)?.sum, 1);
    assert.equal(h.totals('PutRecords.Bytes', s)?.sum, 16);
    assert.equal(h.totals('PutRecords.TotalRecords', s)?.sum, 2);
    assert.equal(h.totals('PutRecords.SuccessfulRecords', s)?.sum, 2);
    assert.equal(h.totals('PutRecords.FailedRecords', s)?.sum, 0);
    assert.equal(h.totals('PutRecords.ThrottledRecords', s)?.sum, 0);
    assert.equal(h.totals('PutRecords.Success', s)?.sum, 1);
    assert.equal(h.totals('PutRecords.Latency', s)?.count, 1);
    assert.equal(h.totals('WriteProvisionedThroughputExceeded', s)?.sum, 0);
    // no shard-level metrics without enhanced monitoring
    assert.equal([...h.metrics.store.all()].some((x) => x.id.dimensions.some((d) => d.Name === 'ShardId')), false);
  });

  void it('reports GetRecords bytes, records and the iterator age of a consumer falling behind', async () => {
    const put = await h.call('PutRecord', { StreamName: 'orders', PartitionKey: 'lag', Data: b64('abcd') });
    const shardId = put.ShardId as string;
    const it = await h.call('GetShardIterator', { StreamName: 'orders', ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber });
    h.clock.advance(90_000); // the consumer reads 90 s after the put
    const before = h.totals('GetRecords.IteratorAgeMilliseconds', { StreamName: 'orders' });
    assert.equal(before, undefined);
    const got = await h.call('GetRecords', { ShardIterator: it.ShardIterator, Limit: 1 });
    assert.equal((got.Records as unknown[]).length, 1);
    const age = h.totals('GetRecords.IteratorAgeMilliseconds', { StreamName: 'orders' });
    assert.deepEqual(age, { sum: 90_000, count: 1, max: 90_000 });
    assert.deepEqual(h.totals('GetRecords.Bytes', { StreamName: 'orders' }), { sum: 7, count: 1, max: 7 });
    assert.equal(h.totals('GetRecords.Records', { StreamName: 'orders' })?.sum, 1);
    assert.equal(h.totals('GetRecords.Success', { StreamName: 'orders' })?.sum, 1);
    assert.equal(h.totals('OutgoingBytes', { StreamName: 'orders' })?.sum, 7);
    // caught up: no records, age 0
    await h.call('GetRecords', { ShardIterator: got.NextShardIterator });
    assert.deepEqual(h.totals('GetRecords.IteratorAgeMilliseconds', { StreamName: 'orders' }), { sum: 90_000, count: 2, max: 90_000 });
    // samples land in the minute of the injected clock
    const series = h.metrics.store.find({ namespace: 'AWS/Kinesis', accountId: ACCOUNT, region: REGION, metricName: 'GetRecords.IteratorAgeMilliseconds', dimensions: [{ Name: 'StreamName', Value: 'orders' }] });
    assert.deepEqual([...(series?.entries() ?? [])].map(([m]) => m), [Math.floor(h.clock.now() / MINUTE_MS)]);
  });

  void it('emits shard-level metrics only for what EnableEnhancedMonitoring turned on, and stops after Disable', async () => {
    const shardDims = (shardId: string) => ({ StreamName: 'orders', ShardId: shardId });
    await h.call('EnableEnhancedMonitoring', { StreamName: 'orders', ShardLevelMetrics: ['IncomingBytes', 'IteratorAgeMilliseconds'] });
    const put = await h.call('PutRecord', { StreamName: 'orders', PartitionKey: 'k', Data: b64('12345') }); // 6 bytes
    const shardId = put.ShardId as string;
    assert.deepEqual(h.totals('IncomingBytes', shardDims(shardId)), { sum: 6, count: 1, max: 6 });
    assert.equal(h.totals('IncomingRecords', shardDims(shardId)), undefined, 'not enabled');
    const it = await h.call('GetShardIterator', { StreamName: 'orders', ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber });
    h.clock.advance(2_000);
    await h.call('GetRecords', { ShardIterator: it.ShardIterator });
    assert.deepEqual(h.totals('IteratorAgeMilliseconds', shardDims(shardId)), { sum: 2000, count: 1, max: 2000 });
    assert.equal(h.totals('OutgoingBytes', shardDims(shardId)), undefined, 'not enabled');
    // PutRecords spreads over shards: one sample per shard touched
    await h.call('PutRecords', { StreamName: 'orders', Records: Array.from({ length: 20 }, (_, i) => ({ PartitionKey: `p${i}`, Data: b64('x') })) });
    const perShard = ['shardId-000000000000', 'shardId-000000000001'].map((id) => h.totals('IncomingBytes', shardDims(id)));
    assert.equal((perShard[0]?.sum ?? 0) + (perShard[1]?.sum ?? 0), 6 + 10 * 3 + 10 * 4); // "p0".."p9" + 1 byte, "p10".."p19" + 1 byte
    // ALL turns everything on
    await h.call('EnableEnhancedMonitoring', { StreamName: 'orders', ShardLevelMetrics: ['ALL'] });
    await h.call('PutRecord', { StreamName: 'orders', PartitionKey: 'k', Data: b64('12345') });
    assert.equal(h.totals('IncomingRecords', shardDims(shardId))?.sum, 1);
    // Disable everything: the shard series stop growing, stream-level ones continue
    await h.call('DisableEnhancedMonitoring', { StreamName: 'orders', ShardLevelMetrics: ['ALL'] });
    const frozen = h.totals('IncomingBytes', shardDims(shardId));
    const streamBefore = h.totals('IncomingBytes', { StreamName: 'orders' });
    await h.call('PutRecord', { StreamName: 'orders', PartitionKey: 'k', Data: b64('12345') });
    assert.deepEqual(h.totals('IncomingBytes', shardDims(shardId)), frozen);
    assert.equal(h.totals('IncomingBytes', { StreamName: 'orders' })?.sum, (streamBefore?.sum ?? 0) + 6);
  });

  void it('counts SubscribeToShard subscriptions, events and rejections per consumer', async () => {
    await h.call('CreateStream', { StreamName: 'efo', ShardCount: 1 });
    h.clock.advance(1000);
    await h.call('PutRecords', { StreamName: 'efo', Records: [{ PartitionKey: 'a', Data: b64('one') }, { PartitionKey: 'b', Data: b64('two!') }] }); // 4 + 5
    const summary = await h.call('DescribeStreamSummary', { StreamName: 'efo' });
    const streamArn = (summary.StreamDescriptionSummary as { StreamARN: string }).StreamARN;
    const reg = await h.call('RegisterStreamConsumer', { StreamARN: streamArn, ConsumerName: 'reader' });
    const consumerArn = (reg.Consumer as { ConsumerARN: string }).ConsumerARN;
    for (let i = 0; i < 20; i++) {
      const d = await h.call('DescribeStreamConsumer', { ConsumerARN: consumerArn });
      if ((d.ConsumerDescription as { ConsumerStatus: string }).ConsumerStatus === 'ACTIVE') break;
      h.clock.advance(500);
    }
    const abort = new AbortController();
    const out = await h.call('SubscribeToShard', { ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }, abort.signal);
    let records = 0;
    for await (const ev of out.EventStream as AsyncIterable<Record<string, { Records: unknown[] }>>) {
      records += ev.SubscribeToShardEvent?.Records.length ?? 0;
      if (records >= 2) break;
    }
    abort.abort();
    const c = { StreamName: 'efo', ConsumerName: 'reader' };
    assert.equal(h.totals('SubscribeToShard.Success', c)?.sum, 1);
    assert.equal(h.totals('SubscribeToShardEvent.Records', c)?.sum, 2);
    assert.equal(h.totals('SubscribeToShardEvent.Bytes', c)?.sum, 9);
    assert.ok((h.totals('SubscribeToShardEvent.Success', c)?.sum ?? 0) >= 1);
    assert.equal(h.totals('SubscribeToShardEvent.MillisBehindLatest', c)?.max, 0);
    assert.equal(h.totals('OutgoingRecords', { StreamName: 'efo' })?.sum, 2);
    // a second subscription to the same shard within 5 seconds is refused: RateExceeded
    await assert.rejects(
      h.call('SubscribeToShard', { ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } }),
      (err: unknown) => err instanceof ServiceError && err.code === 'ResourceInUseException',
    );
    assert.equal(h.totals('SubscribeToShard.RateExceeded', c)?.sum, 1);
    assert.equal(h.totals('SubscribeToShard.Success', c)?.sum, 1);
    assert.equal(h.totals('SubscribeToShard.Success', c)?.count, 2);
  });

  void it('counts failed calls as Success 0 and does not count DryRun', async () => {
    const before = h.totals('PutRecord.Success', { StreamName: 'orders' });
    await assert.rejects(h.call('GetRecords', { ShardIterator: 'AAAA' }), ServiceError);
    await assert.rejects(h.call('PutRecord', { StreamName: 'missing', PartitionKey: 'k', Data: b64('1') }), ServiceError);
    const after = h.totals('PutRecord.Success', { StreamName: 'orders' });
    assert.deepEqual(after, before);
  });
});

void describe('instrumented Kinesis handlers with limits on', () => {
  let h: Harness;
  before(async () => {
    h = await harness(true);
    await h.call('CreateStream', { StreamName: 'hot', ShardCount: 1 });
    h.clock.advance(1000);
    await h.call('EnableEnhancedMonitoring', { StreamName: 'hot', ShardLevelMetrics: ['WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded'] });
  });
  after(async () => {
    await h.close();
  });

  void it('counts throttled PutRecords entries per stream and per shard', async () => {
    let throttledSeen = 0;
    for (let i = 0; i < 3; i++) {
      const out = await h.call('PutRecords', { StreamName: 'hot', Records: Array.from({ length: 500 }, (_, j) => ({ PartitionKey: `k${j}`, Data: b64('x') })) });
      for (const r of out.Records as { ErrorCode?: string }[]) if (r.ErrorCode === 'ProvisionedThroughputExceededException') throttledSeen++;
    }
    assert.ok(throttledSeen > 0, 'the 1000 records/s limit throttles some of 1500 records in one second');
    assert.equal(h.totals('PutRecords.ThrottledRecords', { StreamName: 'hot' })?.sum, throttledSeen);
    assert.equal(h.totals('WriteProvisionedThroughputExceeded', { StreamName: 'hot' })?.sum, throttledSeen);
    assert.equal(h.totals('IncomingRecords', { StreamName: 'hot' })?.sum, 1500 - throttledSeen);
    assert.equal(h.totals('WriteProvisionedThroughputExceeded', { StreamName: 'hot', ShardId: 'shardId-000000000000' })?.sum, throttledSeen);
  });

  void it('counts throttled GetRecords calls', async () => {
    h.clock.advance(5_000);
    const it = await h.call('GetShardIterator', { StreamName: 'hot', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' });
    let iterator = it.ShardIterator as string;
    let throttled = 0;
    for (let i = 0; i < 8; i++) {
      try {
        const out = await h.call('GetRecords', { ShardIterator: iterator });
        iterator = out.NextShardIterator as string;
      } catch (err) {
        assert.ok(err instanceof ServiceError && err.code === 'ProvisionedThroughputExceededException', String(err));
        throttled++;
      }
    }
    assert.ok(throttled > 0, '5 GetRecords per second per shard');
    assert.equal(h.totals('ReadProvisionedThroughputExceeded', { StreamName: 'hot' })?.sum, throttled);
    assert.equal(h.totals('ReadProvisionedThroughputExceeded', { StreamName: 'hot', ShardId: 'shardId-000000000000' })?.sum, throttled);
    assert.equal(h.totals('GetRecords.Success', { StreamName: 'hot' })?.sum, 8 - throttled);
  });
});

void describe('SubscribeToShard event counting', () => {
  void it('passes return() to the source at once, even while it waits for the next event', async () => {
    const { StreamStore } = await import('../../src/kinesis/stream-store.js');
    const { instrumentKinesisHandlers } = await import('../../src/metrics/instrument-kinesis.js');
    const { KinesisMetrics } = await import('../../src/metrics/kinesis-recorder.js');
    const { MetricStore } = await import('../../src/metrics/metric-store.js');
    const clock = new ManualClock();
    const storage = await openStorage({ inMemory: true, clock });
    try {
      let returned = false;
      let release: (() => void) | undefined;
      const source: AsyncIterable<Record<string, unknown>> = {
        [Symbol.asyncIterator]: () => ({
          next: () => new Promise<IteratorResult<Record<string, unknown>>>((resolve) => (release = () => resolve({ done: true, value: undefined }))),
          return: async () => {
            returned = true;
            release?.();
            return { done: true, value: undefined };
          },
        }),
      };
      const handlers = instrumentKinesisHandlers(
        { SubscribeToShard: async () => ({ EventStream: source }) },
        { metrics: new KinesisMetrics(new MetricStore()), streams: new StreamStore(storage.metadata, storage.logs, clock, silentLogger), clock },
      );
      const out = (await handlers.SubscribeToShard?.(
        { ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1', ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } },
        ctx(),
      )) as { EventStream: AsyncIterable<unknown> };
      const it = out.EventStream[Symbol.asyncIterator]();
      const pending = it.next();
      await it.return?.();
      assert.equal(returned, true);
      assert.deepEqual(await pending, { done: true, value: undefined });
    } finally {
      await storage.close();
    }
  });
});
