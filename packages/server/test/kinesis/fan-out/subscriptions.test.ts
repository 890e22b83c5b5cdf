/**
 * SubscribeToShard driven directly (memory storage, ManualClock, 50 ms heartbeats): push on append,
 * every starting position, resubscribing from ContinuationSequenceNumber, the 5-second rule and
 * takeover, the 5-minute lifetime, shard end with ChildShards after a split and a merge, heartbeats,
 * deregistration and stream deletion mid-stream, the 2 MiB/s read limit, and request errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventStreamEvent } from '../../../src/model/operation.js';
import { ServiceError } from '../../../src/model/service-error.js';
import { putRecord } from '../../../src/kinesis/operations/put-record.js';
import { deregisterStreamConsumer } from '../../../src/kinesis/operations/deregister-stream-consumer.js';
import { registerStreamConsumer } from '../../../src/kinesis/operations/register-stream-consumer.js';
import { StreamStatus } from '../../../src/kinesis/records.js';
import { decodeSequenceNumber } from '../../../src/kinesis/sequence-number.js';
import type { ShardEvent } from '../../../src/kinesis/subscriptions.js';
import { createTestStream, mergeShards, splitShard } from '../data-plane/support.js';
import type { FanOutPlane, Subscribed } from './support.js';
import { activeConsumer, nextDataEvent, nextEvent, openFanOutPlane, subscribe } from './support.js';

function isError(code: string, message?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

async function put(plane: FanOutPlane, stream: string, data: string, hashKey = '0'): Promise<string> {
  const out = await putRecord(plane.dp, { StreamName: stream, PartitionKey: 'pk', ExplicitHashKey: hashKey, Data: Buffer.from(data) }, plane.ctx);
  return out.SequenceNumber;
}

/** Collect record payloads until `count` have arrived. */
async function collect(sub: Subscribed, count: number): Promise<{ data: string[]; last: ShardEvent }> {
  const data: string[] = [];
  let last: ShardEvent | undefined;
  while (data.length < count) {
    const e = await nextDataEvent(sub);
    assert.notEqual(e, 'done', `stream ended after ${data.length} of ${count} records`);
    if (e === 'done') break;
    for (const r of e.Records) data.push(Buffer.from(r.Data).toString());
    last = e;
  }
  assert.ok(last);
  return { data, last };
}

