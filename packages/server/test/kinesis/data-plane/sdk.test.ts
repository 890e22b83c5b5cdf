/**
 * The data plane through @aws-sdk/client-kinesis against a real server (HTTP/2 default handler and
 * HTTP/1.1): byte-exact binary round trips, hash routing, iterator types at boundaries, expired and
 * tampered iterators, ChildShards after SplitShard and MergeShards, throttling and recovery, retention
 * with an injected clock.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { ManualClock } from '../../../src/model/context.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { waitActive } from './support.js';


async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<Shard[]> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitActive(kinesis, name);
  return (await kinesis.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
}

function md5Key(pk: string): bigint {
  return BigInt(`0x${createHash('md5').update(pk, 'utf8').digest('hex')}`);
}

async function errorName(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}

async function iteratorFor(kinesis: KinesisClient, stream: string, shardId: string, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type as 'LATEST', ...extra }));
  assert.ok(out.ShardIterator);
  return out.ShardIterator;
}

void describe('data plane through the JS SDK', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  let h1: KinesisClient;
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, updateStreamMs: 0, limits: false });
    kinesis = server.kinesis();
    h1 = server.kinesis({ http1: true });
  });
  after(() => server.stop());

  void it('round-trips random binary data byte for byte (HTTP/2 and HTTP/1.1), including empty data', async () => {
    await createStream(kinesis, 'bytes', 1);
    const payloads = [Buffer.alloc(0), randomBytes(1), randomBytes(255), randomBytes(4096), randomBytes(200_000), Buffer.from([0, 0xff, 0xfe, 0x0a, 0x0d])];
    const seqs: string[] = [];
    for (const [i, data] of payloads.entries()) {
      const client = i % 2 === 0 ? kinesis : h1;
      const out = await client.send(new PutRecordCommand({ StreamName: 'bytes', PartitionKey: `p${i}`, Data: data }));
      assert.equal(out.ShardId, 'shardId-000000000000');
      assert.equal(out.EncryptionType, 'NONE');
      seqs.push(out.SequenceNumber as string);
    }
    const batch = await h1.send(new PutRecordsCommand({ StreamName: 'bytes', Records: payloads.map((d, i) => ({ PartitionKey: `b${i}`, Data: d })) }));
    assert.equal(batch.FailedRecordCount, 0);
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(kinesis, 'bytes', 'shardId-000000000000', 'TRIM_HORIZON') }));
    assert.equal(out.Records?.length, payloads.length * 2);
    const all = [...payloads, ...payloads];
    out.Records?.forEach((r, i) => {
      assert.ok(Buffer.from(r.Data as Uint8Array).equals(all[i]), `record ${i}`);
      assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
      assert.equal(r.EncryptionType, 'NONE');
    });
    assert.deepEqual(out.Records?.slice(0, payloads.length).map((r) => r.SequenceNumber), seqs);
    assert.equal(out.MillisBehindLatest, 0);
  });

  void it('routes by the MD5 of the partition key and by ExplicitHashKey', async () => {
    const shards = await createStream(kinesis, 'route', 5);
    const rangeOf = (id: string | undefined) => {
      const s = shards.find((x) => x.ShardId === id);
      assert.ok(s?.HashKeyRange);
      return [BigInt(s.HashKeyRange.StartingHashKey as string), BigInt(s.HashKeyRange.EndingHashKey as string)] as const;
    };
    const keys = Array.from({ length: 100 }, (_, i) => `user-${i}-${randomBytes(3).toString('hex')}`);
    const out = await h1.send(new PutRecordsCommand({ StreamName: 'route', Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(k) })) }));
    out.Records?.forEach((r, i) => {
      const [lo, hi] = rangeOf(r.ShardId);
      const h = md5Key(keys[i]);
      assert.ok(lo <= h && h <= hi, `${keys[i]} in ${r.ShardId}`);
    });
    for (const s of shards) {
      const start = s.HashKeyRange?.StartingHashKey as string;
      const put = await kinesis.send(new PutRecordCommand({ StreamName: 'route', PartitionKey: 'x', ExplicitHashKey: start, Data: Buffer.from('e') }));
      assert.equal(put.ShardId, s.ShardId);
    }
  });

  void it('iterator types at boundaries', async () => {
    await createStream(kinesis, 'bounds', 1);
    const shard = 'shardId-000000000000';
    const puts: { seq: string; at: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await kinesis.send(new PutRecordCommand({ StreamName: 'bounds', PartitionKey: 'k', Data: Buffer.from(`r${i}`) }));
      const rec = (await kinesis.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(kinesis, 'bounds', shard, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: out.SequenceNumber }), Limit: 1 }))).Records?.[0];
      puts.push({ seq: out.SequenceNumber as string, at: rec?.ApproximateArrivalTimestamp?.getTime() as number });
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const read = async (type: string, extra: Record<string, unknown> = {}) =>
      ((await kinesis.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(kinesis, 'bounds', shard, type, extra) }))).Records ?? []).map((r) => Buffer.from(r.Data as Uint8Array).toString());
    assert.deepEqual(await read('TRIM_HORIZON'), ['r0', 'r1', 'r2']);
    assert.deepEqual(await read('LATEST'), []);
    assert.deepEqual(await read('AT_SEQUENCE_NUMBER', { StartingSequenceNumber: puts[0].seq }), ['r0', 'r1', 'r2']);
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: puts[0].seq }), ['r1', 'r2']);
    assert.deepEqual(await read('AT_SEQUENCE_NUMBER', { StartingSequenceNumber: puts[2].seq }), ['r2']);
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: puts[2].seq }), []);
    assert.deepEqual(await read('AT_TIMESTAMP', { Timestamp: new Date(puts[0].at - 60_000) }), ['r0', 'r1', 'r2']);
    assert.deepEqual(await read('AT_TIMESTAMP', { Timestamp: new Date(puts[0].at) }), ['r0', 'r1', 'r2']);
    assert.deepEqual(await read('AT_TIMESTAMP', { Timestamp: new Date(puts[0].at + 1) }), ['r1', 'r2']);
    assert.deepEqual(await read('AT_TIMESTAMP', { Timestamp: new Date(puts[2].at + 1) }), []);
    const missing = await errorName(kinesis.send(new GetShardIteratorCommand({ StreamName: 'bounds', ShardId: shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER' })));
    assert.equal(missing.name, 'InvalidArgumentException');
    const other = await createStream(kinesis, 'bounds2', 1);
    const foreign = await kinesis.send(new PutRecordCommand({ StreamName: 'bounds2', PartitionKey: 'k', Data: Buffer.from('z') }));
    const bad = await errorName(iteratorFor(kinesis, 'bounds', shard, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: foreign.SequenceNumber }));
    assert.equal(bad.name, 'InvalidArgumentException');
    assert.match(bad.message, /used in GetShardIterator on shard shardId-000000000000 in stream bounds under account \d{12} is invalid\./);
    assert.equal(other.length, 1);
  });

  void it('tampered iterators are InvalidArgumentException', async () => {
    const it1 = await iteratorFor(kinesis, 'bounds', 'shardId-000000000000', 'TRIM_HORIZON');
    const raw = Buffer.from(it1, 'base64');
    raw[raw.length - 20] ^= 0x40;
    const e = await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: raw.toString('base64') })));
    assert.equal(e.name, 'InvalidArgumentException');
    assert.equal(e.message, 'Invalid ShardIterator.');
  });

  void it('ChildShards at the end of a split parent and of merged parents; children readable', async () => {
    const shards = await createStream(kinesis, 'reshard', 2);
    const s0 = shards[0];
    await h1.send(new PutRecordsCommand({ StreamName: 'reshard', Records: [1, 2, 3].map((i) => ({ PartitionKey: 'p', ExplicitHashKey: String(i), Data: Buffer.from(`p${i}`) })) }));
    const mid = (BigInt(s0.HashKeyRange?.EndingHashKey as string) + 1n) / 2n;
    await kinesis.send(new SplitShardCommand({ StreamName: 'reshard', ShardToSplit: s0.ShardId, NewStartingHashKey: mid.toString() }));
    await waitActive(kinesis, 'reshard');
    const child = await kinesis.send(new PutRecordCommand({ StreamName: 'reshard', PartitionKey: 'p', ExplicitHashKey: '1', Data: Buffer.from('c1') }));
    assert.notEqual(child.ShardId, s0.ShardId);

    let it1: string | undefined = await iteratorFor(kinesis, 'reshard', s0.ShardId as string, 'TRIM_HORIZON');
    const seen: string[] = [];
    let last;
    for (let i = 0; i < 5 && it1; i++) {
      last = await kinesis.send(new GetRecordsCommand({ ShardIterator: it1, Limit: 2 }));
      seen.push(...(last.Records ?? []).map((r) => Buffer.from(r.Data as Uint8Array).toString()));
      if (last.NextShardIterator) assert.equal(last.ChildShards, undefined);
      it1 = last.NextShardIterator;
    }
    assert.deepEqual(seen, ['p1', 'p2', 'p3']);
    assert.equal(last?.NextShardIterator, undefined);
    const children = last?.ChildShards ?? [];
    assert.equal(children.length, 2);
    for (const c of children) assert.deepEqual(c.ParentShards, [s0.ShardId]);
    assert.equal(children[0].HashKeyRange?.StartingHashKey, '0');
    assert.equal(children[1].HashKeyRange?.StartingHashKey, mid.toString());
    const fromChild = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(kinesis, 'reshard', children[0].ShardId as string, 'TRIM_HORIZON') }));
    assert.deepEqual(fromChild.Records?.map((r) => Buffer.from(r.Data as Uint8Array).toString()), ['c1']);

    // Merge the upper child with the stream's other original shard.
    const upper = children[1].ShardId as string;
    await kinesis.send(new MergeShardsCommand({ StreamName: 'reshard', ShardToMerge: upper, AdjacentShardToMerge: shards[1].ShardId }));
    await waitActive(kinesis, 'reshard');
    for (const parent of [upper, shards[1].ShardId as string]) {
      const end = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(kinesis, 'reshard', parent, 'TRIM_HORIZON') }));
      assert.equal(end.NextShardIterator, undefined);
      assert.equal(end.ChildShards?.length, 1);
      assert.deepEqual([...(end.ChildShards?.[0].ParentShards ?? [])].sort(), [upper, shards[1].ShardId].sort());
      assert.equal(end.ChildShards?.[0].HashKeyRange?.StartingHashKey, mid.toString());
    }
  });
});

void describe('limits through the JS SDK', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, limits: true });
    kinesis = server.kinesis({ http1: true });
  });
  after(() => server.stop());

  void it('PutRecords beyond 1,000 records/s fails per entry; the shard recovers after a second', async () => {
    await createStream(kinesis, 'hot', 1);
    const batch = () => ({ StreamName: 'hot', Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from('x') })) });
    let failed = 0;
    let ok = 0;
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      const out = await kinesis.send(new PutRecordsCommand(batch()));
      failed += out.FailedRecordCount ?? 0;
      for (const r of out.Records ?? []) {
        if (r.ErrorCode) {
          assert.equal(r.ErrorCode, 'ProvisionedThroughputExceededException');
          assert.match(r.ErrorMessage ?? '', /^Rate exceeded for shard shardId-000000000000 in stream hot under account \d{12}\.$/);
        } else {
          ok++;
        }
      }
    }
    const elapsedMs = Date.now() - started;
    // A burst of one second's quota plus what refilled (1 record per ms) while the calls ran.
    assert.ok(ok <= 1000 + elapsedMs + 5, `ok ${ok} in ${elapsedMs} ms`);
    assert.ok(failed > 0);
    assert.equal(ok + failed, 2000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await kinesis.send(new PutRecordsCommand(batch()));
    assert.equal(again.FailedRecordCount, 0);
    // 1 MiB/s: a second 900 KB record right after the first fails as a whole call.
    await kinesis.send(new PutRecordCommand({ StreamName: 'hot', PartitionKey: 'k', Data: Buffer.alloc(900_000) }));
    const e = await errorName(kinesis.send(new PutRecordCommand({ StreamName: 'hot', PartitionKey: 'k', Data: Buffer.alloc(900_000) })));
    assert.equal(e.name, 'ProvisionedThroughputExceededException');
    assert.match(e.message, /^Rate exceeded for shard shardId-000000000000 in stream hot under account \d{12}\.$/);
  });

  void it('GetRecords beyond 5 calls/s is throttled, then recovers', async () => {
    const it1 = await iteratorFor(kinesis, 'hot', 'shardId-000000000000', 'LATEST');
    const results: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        await kinesis.send(new GetRecordsCommand({ ShardIterator: it1 }));
        results.push('ok');
      } catch (err) {
        results.push((err as Error).name);
      }
    }
    assert.ok(results.includes('ProvisionedThroughputExceededException'), results.join(','));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await kinesis.send(new GetRecordsCommand({ ShardIterator: it1 }));
  });
});

void describe('time-driven behaviour through the JS SDK (ManualClock)', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  const clock = new ManualClock(Date.now());
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, limits: false, clock });
    kinesis = server.kinesis({ http1: true });
  });
  after(() => server.stop());

  void it('iterators expire after 5 minutes; retention hides old records', async () => {
    await createStream(kinesis, 'timed', 1);
    await kinesis.send(new PutRecordCommand({ StreamName: 'timed', PartitionKey: 'k', Data: Buffer.from('old') }));
    const it1 = await iteratorFor(kinesis, 'timed', 'shardId-000000000000', 'TRIM_HORIZON');
    clock.advance(300_001);
    const e = await errorName(kinesis.send(new GetRecordsCommand({ ShardIterator: it1 })));
    assert.equal(e.name, 'ExpiredIteratorException');
    assert.match(e.message, /^Iterator expired\. The iterator was created at time \d+ while right now it is \d+ which is further in the future than the tolerated delay of 300000 milliseconds\.$/);
    clock.advance(23 * 3600_000);
    await kinesis.send(new PutRecordCommand({ StreamName: 'timed', PartitionKey: 'k', Data: Buffer.from('new') }));
    clock.advance(3600_000);
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(kinesis, 'timed', 'shardId-000000000000', 'TRIM_HORIZON') }));
    assert.deepEqual(out.Records?.map((r) => Buffer.from(r.Data as Uint8Array).toString()), ['new']);
  });
});
