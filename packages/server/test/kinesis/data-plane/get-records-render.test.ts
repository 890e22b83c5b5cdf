/**
 * GetRecords answers rendered straight into bytes (kinesis/get-records-render.ts) must be exactly what
 * the generic JSON codec writes for the same output, for every output the handler can build and for
 * odd ones it cannot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { renderGetRecordsJson } from '../../../src/kinesis/get-records-render.js';
import { encodeJson } from '../../../src/protocol/json-codec.js';
import { startTestServer } from '../../support/server.js';
import type { TestServer } from '../../support/server.js';
import { seededRandom as prng } from './support.js';

const ODD_CHARS = ['"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '€', '𝄞', '\ud800', '\udc00', '/', ' ', '\u2028'];

function randomKey(random: () => number): string {
  const n = 1 + Math.floor(random() * 20);
  let s = '';
  for (let i = 0; i < n; i++) s += random() < 0.15 ? ODD_CHARS[Math.floor(random() * ODD_CHARS.length)] : String.fromCharCode(0x21 + Math.floor(random() * 94));
  return s;
}

function randomBytes(random: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

function randomOutput(random: () => number): Record<string, unknown> {
  const count = random() < 0.1 ? 0 : Math.floor(random() * 40);
  let ms = 1_700_000_000_000 + Math.floor(random() * 1e9);
  const records = Array.from({ length: count }, (_, i) => {
    if (random() < 0.3) ms += Math.floor(random() * 1500);
    const record: Record<string, unknown> = {
      SequenceNumber: `4${String(i).padStart(55, '0')}`,
      ApproximateArrivalTimestamp: new Date(ms),
      Data: randomBytes(random, Math.floor(random() * 70)),
      PartitionKey: random() < 0.1 ? undefined : randomKey(random),
      EncryptionType: random() < 0.5 ? 'NONE' : 'KMS',
    };
    if (random() < 0.05) record.ExplicitHashKey = String(Math.floor(random() * 1e15));
    return record;
  });
  const ended = random() < 0.2;
  return ended
    ? {
        Records: records,
        MillisBehindLatest: Math.floor(random() * 1e6),
        ChildShards: [{ ShardId: 'shardId-000000000001', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '170141183460469231731687303715884105727' } }],
      }
    : { Records: records, NextShardIterator: randomKey(random).replace(/[^A-Za-z0-9+/=]/g, 'A'), MillisBehindLatest: random() < 0.5 ? 0 : Math.floor(random() * 1e6) };
}

void describe('renderGetRecordsJson', () => {
  void it('writes exactly the generic codec’s bytes for 3,000 random outputs', () => {
    const random = prng(20261205);
    for (let n = 0; n < 3000; n++) {
      const output = randomOutput(random);
      const rendered = renderGetRecordsJson(output);
      assert.ok(rendered);
      assert.equal(rendered.toString('utf8'), encodeJson(output), `output ${n}`);
    }
  });

  void it('matches on odd members too: other types, undefined entries, invalid dates, large and empty blobs', () => {
    const outputs: Record<string, unknown>[] = [
      {},
      { Records: [] },
      { Records: [undefined, null, 'x', 3, [1, 2], { Nested: { Data: Buffer.from('hi') } }] },
      { Records: [{ SequenceNumber: '1', ApproximateArrivalTimestamp: new Date(Number.NaN), Data: new Uint8Array(0) }] },
      { Records: [{ SequenceNumber: '1', Data: Buffer.alloc(200_000, 7), Extra: 12.5, Big: 10n, Flag: true, Nothing: null }], MillisBehindLatest: -0 },
      { Records: [{ 'key"with\\odd\nname': 'v', ü: '€' }], NextShardIterator: 'abc', Other: new Date(1_700_000_000_001) },
      { MillisBehindLatest: Number.POSITIVE_INFINITY, Records: [{ Data: Buffer.from([0xff]), PartitionKey: '\ud83d' }] },
    ];
    for (const output of outputs) {
      const rendered = renderGetRecordsJson(output);
      assert.ok(rendered);
      assert.equal(rendered.toString('utf8'), encodeJson(output));
    }
    assert.equal(renderGetRecordsJson(null), undefined);
    assert.equal(renderGetRecordsJson([]), undefined);
  });

  void it('grows its scratch buffer for answers of many MiB', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      SequenceNumber: `4${String(i).padStart(55, '0')}`,
      ApproximateArrivalTimestamp: new Date(1_700_000_000_000 + i),
      Data: Buffer.alloc(1024, i & 0xff),
      PartitionKey: `k${i}`,
      EncryptionType: 'NONE',
    }));
    const output = { Records: records, NextShardIterator: 'AAAA', MillisBehindLatest: 0 };
    assert.equal(renderGetRecordsJson(output)?.toString('utf8'), encodeJson(output));
  });
});

void describe('GetRecords over JSON through the server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ limits: false, createStreamMs: 0 });
  });
  after(() => server.stop());

  void it('the SDK reads back every record byte-exact, with Unicode partition keys', async () => {
    const kinesis = server.kinesis({ http1: true });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'render', ShardCount: 1 }));
    for (let i = 0; i < 100; i++) {
      const s = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'render', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })).catch(() => undefined);
      if (s !== undefined) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const random = prng(7);
    const records = Array.from({ length: 300 }, (_, i) => ({ Data: randomBytes(random, i % 50), PartitionKey: `${randomKey(random).replace(/[\ud800-\udfff]/g, 'x')}-${i}` }));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: 'render', Records: records }));
    assert.equal(put.FailedRecordCount, 0);
    const it0 = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'render', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
    assert.equal(got.Records?.length, 300);
    got.Records?.forEach((r, i) => {
      assert.equal(r.SequenceNumber, put.Records?.[i].SequenceNumber);
      assert.equal(r.PartitionKey, records[i].PartitionKey);
      assert.ok(Buffer.from(r.Data ?? []).equals(records[i].Data));
      assert.ok(r.ApproximateArrivalTimestamp instanceof Date);
    });
    assert.equal(typeof got.NextShardIterator, 'string');
    assert.equal(got.MillisBehindLatest, 0);
  });
});