void describe('SubscribeToShard (direct)', () => {
  let plane: FanOutPlane;
  let streamArn: string;
  let consumer: string;
  before(async () => {
    plane = await openFanOutPlane();
    streamArn = (await createTestStream(plane, 'fan', 1)).value.arn;
    consumer = await activeConsumer(plane, streamArn, 'c1');
  });
  after(() => plane.close());

  /** A fresh consumer per test avoids the 5-second rule between tests. */
  let n = 0;
  const freshConsumer = (): Promise<string> => activeConsumer(plane, streamArn, `c-${++n}`);

  void it('pushes records appended after subscribing (LATEST), first event right away', async () => {
    const c = await freshConsumer();
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    const first = await nextEvent(sub);
    assert.notEqual(first, 'done');
    if (first === 'done') return;
    assert.deepEqual(first.Records, []);
    assert.equal(typeof first.ContinuationSequenceNumber, 'string');
    const seqs = [await put(plane, 'fan', 'a'), await put(plane, 'fan', 'b'), await put(plane, 'fan', 'c')];
    const { data, last } = await collect(sub, 3);
    assert.deepEqual(data, ['a', 'b', 'c']);
    assert.equal(last.ContinuationSequenceNumber, seqs[2]);
    assert.equal(last.MillisBehindLatest, 0);
    sub.abort.abort();
    assert.equal(await nextEvent(sub), 'done');
  });

  void it('starts at TRIM_HORIZON, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP', async () => {
    const { value: s } = await createTestStream(plane, 'positions', 1);
    const c = await activeConsumer(plane, s.arn, 'positions-c');
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push(await put(plane, 'positions', `r${i}`));
      plane.clock.advance(1000);
    }
    const t2 = plane.clock.now() - 3000; // arrival time of r2
    const cases: Array<[Parameters<typeof subscribe>[3], string[]]> = [
      [{ Type: 'TRIM_HORIZON' }, ['r0', 'r1', 'r2', 'r3', 'r4']],
      [{ Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: seqs[1] }, ['r1', 'r2', 'r3', 'r4']],
      [{ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: seqs[1] }, ['r2', 'r3', 'r4']],
      [{ Type: 'AT_TIMESTAMP', Timestamp: new Date(t2) }, ['r2', 'r3', 'r4']],
    ];
    for (const [position, expected] of cases) {
      const sub = await subscribe(plane, c, 'shardId-000000000000', position);
      const { data } = await collect(sub, expected.length);
      assert.deepEqual(data, expected, position.Type);
      sub.abort.abort();
      plane.clock.advance(5000);
    }
  });

  void it('resumes from ContinuationSequenceNumber without losing or duplicating records', async () => {
    const { value: s } = await createTestStream(plane, 'resume', 1);
    const c = await activeConsumer(plane, s.arn, 'resume-c');
    // Heartbeat continuation of an empty shard resumes at its first record.
    let sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'TRIM_HORIZON' });
    const hb = await nextEvent(sub);
    assert.ok(hb !== 'done' && hb.ContinuationSequenceNumber !== undefined);
    let continuation = hb.ContinuationSequenceNumber;
    sub.abort.abort();
    const all: string[] = [];
    const seen: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 7; i++) {
        const v = `${round}-${i}`;
        all.push(v);
        await put(plane, 'resume', v);
      }
      plane.clock.advance(5000);
      sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: continuation });
      // Take a few records (not necessarily all), then leave.
      const e = await nextDataEvent(sub);
      assert.ok(e !== 'done' && e.ContinuationSequenceNumber !== undefined);
      for (const r of e.Records) seen.push(Buffer.from(r.Data).toString());
      continuation = e.ContinuationSequenceNumber;
      sub.abort.abort();
    }
    plane.clock.advance(5000);
    sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: continuation });
    const rest = all.length - seen.length;
    if (rest > 0) seen.push(...(await collect(sub, rest)).data);
    assert.deepEqual(seen, all);
  });

  void it('refuses a second subscription within 5 s, then lets it take over', async () => {
    const first = await subscribe(plane, consumer, 'shardId-000000000000', { Type: 'LATEST' });
    await nextEvent(first);
    plane.clock.advance(4999);
    await assert.rejects(
      subscribe(plane, consumer, 'shardId-000000000000', { Type: 'LATEST' }),
      isError('ResourceInUseException'),
    );
    plane.clock.advance(1);
    const second = await subscribe(plane, consumer, 'shardId-000000000000', { Type: 'LATEST' });
    await assert.rejects(first.iterator.next(), isError('ResourceInUseException', /taken over/));
    assert.notEqual(await nextEvent(second), 'done');
    second.abort.abort();
    plane.clock.advance(5000);
  });

  void it('ends cleanly after 5 minutes', async () => {
    const c = await freshConsumer();
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    assert.notEqual(await nextEvent(sub), 'done');
    plane.clock.advance(299_000);
    assert.notEqual(await nextEvent(sub), 'done');
    plane.clock.advance(1_000);
    let result = await nextEvent(sub);
    // At most one heartbeat may already have been in flight.
    if (result !== 'done') result = await nextEvent(sub);
    assert.equal(result, 'done');
  });

  void it('sends heartbeats with no records and the continuation while idle', async () => {
    const c = await freshConsumer();
    const seq = await put(plane, 'fan', 'before');
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    for (let i = 0; i < 3; i++) {
      const e = await nextEvent(sub, 1000);
      assert.ok(e !== 'done');
      assert.deepEqual(e.Records, []);
      assert.equal(e.ContinuationSequenceNumber, seq);
      assert.equal(e.MillisBehindLatest, 0);
    }
    sub.abort.abort();
  });

  void it('ends a split parent with ChildShards and no continuation, after its last records', async () => {
    const { value: s } = await createTestStream(plane, 'split', 1);
    const c = await activeConsumer(plane, s.arn, 'split-c');
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'TRIM_HORIZON' });
    await put(plane, 'split', 'x');
    await put(plane, 'split', 'y');
    assert.deepEqual((await collect(sub, 2)).data, ['x', 'y']);
    await splitShard(plane, 'split', 'shardId-000000000000', 1n << 127n);
    const end = await nextDataEvent(sub);
    assert.ok(end !== 'done');
    assert.equal(end.ContinuationSequenceNumber, undefined);
    assert.deepEqual(end.Records, []);
    assert.deepEqual(
      end.ChildShards?.map((c) => [c.ShardId, c.ParentShards]),
      [
        ['shardId-000000000001', ['shardId-000000000000']],
        ['shardId-000000000002', ['shardId-000000000000']],
      ],
    );
    assert.equal(end.ChildShards?.[1].HashKeyRange.StartingHashKey, (1n << 127n).toString());
    assert.equal(await nextEvent(sub), 'done');
    // Subscribing to the closed shard again delivers its records and the same end.
    plane.clock.advance(5000);
    const again = await subscribe(plane, c, 'shardId-000000000000', { Type: 'TRIM_HORIZON' });
    assert.deepEqual((await collect(again, 2)).data, ['x', 'y']);
    const end2 = await nextDataEvent(again);
    assert.ok(end2 !== 'done' && end2.ChildShards?.length === 2 && end2.ContinuationSequenceNumber === undefined);
  });

  void it('ends merged parents with the one child naming both parents', async () => {
    const { value: s } = await createTestStream(plane, 'merge', 2);
    const c = await activeConsumer(plane, s.arn, 'merge-c');
    const a = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    const b = await subscribe(plane, c, 'shardId-000000000001', { Type: 'LATEST' });
    await nextEvent(a);
    await nextEvent(b);
    await mergeShards(plane, 'merge', 'shardId-000000000000', 'shardId-000000000001');
    for (const sub of [a, b]) {
      const end = await nextDataEvent(sub);
      assert.ok(end !== 'done');
      assert.equal(end.ContinuationSequenceNumber, undefined);
      assert.deepEqual(end.ChildShards?.map((x) => [x.ShardId, x.ParentShards]), [
        ['shardId-000000000002', ['shardId-000000000000', 'shardId-000000000001']],
      ]);
    }
  });

  void it('ends live subscriptions with ResourceNotFoundException when the consumer is deregistered', async () => {
    const c = await freshConsumer();
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    await nextEvent(sub);
    await deregisterStreamConsumer(plane.fan, { ConsumerARN: c }, plane.ctx);
    await assert.rejects(sub.iterator.next(), isError('ResourceNotFoundException'));
  });

  void it('ends live subscriptions with ResourceNotFoundException when the stream is deleted', async () => {
    const created = await createTestStream(plane, 'doomed', 1);
    const c = await activeConsumer(plane, created.value.arn, 'doomed-c');
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    await nextEvent(sub);
    const current = await plane.env.streams.resolve(plane.ctx, { StreamName: 'doomed' });
    await plane.env.streams.replace(current, { ...current.value, status: StreamStatus.DELETING, statusReadyAtMs: plane.clock.now() });
    await assert.rejects(
      (async () => {
        while (true) await nextEvent(sub, 1000);
      })(),
      isError('ResourceNotFoundException'),
    );
    // Its consumers went with it.
    assert.deepEqual(await plane.fan.consumers.listOfStream(created.value), []);
  });

  void it('rejects bad requests before streaming', async () => {
    const { ConsumerARN: creating } = (
      await registerStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'not-yet' }, plane.ctx)
    ).Consumer;
    await assert.rejects(subscribe(plane, creating, 'shardId-000000000000', { Type: 'LATEST' }), isError('ResourceInUseException', /not ACTIVE/));
    const c = await freshConsumer();
    await assert.rejects(subscribe(plane, c, 'shardId-000000000009', { Type: 'LATEST' }), isError('ResourceNotFoundException'));
    await assert.rejects(subscribe(plane, `${c}9`, 'shardId-000000000000', { Type: 'LATEST' }), isError('ResourceNotFoundException'));
    await assert.rejects(
      subscribe(plane, c, 'shardId-000000000000', { Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: '12345' }),
      isError('InvalidArgumentException'),
    );
    await assert.rejects(subscribe(plane, c, 'shardId-000000000000', { Type: 'AT_SEQUENCE_NUMBER' }), isError('InvalidArgumentException'));
    // A sequence number of another stream's shard.
    const other = await createTestStream(plane, 'other', 1);
    const seq = (await putRecord(plane.dp, { StreamName: 'other', PartitionKey: 'k', Data: Buffer.from('z') }, plane.ctx)).SequenceNumber;
    assert.ok(decodeSequenceNumber(seq));
    assert.ok(other);
    await assert.rejects(
      subscribe(plane, c, 'shardId-000000000000', { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: seq }),
      isError('InvalidArgumentException'),
    );
    // None of the failures counted as a subscription: this one is not refused by the 5-second rule.
    const ok = await subscribe(plane, c, 'shardId-000000000000', { Type: 'LATEST' });
    ok.abort.abort();
  });

  void it('delivers every record exactly once to 20 consumers × 4 shards', async () => {
    const { value: s } = await createTestStream(plane, 'wide', 4);
    const subs: Array<{ shard: number; sub: Subscribed }> = [];
    for (let i = 0; i < 20; i++) {
      const c = await activeConsumer(plane, s.arn, `wide-${i}`);
      for (let shard = 0; shard < 4; shard++) {
        subs.push({ shard, sub: await subscribe(plane, c, `shardId-00000000000${shard}`, { Type: 'TRIM_HORIZON' }) });
      }
    }
    const perShard: string[][] = [[], [], [], []];
    const quarter = (1n << 126n).toString();
    for (let i = 0; i < 200; i++) {
      const shard = i % 4;
      const v = `m${i}`;
      perShard[shard].push(v);
      await put(plane, 'wide', v, (BigInt(quarter) * BigInt(shard)).toString());
    }
    await Promise.all(
      subs.map(async ({ shard, sub }) => {
        const { data } = await collect(sub, perShard[shard].length);
        assert.deepEqual(data, perShard[shard]);
        sub.abort.abort();
      }),
    );
  });
});

