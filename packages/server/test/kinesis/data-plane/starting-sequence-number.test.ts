/**
 * A shard's SequenceNumberRange through @aws-sdk/client-kinesis against a real server:
 * StartingSequenceNumber is before the shard's first record, so GetShardIterator AT_SEQUENCE_NUMBER and
 * AFTER_SEQUENCE_NUMBER with it both start at record 0 — on a fresh stream, on an empty shard that gets
 * its first record later, and on a child shard after a split — and SubscribeToShard does the same
 * (including resuming AFTER the continuation of a subscription that has delivered nothing). A closed
 * shard's EndingSequenceNumber is its last record. Numbers issued by the legacy v2 layout (before the
 * upgrade) still position iterators and subscriptions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient, Shard, StartingPosition, SubscribeToShardEvent } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { compareSequenceNumbers, decodeSequenceNumber, encodeLegacySequenceNumber } from '../../../src/kinesis/sequence-number.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { waitActive } from './support.js';

let server: TestServer;
let kinesis: KinesisClient;

before(async () => {
  server = await startTestServer({ createStreamMs: 0, updateStreamMs: 0, consumerMs: 0, limits: false });
  kinesis = server.kinesis();
});
after(() => server.stop());

async function createStream(name: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitActive(kinesis, name);
}

async function listShards(name: string): Promise<Shard[]> {
  return (await kinesis.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
}

function shardById(shards: Shard[], id: string): Shard {
  const s = shards.find((x) => x.ShardId === id);
  assert.ok(s, id);
  return s;
}

async function put(stream: string, data: string, hashKey = '0'): Promise<string> {
  const out = await kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'pk', ExplicitHashKey: hashKey, Data: Buffer.from(data) }));
  assert.ok(out.SequenceNumber);
  return out.SequenceNumber;
}

type SequenceType = 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

async function iterator(stream: string, shardId: string, type: SequenceType, seq: string): Promise<string> {
  const out = await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, StartingSequenceNumber: seq }));
  assert.ok(out.ShardIterator);
  return out.ShardIterator;
}

interface Read {
  readonly texts: string[];
  readonly seqs: string[];
  readonly next: string | undefined;
  readonly childShards: string[];
}

async function read(shardIterator: string): Promise<Read> {
  const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: shardIterator }));
  return {
    texts: (out.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString()),
    seqs: (out.Records ?? []).map((r) => r.SequenceNumber ?? ''),
    next: out.NextShardIterator,
    childShards: (out.ChildShards ?? []).map((c) => c.ShardId ?? ''),
  };
}

async function readFrom(stream: string, shardId: string, type: SequenceType, seq: string): Promise<string[]> {
  return (await read(await iterator(stream, shardId, type, seq))).texts;
}

void describe('StartingSequenceNumber and EndingSequenceNumber with GetShardIterator (SDK)', () => {
  void it('AT and AFTER the StartingSequenceNumber of a fresh stream both start at the first record', async () => {
    await createStream('fresh', 2);
    const shard = (await listShards('fresh'))[0];
    const start = shard.SequenceNumberRange?.StartingSequenceNumber;
    assert.ok(start);
    assert.equal(shard.SequenceNumberRange?.EndingSequenceNumber, undefined);
    const seqs = [await put('fresh', 'r0'), await put('fresh', 'r1'), await put('fresh', 'r2')];
    assert.deepEqual(await readFrom('fresh', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', start), ['r0', 'r1', 'r2']);
    assert.deepEqual(await readFrom('fresh', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', start), ['r0', 'r1', 'r2']);
    // The start is below every record of the shard; a record's own number still works as before.
    for (const s of seqs) assert.equal(compareSequenceNumbers(start, s), -1);
    assert.deepEqual(await readFrom('fresh', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', seqs[0]), ['r0', 'r1', 'r2']);
    assert.deepEqual(await readFrom('fresh', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', seqs[0]), ['r1', 'r2']);
    assert.deepEqual(await readFrom('fresh', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', seqs[2]), []);
    // The other shard's start is not a number of this shard.
    const other = (await listShards('fresh'))[1].SequenceNumberRange?.StartingSequenceNumber;
    const err = await iterator('fresh', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', other ?? '').catch((e: unknown) => e);
    assert.equal((err as Error).name, 'InvalidArgumentException');
  });

  void it('an iterator AFTER the StartingSequenceNumber of an empty shard returns its first record once written', async () => {
    await createStream('empty', 1);
    const start = (await listShards('empty'))[0].SequenceNumberRange?.StartingSequenceNumber;
    assert.ok(start);
    const first = await read(await iterator('empty', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', start));
    assert.deepEqual(first.texts, []);
    assert.ok(first.next);
    await put('empty', 'first');
    assert.deepEqual((await read(first.next)).texts, ['first']);
    assert.deepEqual(await readFrom('empty', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', start), ['first']);
  });

  void it('after a split: the children start at their first record, the parent ends at its last', async () => {
    await createStream('split', 1);
    await put('split', 'p0');
    const lastOfParent = await put('split', 'p1');
    const mid = (2n ** 127n).toString();
    await kinesis.send(new SplitShardCommand({ StreamName: 'split', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: mid }));
    await waitActive(kinesis, 'split');
    const shards = await listShards('split');
    const parent = shardById(shards, 'shardId-000000000000');
    const low = shardById(shards, 'shardId-000000000001');
    const high = shardById(shards, 'shardId-000000000002');
    const ending = parent.SequenceNumberRange?.EndingSequenceNumber;
    assert.equal(ending, lastOfParent);
    assert.deepEqual(await readFrom('split', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', ending ?? ''), ['p1']);
    const afterEnd = await read(await iterator('split', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', ending ?? ''));
    assert.deepEqual(afterEnd.texts, []);
    assert.equal(afterEnd.next, undefined);
    assert.deepEqual(afterEnd.childShards.sort(), ['shardId-000000000001', 'shardId-000000000002']);

    const lowSeqs = [await put('split', 'l0', '1'), await put('split', 'l1', '2')];
    const highSeqs = [await put('split', 'h0', mid)];
    for (const [child, texts, seqs] of [
      [low, ['l0', 'l1'], lowSeqs],
      [high, ['h0'], highSeqs],
    ] as const) {
      const start = child.SequenceNumberRange?.StartingSequenceNumber;
      assert.ok(start);
      assert.equal(compareSequenceNumbers(start, ending ?? ''), 1);
      assert.equal(compareSequenceNumbers(start, seqs[0]), -1);
      assert.deepEqual(await readFrom('split', child.ShardId ?? '', 'AFTER_SEQUENCE_NUMBER', start), texts);
      assert.deepEqual(await readFrom('split', child.ShardId ?? '', 'AT_SEQUENCE_NUMBER', start), texts);
    }
  });

  void it('a shard closed before its first record ends at its start: reading from either gives the shard end', async () => {
    await createStream('closed-empty', 1);
    await kinesis.send(new SplitShardCommand({ StreamName: 'closed-empty', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 127n).toString() }));
    await waitActive(kinesis, 'closed-empty');
    const parent = shardById(await listShards('closed-empty'), 'shardId-000000000000');
    const range = parent.SequenceNumberRange;
    assert.ok(range?.EndingSequenceNumber);
    assert.equal(range.EndingSequenceNumber, range.StartingSequenceNumber);
    for (const type of ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const) {
      const r = await read(await iterator('closed-empty', 'shardId-000000000000', type, range.EndingSequenceNumber));
      assert.deepEqual(r.texts, []);
      assert.equal(r.next, undefined);
      assert.equal(r.childShards.length, 2);
    }
  });

  void it('numbers issued before the upgrade (legacy v2 layout) still position iterators', async () => {
    await createStream('legacy', 1);
    const start = (await listShards('legacy'))[0].SequenceNumberRange?.StartingSequenceNumber;
    const salt = decodeSequenceNumber(start ?? '')?.salt;
    assert.ok(salt !== undefined);
    for (const t of ['r0', 'r1', 'r2']) await put('legacy', t);
    // What the v2 server handed out for records 0 and 1, and SubscribeToShard's old "before the first record".
    const v2 = [encodeLegacySequenceNumber(0, 0, salt), encodeLegacySequenceNumber(0, 1, salt)];
    const v2Start = (BigInt(v2[0]) - 1n).toString();
    assert.deepEqual(await readFrom('legacy', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', v2[1]), ['r1', 'r2']);
    assert.deepEqual(await readFrom('legacy', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', v2[1]), ['r2']);
    assert.deepEqual(await readFrom('legacy', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', v2[0]), ['r1', 'r2']);
    assert.deepEqual(await readFrom('legacy', 'shardId-000000000000', 'AFTER_SEQUENCE_NUMBER', v2Start), ['r0', 'r1', 'r2']);
    // A v2 number of a record the shard does not have yet is refused, as any number beyond the tip.
    const ahead = await iterator('legacy', 'shardId-000000000000', 'AT_SEQUENCE_NUMBER', encodeLegacySequenceNumber(0, 3, salt)).catch((e: unknown) => e);
    assert.equal((ahead as Error).name, 'InvalidArgumentException');
  });
});

void describe('StartingSequenceNumber with SubscribeToShard (SDK)', () => {
  let consumers = 0;
  let streamArn: string;

  async function consumer(): Promise<string> {
    const out = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `c${consumers++}` }));
    const arn = out.Consumer?.ConsumerARN;
    assert.ok(arn);
    for (let i = 0; i < 300; i++) {
      const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
      if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') return arn;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('consumer did not become ACTIVE');
  }

  /** Subscribe with a fresh consumer; collect events until `done` holds (or 5 s), then close. */
  async function subscribe(shardId: string, position: StartingPosition, done: (events: SubscribeToShardEvent[]) => boolean): Promise<SubscribeToShardEvent[]> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000);
    const events: SubscribeToShardEvent[] = [];
    try {
      const out = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: await consumer(), ShardId: shardId, StartingPosition: position }), {
        abortSignal: abort.signal,
      });
      assert.ok(out.EventStream);
      for await (const e of out.EventStream) {
        if (e.SubscribeToShardEvent) events.push(e.SubscribeToShardEvent);
        if (done(events)) break;
      }
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    return events;
  }

  const texts = (events: SubscribeToShardEvent[]): string[] => events.flatMap((e) => (e.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString()));

  before(async () => {
    await createStream('fan', 1);
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'fan' }))).StreamDescriptionSummary;
    assert.ok(s?.StreamARN);
    streamArn = s.StreamARN;
  });

  void it('continues AFTER the StartingSequenceNumber when nothing was delivered, then AFTER delivers record 0', async () => {
    const start = (await listShards('fan'))[0].SequenceNumberRange?.StartingSequenceNumber;
    assert.ok(start);
    // An empty shard: the first (heartbeat) event's continuation is the shard's start.
    const idle = await subscribe('shardId-000000000000', { Type: 'TRIM_HORIZON' }, (e) => e.length >= 1);
    assert.equal(idle[0].ContinuationSequenceNumber, start);
    assert.deepEqual(idle[0].Records, []);
    await put('fan', 'r0');
    await put('fan', 'r1');
    for (const type of ['AFTER_SEQUENCE_NUMBER', 'AT_SEQUENCE_NUMBER'] as const) {
      const events = await subscribe('shardId-000000000000', { Type: type, SequenceNumber: start }, (e) => texts(e).length >= 2);
      assert.deepEqual(texts(events), ['r0', 'r1'], type);
    }
  });

  void it('a legacy v2 "before the first record" continuation still resumes at record 0', async () => {
    const start = (await listShards('fan'))[0].SequenceNumberRange?.StartingSequenceNumber;
    const salt = decodeSequenceNumber(start ?? '')?.salt;
    assert.ok(salt !== undefined);
    const v2Start = (BigInt(encodeLegacySequenceNumber(0, 0, salt)) - 1n).toString();
    const events = await subscribe('shardId-000000000000', { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: v2Start }, (e) => texts(e).length >= 2);
    assert.deepEqual(texts(events).slice(0, 2), ['r0', 'r1']);
    const fromV2Record = await subscribe(
      'shardId-000000000000',
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: encodeLegacySequenceNumber(0, 0, salt) },
      (e) => texts(e).length >= 1,
    );
    assert.deepEqual(texts(fromV2Record).slice(0, 1), ['r1']);
  });
});
