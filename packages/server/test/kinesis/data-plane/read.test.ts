/**
 * GetShardIterator / GetRecords called directly (memory storage, ManualClock): every iterator type at
 * its boundaries, AWS's validation messages, expiry and tampering, limits of one call, shard end with
 * ChildShards after split and merge, retention, read limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '../../../src/model/service-error.js';
import { MAX_HASH_KEY } from '../../../src/kinesis/hash-key.js';
import { getRecords } from '../../../src/kinesis/operations/get-records.js';
import type { GetRecordsOutput } from '../../../src/kinesis/operations/get-records.js';
import { getShardIterator } from '../../../src/kinesis/operations/get-shard-iterator.js';
import type { GetShardIteratorInput } from '../../../src/kinesis/operations/get-shard-iterator.js';
import { putRecord } from '../../../src/kinesis/operations/put-record.js';
import { putRecords } from '../../../src/kinesis/operations/put-records.js';
import { ShardIteratorCodec } from '../../../src/kinesis/shard-iterator.js';
import type { TestPlane } from './support.js';
import { createTestStream, mergeShards, openTestPlane, splitShard } from './support.js';

function isError(code: string, message?: RegExp | string): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };
}

async function iterator(plane: TestPlane, input: Omit<GetShardIteratorInput, 'ShardId'> & { ShardId?: string }): Promise<string> {
  const out = await getShardIterator(plane.dp, { ShardId: 'shardId-000000000000', ...input } as GetShardIteratorInput, plane.ctx);
  assert.ok(out.ShardIterator);
  return out.ShardIterator;
}

function texts(out: GetRecordsOutput): string[] {
  return out.Records.map((r) => Buffer.from(r.Data).toString());
}

void describe('GetShardIterator + GetRecords', () => {
  let plane: TestPlane;
  let seqs: string[];
  let t0: number;
  before(async () => {
    plane = await openTestPlane();
    await createTestStream(plane, 'r', 1);
    t0 = plane.clock.now();
    seqs = [];
    for (let i = 0; i < 3; i++) {
      const out = await putRecord(plane.dp, { StreamName: 'r', PartitionKey: `k${i}`, Data: Buffer.from(`rec${i}`) }, plane.ctx);
      seqs.push(out.SequenceNumber);
      plane.clock.advance(10);
    }
    // arrivals: t0, t0+10, t0+20; now = t0+30
  });
  after(() => plane.close());

  void it('TRIM_HORIZON reads every record with its fields', async () => {
    const out = await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'r', ShardIteratorType: 'TRIM_HORIZON' }) }, plane.ctx);
    assert.deepEqual(texts(out), ['rec0', 'rec1', 'rec2']);
    assert.deepEqual(out.Records.map((r) => r.SequenceNumber), seqs);
    assert.deepEqual(out.Records.map((r) => r.PartitionKey), ['k0', 'k1', 'k2']);
    assert.deepEqual(out.Records.map((r) => r.ApproximateArrivalTimestamp?.getTime()), [t0, t0 + 10, t0 + 20]);
    assert.ok(out.Records.every((r) => r.EncryptionType === 'NONE'));
    assert.equal(out.MillisBehindLatest, 0);
    assert.ok(out.NextShardIterator);
    assert.equal(out.ChildShards, undefined);
    const next = await getRecords(plane.dp, { ShardIterator: out.NextShardIterator }, plane.ctx);
    assert.deepEqual(next.Records, []);
    assert.ok(next.NextShardIterator);
  });

  void it('LATEST sees only records put after it', async () => {
    const it1 = await iterator(plane, { StreamName: 'r', ShardIteratorType: 'LATEST' });
    assert.deepEqual((await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx)).Records, []);
    const put = await putRecord(plane.dp, { StreamName: 'r', PartitionKey: 'late', Data: Buffer.from('late') }, plane.ctx);
    const out = await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx);
    assert.deepEqual(texts(out), ['late']);
    assert.equal(out.Records[0].SequenceNumber, put.SequenceNumber);
    seqs.push(put.SequenceNumber);
  });

  void it('AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER at the first and last records', async () => {
    const read = async (type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', seq: string) =>
      texts(await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'r', ShardIteratorType: type, StartingSequenceNumber: seq }) }, plane.ctx));
    assert.deepEqual(await read('AT_SEQUENCE_NUMBER', seqs[0]), ['rec0', 'rec1', 'rec2', 'late']);
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER', seqs[0]), ['rec1', 'rec2', 'late']);
    assert.deepEqual(await read('AT_SEQUENCE_NUMBER', seqs[3]), ['late']);
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER', seqs[3]), []);
  });

  void it('AT_TIMESTAMP: before the first, exact, between, after the last, in the future', async () => {
    const read = async (ms: number) =>
      texts(await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'r', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(ms) }) }, plane.ctx));
    assert.deepEqual(await read(t0 - 100_000), ['rec0', 'rec1', 'rec2', 'late']);
    assert.deepEqual(await read(t0), ['rec0', 'rec1', 'rec2', 'late']);
    assert.deepEqual(await read(t0 + 5), ['rec1', 'rec2', 'late']);
    assert.deepEqual(await read(t0 + 10), ['rec1', 'rec2', 'late']);
    assert.deepEqual(await read(t0 + 21), ['late']);
    assert.deepEqual(await read(plane.clock.now()), ['late']);
    plane.clock.advance(1);
    assert.deepEqual(await read(plane.clock.now()), []);
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(plane.clock.now() + 1000) }),
      isError('InvalidArgumentException', /cannot be greater than the currentTimestampInMillis/),
    );
  });

  void it('validates the sequence number and timestamp parameters as AWS does', async () => {
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardIteratorType: 'AT_SEQUENCE_NUMBER' }),
      isError(
        'InvalidArgumentException',
        'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.',
      ),
    );
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardIteratorType: 'TRIM_HORIZON', StartingSequenceNumber: seqs[0] }),
      isError('InvalidArgumentException', /Request specified TRIM_HORIZON and also a StartingSequenceNumber/),
    );
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardIteratorType: 'AT_TIMESTAMP' }),
      isError('InvalidArgumentException', /Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP/),
    );
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: '12345' }),
      isError('InvalidArgumentException', 'StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream r under account 123456789012 is invalid.'),
    );
    // A sequence number of another stream (different salt) is rejected.
    await createTestStream(plane, 'other', 2);
    const foreign = await putRecord(plane.dp, { StreamName: 'other', PartitionKey: 'x', ExplicitHashKey: '0', Data: Buffer.from('x') }, plane.ctx);
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: foreign.SequenceNumber }),
      isError('InvalidArgumentException', /is invalid\.$/),
    );
    // A sequence number of another shard of the same stream.
    const shard1 = await putRecord(plane.dp, { StreamName: 'other', PartitionKey: 'x', ExplicitHashKey: MAX_HASH_KEY.toString(), Data: Buffer.from('y') }, plane.ctx);
    await assert.rejects(
      getShardIterator(plane.dp, { StreamName: 'other', ShardId: 'shardId-000000000000', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: shard1.SequenceNumber }, plane.ctx),
      isError('InvalidArgumentException', 'Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000'),
    );
    await assert.rejects(
      iterator(plane, { StreamName: 'r', ShardId: 'shardId-000000000009', ShardIteratorType: 'LATEST' }),
      isError('ResourceNotFoundException', 'Shard shardId-000000000009 in stream r under account 123456789012 does not exist'),
    );
    await assert.rejects(iterator(plane, { StreamName: 'missing', ShardIteratorType: 'LATEST' }), isError('ResourceNotFoundException'));
  });

  void it('iterators expire after exactly 5 minutes and may be reused until then', async () => {
    const it1 = await iterator(plane, { StreamName: 'r', ShardIteratorType: 'TRIM_HORIZON' });
    const issued = plane.clock.now();
    plane.clock.advance(300_000);
    assert.equal((await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx)).Records.length, 4);
    assert.equal((await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx)).Records.length, 4);
    plane.clock.advance(1);
    await assert.rejects(
      getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx),
      isError(
        'ExpiredIteratorException',
        `Iterator expired. The iterator was created at time ${issued} while right now it is ${issued + 300_001} which is further in the future than the tolerated delay of 300000 milliseconds.`,
      ),
    );
  });

  void it('rejects tampered and foreign iterators with InvalidArgumentException', async () => {
    const good = await iterator(plane, { StreamName: 'r', ShardIteratorType: 'TRIM_HORIZON' });
    assert.ok(good.length <= 512);
    const bytes = Buffer.from(good, 'base64');
    for (const at of [0, 3, 9, 16, 25, bytes.length - 1]) {
      const bad = Buffer.from(bytes);
      bad[at] ^= 0x01;
      await assert.rejects(getRecords(plane.dp, { ShardIterator: bad.toString('base64') }, plane.ctx), isError('InvalidArgumentException', 'Invalid ShardIterator.'));
    }
    await assert.rejects(getRecords(plane.dp, { ShardIterator: 'not-an-iterator' }, plane.ctx), isError('InvalidArgumentException'));
    await assert.rejects(getRecords(plane.dp, { ShardIterator: good.slice(0, -8) }, plane.ctx), isError('InvalidArgumentException'));
    const foreignKey = new ShardIteratorCodec(Buffer.alloc(32, 7));
    const forged = foreignKey.encode({ ...plane.dp.iterators.decode(good, plane.clock.now()) });
    await assert.rejects(getRecords(plane.dp, { ShardIterator: forged }, plane.ctx), isError('InvalidArgumentException'));
  });

  void it('honours Limit and continues with NextShardIterator; MillisBehindLatest counts from the last returned record', async () => {
    let it1: string | undefined = await iterator(plane, { StreamName: 'r', ShardIteratorType: 'TRIM_HORIZON' });
    const got: string[] = [];
    const behind: number[] = [];
    while (it1) {
      const out: GetRecordsOutput = await getRecords(plane.dp, { ShardIterator: it1, Limit: 1 }, plane.ctx);
      if (out.Records.length === 0) break;
      got.push(...texts(out));
      behind.push(out.MillisBehindLatest ?? -1);
      it1 = out.NextShardIterator;
    }
    assert.deepEqual(got, ['rec0', 'rec1', 'rec2', 'late']);
    const now = plane.clock.now();
    assert.equal(behind[0], now - t0);
    assert.equal(behind[3], 0);
  });
});

void describe('shard end after resharding', () => {
  let plane: TestPlane;
  before(async () => {
    plane = await openTestPlane();
    await createTestStream(plane, 'rs', 2);
  });
  after(() => plane.close());

  void it('a split parent ends with ChildShards and no NextShardIterator; children carry on', async () => {
    const half = MAX_HASH_KEY / 2n;
    const quarter = half / 2n;
    await putRecords(plane.dp, { StreamName: 'rs', Records: [0, 1, 2].map((i) => ({ PartitionKey: 'p', ExplicitHashKey: String(i), Data: Buffer.from(`a${i}`) })) }, plane.ctx);
    const early = await iterator(plane, { StreamName: 'rs', ShardIteratorType: 'TRIM_HORIZON' });
    const open = await getRecords(plane.dp, { ShardIterator: early, Limit: 2 }, plane.ctx);
    assert.deepEqual(texts(open), ['a0', 'a1']);
    assert.ok(open.NextShardIterator);
    assert.equal(open.ChildShards, undefined);

    await splitShard(plane, 'rs', 'shardId-000000000000', quarter);
    const after1 = await putRecord(plane.dp, { StreamName: 'rs', PartitionKey: 'p', ExplicitHashKey: '0', Data: Buffer.from('child') }, plane.ctx);
    assert.equal(after1.ShardId, 'shardId-000000000002');

    const rest = await getRecords(plane.dp, { ShardIterator: open.NextShardIterator }, plane.ctx);
    assert.deepEqual(texts(rest), ['a2']);
    assert.equal(rest.NextShardIterator, undefined);
    assert.deepEqual(rest.ChildShards, [
      { ShardId: 'shardId-000000000002', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: (quarter - 1n).toString() } },
      { ShardId: 'shardId-000000000003', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: quarter.toString(), EndingHashKey: half.toString() } },
    ]);
    // A closed shard still gives valid iterators; LATEST on it is at its end.
    const latest = await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'rs', ShardIteratorType: 'LATEST' }) }, plane.ctx);
    assert.deepEqual(latest.Records, []);
    assert.equal(latest.NextShardIterator, undefined);
    assert.equal(latest.ChildShards?.length, 2);
    const child = await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'rs', ShardId: 'shardId-000000000002', ShardIteratorType: 'TRIM_HORIZON' }) }, plane.ctx);
    assert.deepEqual(texts(child), ['child']);
    assert.ok(child.NextShardIterator);
  });

  void it('merged parents both end with the one child listing both parents', async () => {
    await mergeShards(plane, 'rs', 'shardId-000000000003', 'shardId-000000000001');
    for (const parent of ['shardId-000000000003', 'shardId-000000000001']) {
      const out = await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'rs', ShardId: parent, ShardIteratorType: 'TRIM_HORIZON' }) }, plane.ctx);
      assert.equal(out.NextShardIterator, undefined);
      assert.deepEqual(out.ChildShards, [
        {
          ShardId: 'shardId-000000000004',
          ParentShards: ['shardId-000000000003', 'shardId-000000000001'],
          HashKeyRange: { StartingHashKey: (MAX_HASH_KEY / 4n).toString(), EndingHashKey: MAX_HASH_KEY.toString() },
        },
      ]);
    }
  });
});

void describe('retention', () => {
  void it('never returns records older than the retention period; TRIM_HORIZON moves to the first retained', async () => {
    const plane = await openTestPlane();
    try {
      await createTestStream(plane, 'ret', 1, { retentionHours: 24 });
      const seqOld = (await putRecord(plane.dp, { StreamName: 'ret', PartitionKey: 'a', Data: Buffer.from('old') }, plane.ctx)).SequenceNumber;
      const stale = await iterator(plane, { StreamName: 'ret', ShardIteratorType: 'TRIM_HORIZON' });
      plane.clock.advance(12 * 3600_000);
      await putRecord(plane.dp, { StreamName: 'ret', PartitionKey: 'a', Data: Buffer.from('new') }, plane.ctx);
      plane.clock.advance(12 * 3600_000 - 1);
      assert.deepEqual(texts(await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'ret', ShardIteratorType: 'TRIM_HORIZON' }) }, plane.ctx)), ['old', 'new']);
      plane.clock.advance(1);
      assert.deepEqual(texts(await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'ret', ShardIteratorType: 'TRIM_HORIZON' }) }, plane.ctx)), ['new']);
      assert.deepEqual(
        texts(await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'ret', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: seqOld }) }, plane.ctx)),
        ['new'],
      );
      assert.deepEqual(
        texts(await getRecords(plane.dp, { ShardIterator: await iterator(plane, { StreamName: 'ret', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(0) }) }, plane.ctx)),
        ['new'],
      );
      await assert.rejects(getRecords(plane.dp, { ShardIterator: stale }, plane.ctx), isError('ExpiredIteratorException'));
    } finally {
      await plane.close();
    }
  });
});

void describe('read limits (on)', () => {
  void it('5 GetRecords calls per second per shard, then ProvisionedThroughputExceededException; recovers', async () => {
    const plane = await openTestPlane({ limits: true });
    try {
      await createTestStream(plane, 'rl', 1);
      await putRecord(plane.dp, { StreamName: 'rl', PartitionKey: 'a', Data: Buffer.from('x') }, plane.ctx);
      const it1 = await iterator(plane, { StreamName: 'rl', ShardIteratorType: 'TRIM_HORIZON' });
      for (let i = 0; i < 5; i++) await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx);
      await assert.rejects(
        getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx),
        isError('ProvisionedThroughputExceededException', 'Rate exceeded for Shard - 123456789012/rl/shardId-000000000000'),
      );
      plane.clock.advance(200);
      await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx);
      await assert.rejects(getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx), isError('ProvisionedThroughputExceededException'));
    } finally {
      await plane.close();
    }
  });

  void it('after a 10 MiB response, reads within the next 5 seconds are throttled', async () => {
    const plane = await openTestPlane({ limits: true });
    try {
      await createTestStream(plane, 'big', 1, { maxRecordSizeKiB: 10240 });
      for (let i = 0; i < 13; i++) {
        await putRecord(plane.dp, { StreamName: 'big', PartitionKey: 'a', Data: Buffer.alloc(1024 * 1024 - 1) }, plane.ctx);
        plane.clock.advance(1000);
      }
      const it1 = await iterator(plane, { StreamName: 'big', ShardIteratorType: 'TRIM_HORIZON' });
      const out = await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx);
      assert.equal(out.Records.length, 10, '10 MiB per call');
      plane.clock.advance(4999);
      await assert.rejects(getRecords(plane.dp, { ShardIterator: out.NextShardIterator as string }, plane.ctx), isError('ProvisionedThroughputExceededException'));
      plane.clock.advance(1);
      const rest = await getRecords(plane.dp, { ShardIterator: out.NextShardIterator as string }, plane.ctx);
      assert.equal(rest.Records.length, 3);
      // 2 MiB/s: 3 MiB just read takes 1.5 s to pay back.
      plane.clock.advance(1499);
      await assert.rejects(getRecords(plane.dp, { ShardIterator: rest.NextShardIterator as string }, plane.ctx), isError('ProvisionedThroughputExceededException'));
      plane.clock.advance(1);
      assert.equal((await getRecords(plane.dp, { ShardIterator: rest.NextShardIterator as string }, plane.ctx)).Records.length, 0);
    } finally {
      await plane.close();
    }
  });

  void it('limits off: no throttling at any rate', async () => {
    const plane = await openTestPlane({ limits: false });
    try {
      await createTestStream(plane, 'free', 1);
      const it1 = await iterator(plane, { StreamName: 'free', ShardIteratorType: 'TRIM_HORIZON' });
      for (let i = 0; i < 50; i++) await getRecords(plane.dp, { ShardIterator: it1 }, plane.ctx);
      for (let i = 0; i < 5; i++) {
        const out = await putRecords(plane.dp, { StreamName: 'free', Records: Array.from({ length: 500 }, () => ({ PartitionKey: 'a', Data: Buffer.alloc(1000) })) }, plane.ctx);
        assert.equal(out.FailedRecordCount, 0);
      }
    } finally {
      await plane.close();
    }
  });
});

void describe('iterator key', () => {
  void it('is created once per metadata store: another gateway on the same storage verifies the iterators', async () => {
    const a = await openTestPlane();
    try {
      await createTestStream(a, 'shared', 1);
      await putRecord(a.dp, { StreamName: 'shared', PartitionKey: 'a', Data: Buffer.from('v') }, a.ctx);
      const token = await iterator(a, { StreamName: 'shared', ShardIteratorType: 'TRIM_HORIZON' });
      const b = await openTestPlane({ storage: a.storage, clock: a.clock });
      assert.deepEqual(texts(await getRecords(b.dp, { ShardIterator: token }, b.ctx)), ['v']);
    } finally {
      await a.close();
    }
  });
});

void describe('expired shards', () => {
  void it('a closed shard past retention answers ResourceNotFoundException', async () => {
    const plane = await openTestPlane();
    try {
      await createTestStream(plane, 'exp', 1, { retentionHours: 24 });
      await splitShard(plane, 'exp', 'shardId-000000000000', 1n << 127n);
      const open = await iterator(plane, { StreamName: 'exp', ShardIteratorType: 'TRIM_HORIZON' });
      assert.ok(open);
      plane.clock.advance(24 * 3600_000);
      await assert.rejects(iterator(plane, { StreamName: 'exp', ShardIteratorType: 'TRIM_HORIZON' }), isError('ResourceNotFoundException'));
      assert.ok(await iterator(plane, { StreamName: 'exp', ShardId: 'shardId-000000000001', ShardIteratorType: 'TRIM_HORIZON' }));
    } finally {
      await plane.close();
    }
  });
});

void describe('GetShardIterator limit (on)', () => {
  void it('5 calls per second per shard, then ProvisionedThroughputExceededException; other shards unaffected', async () => {
    const plane = await openTestPlane({ limits: true });
    try {
      await createTestStream(plane, 'gsi', 2);
      for (let i = 0; i < 5; i++) await iterator(plane, { StreamName: 'gsi', ShardIteratorType: 'LATEST' });
      await assert.rejects(
        iterator(plane, { StreamName: 'gsi', ShardIteratorType: 'LATEST' }),
        isError('ProvisionedThroughputExceededException', 'Rate exceeded for shard shardId-000000000000 in stream gsi under account 123456789012.'),
      );
      assert.ok(await iterator(plane, { StreamName: 'gsi', ShardId: 'shardId-000000000001', ShardIteratorType: 'LATEST' }));
      plane.clock.advance(200);
      assert.ok(await iterator(plane, { StreamName: 'gsi', ShardIteratorType: 'LATEST' }));
    } finally {
      await plane.close();
    }
  });
});