void describe('SubscribeToShard read limit', () => {
  let plane: FanOutPlane;
  before(async () => {
    plane = await openFanOutPlane({ limits: true });
  });
  after(() => plane.close());

  void it('holds a consumer to 2 MiB/s per shard', async () => {
    const { value: s } = await createTestStream(plane, 'big', 1);
    const c = await activeConsumer(plane, s.arn, 'big-c');
    const chunk = Buffer.alloc(700 * 1024, 1);
    for (let i = 0; i < 6; i++) {
      await putRecord(plane.dp, { StreamName: 'big', PartitionKey: 'k', Data: chunk }, plane.ctx);
      plane.clock.advance(1000);
    }
    const sub = await subscribe(plane, c, 'shardId-000000000000', { Type: 'TRIM_HORIZON' });
    let bytes = 0;
    let records = 0;
    // Everything readable without the clock moving: at most one second's worth (plus one record of debt).
    let pending: Promise<IteratorResult<EventStreamEvent>> | undefined;
    while (true) {
      pending = sub.iterator.next();
      const r = await Promise.race([pending, new Promise<'idle'>((resolve) => setTimeout(() => resolve('idle'), 300))]);
      if (r === 'idle') break;
      assert.ok(!r.done);
      const e = r.value.SubscribeToShardEvent as ShardEvent;
      for (const rec of e.Records) bytes += rec.Data.length;
      records += e.Records.length;
      pending = undefined;
    }
    assert.ok(bytes <= 2 * 1024 * 1024 + chunk.length, `${bytes} bytes in the first second`);
    assert.ok(records >= 2 && records < 6, `${records} records`);
    plane.clock.advance(2000);
    const r = await pending;
    assert.ok(r && !r.done && (r.value.SubscribeToShardEvent as ShardEvent).Records.length > 0);
    sub.abort.abort();
  });
});
