/**
 * The PutRecords fast path's scanner (kinesis/put-records-scan.ts) against the generic path
 * (JSON.parse + the model's input parser): whenever the scanner accepts a body, the generic path must
 * accept it too and produce the same input; bodies with anything unusual must be declined. Then the
 * whole fast path through a server: the SDK's requests take it, and its answers equal the generic
 * path's for the same records.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { parseKinesisInput } from '../../../src/model/kinesis.js';
import { PLAIN_INPUT } from '../../../src/model/operation.js';
import { ScannedPutRecords, scanPutRecordsJson } from '../../../src/kinesis/put-records-scan.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { waitActive } from './support.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

/** Comparable form of an input: blobs as hex. */
function comparable(input: unknown): unknown {
  return JSON.parse(
    JSON.stringify(input, (_k, v: unknown) => {
      if (v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('hex');
      return v;
    }),
  );
}

function generic(body: string): unknown {
  return parseKinesisInput('PutRecords', JSON.parse(body), 'json');
}

function scanned(body: string): ScannedPutRecords | undefined {
  return scanPutRecordsJson(Buffer.from(body));
}

function assertSame(body: string): void {
  const s = scanned(body);
  assert.ok(s instanceof ScannedPutRecords, `scanner declined ${body.slice(0, 200)}`);
  assert.deepEqual(comparable(s[PLAIN_INPUT]()), comparable(generic(body)));
}

const b64 = (bytes: Buffer) => bytes.toString('base64');

/** JSON as Python's json.dumps writes it (boto3, the AWS CLI): ", " and ": " separators. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

void describe('PutRecords scanner', () => {
  void it('accepts what the SDKs send and gives the generic path’s input, byte-exact', () => {
    const random = rng(7);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 20);
      const records = Array.from({ length: n }, (_, i) => {
        // Sizes around every base64 padding case, empty, and past the native-decoder threshold.
        const size = [0, 1, 2, 3, 4, 5, 100, 383, 384, 385, 1024, 5000][Math.floor(random() * 12)];
        const entry: Record<string, string> = { Data: b64(randomBytes(size)), PartitionKey: `pk ${round}/${i} ~!@#$%^&*()` };
        if (random() < 0.2) entry.ExplicitHashKey = random() < 0.5 ? '0' : '340282366920938463463374607431768211455';
        return entry;
      });
      const body = random() < 0.5 ? { Records: records, StreamName: 'my.stream_name-1' } : { StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/s', Records: records };
      assertSame(JSON.stringify(body));
      // boto3 and the CLI put spaces after separators.
      assertSame(JSON.stringify(body, null, 1));
      assertSame(pythonJson(body));
    }
    assertSame(`{"Records":[{"PartitionKey":"${'k'.repeat(256)}","Data":""}],"StreamName":"${'s'.repeat(128)}"}`);
    assertSame(`{"Records":${JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ Data: 'AA==', PartitionKey: String(i) })))},"StreamName":"s"}`);
  });

  void it('declines every body the generic path must judge', () => {
    const ok = (extra = '', record = '"Data":"AAEC","PartitionKey":"k"') => `{"Records":[{${record}}],"StreamName":"s"${extra}}`;
    assert.ok(scanned(ok()), 'the baseline body is accepted');
    const declined: [string, string][] = [
      ['escaped key', ok('', '"Data":"AAEC","PartitionKey":"k\\u0041"')],
      ['escaped slash in data', ok('', '"Data":"AA\\/C","PartitionKey":"k"')],
      ['non-ASCII key', ok('', '"Data":"AAEC","PartitionKey":"ключ"')],
      ['unknown record member', ok('', '"Data":"AAEC","PartitionKey":"k","Other":"x"')],
      ['unknown top-level member', ok(',"DryRun":false')],
      ['StreamId', ok(',"StreamId":"abcdefghijklmnopqrst-abc"')],
      ['null member', ok('', '"Data":"AAEC","PartitionKey":"k","ExplicitHashKey":null')],
      ['duplicate Data', ok('', '"Data":"AAEC","Data":"AAEC","PartitionKey":"k"')],
      ['duplicate StreamName', ok(',"StreamName":"t"')],
      ['missing PartitionKey', ok('', '"Data":"AAEC"')],
      ['missing Data', ok('', '"PartitionKey":"k"')],
      ['empty PartitionKey', ok('', '"Data":"AAEC","PartitionKey":""')],
      ['257-character PartitionKey', ok('', `"Data":"AAEC","PartitionKey":"${'k'.repeat(257)}"`)],
      ['invalid base64 character', ok('', '"Data":"AA*C","PartitionKey":"k"')],
      ['URL-safe base64', ok('', '"Data":"AA-_","PartitionKey":"k"')],
      ['length not a multiple of 4', ok('', '"Data":"AAE","PartitionKey":"k"')],
      ['non-zero padding bits', ok('', '"Data":"AB==","PartitionKey":"k"')],
      ['long invalid base64', ok('', `"Data":"${'A'.repeat(1000)}*AAA","PartitionKey":"k"`)],
      ['long URL-safe base64', ok('', `"Data":"${'A'.repeat(1000)}-AAA","PartitionKey":"k"`)],
      ['ExplicitHashKey with a leading zero', ok('', '"Data":"AAEC","PartitionKey":"k","ExplicitHashKey":"01"')],
      ['ExplicitHashKey of 40 digits', ok('', `"Data":"AAEC","PartitionKey":"k","ExplicitHashKey":"${'1'.repeat(40)}"`)],
      ['bad stream name', '{"Records":[{"Data":"AAEC","PartitionKey":"k"}],"StreamName":"a b"}'],
      ['bad stream ARN', '{"Records":[{"Data":"AAEC","PartitionKey":"k"}],"StreamARN":"arn:aws:s3:::bucket"}'],
      ['no stream', '{"Records":[{"Data":"AAEC","PartitionKey":"k"}]}'],
      ['empty Records', '{"Records":[],"StreamName":"s"}'],
      ['501 records', `{"Records":${JSON.stringify(Array.from({ length: 501 }, () => ({ Data: '', PartitionKey: 'k' })))},"StreamName":"s"}`],
      ['trailing garbage', `${ok()}x`],
      ['truncated', ok().slice(0, -3)],
      ['Records not a list', '{"Records":{"Data":"AAEC"},"StreamName":"s"}'],
      ['not an object', '[]'],
    ];
    for (const [label, body] of declined) assert.equal(scanned(body), undefined, label);
  });

  void it('never accepts a body the generic path refuses or reads differently (random mutations)', () => {
    const random = rng(99);
    const base = JSON.stringify({
      Records: [
        { Data: b64(Buffer.from('hello world')), PartitionKey: 'a' },
        { Data: b64(randomBytes(400)), PartitionKey: 'partition-key-2', ExplicitHashKey: '12345' },
      ],
      StreamName: 'stream',
    });
    const alphabet = '{}[]",:\\ \nAZaz09+/=-_\u00e9\u0000';
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const chars = [...base];
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * chars.length);
        const op = random();
        const c = alphabet[Math.floor(random() * alphabet.length)];
        if (op < 0.4) chars[at] = c;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, c);
      }
      const body = chars.join('');
      const s = scanned(body);
      if (s === undefined) continue;
      accepted++;
      let want: unknown;
      try {
        want = generic(body);
      } catch (err) {
        assert.fail(`scanner accepted a body the generic path refuses (${String(err)}): ${body}`);
      }
      assert.deepEqual(comparable(s[PLAIN_INPUT]()), comparable(want), body);
    }
    assert.ok(accepted > 1000, `only ${accepted} mutated bodies accepted`);
  });
});

void describe('PutRecords fast path through the server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ limits: false });
  });
  after(() => server.stop());

  /** POST a PutRecords body as is; returns status and parsed answer. */
  function post(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${server.url}/`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'Kinesis_20131202.PutRecords',
            authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  void it('the SDK’s PutRecords takes the fast path; records read back byte-exact, in order, on the MD5-routed shards', async () => {
    const kinesis = server.kinesis();
    await kinesis.send(new CreateStreamCommand({ StreamName: 'sdk-fast', ShardCount: 4 }));
    await waitActive(kinesis, 'sdk-fast');
    const records = Array.from({ length: 500 }, (_, i) => ({ Data: randomBytes(i % 7 === 0 ? 0 : 1 + (i % 600)), PartitionKey: `key-${i % 37}` }));
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: 'sdk-fast', Records: records }));
    assert.equal(out.FailedRecordCount, 0);
    assert.equal(out.EncryptionType, 'NONE');
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: 'sdk-fast' }))).Shards ?? [];
    for (const shard of shards) {
      const mine = records.map((r, i) => ({ r, res: out.Records?.[i] })).filter((x) => x.res?.ShardId === shard.ShardId);
      const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'sdk-fast', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
      assert.deepEqual(
        got.Records?.map((r) => [r.SequenceNumber, r.PartitionKey, Buffer.from(r.Data ?? []).toString('hex')]),
        mine.map((x) => [x.res?.SequenceNumber, x.r.PartitionKey, Buffer.from(x.r.Data).toString('hex')]),
      );
      // Every key went to the shard whose range holds its MD5.
      for (const { r } of mine) {
        const hash = BigInt(`0x${createHash('md5').update(r.PartitionKey).digest('hex')}`);
        assert.ok(hash >= BigInt(shard.HashKeyRange?.StartingHashKey ?? '0') && hash <= BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'));
      }
    }
  });

  void it('answers exactly as the generic path does for the same records', async () => {
    const kinesis = server.kinesis();
    await kinesis.send(new CreateStreamCommand({ StreamName: 'compare', ShardCount: 2 }));
    await waitActive(kinesis, 'compare');
    const records = Array.from({ length: 50 }, (_, i) => ({ Data: randomBytes(i * 11).toString('base64'), PartitionKey: `k${i}`, ...(i % 5 === 0 ? { ExplicitHashKey: String(BigInt(i) * 2n ** 120n) } : {}) }));
    const fast = await post(JSON.stringify({ Records: records, StreamName: 'compare' }));
    // `"DryRun":false` changes nothing but makes the scanner decline: the generic path answers.
    const slow = await post(JSON.stringify({ Records: records, StreamName: 'compare', DryRun: false }));
    assert.equal(fast.status, 200);
    assert.equal(slow.status, 200);
    assert.deepEqual(Object.keys(fast.json), Object.keys(slow.json));
    const shape = (j: Record<string, unknown>) => (j.Records as { ShardId: string; SequenceNumber: string }[]).map((r) => Object.keys(r).join(',') + r.ShardId);
    assert.deepEqual(shape(fast.json), shape(slow.json));
    assert.equal(fast.json.FailedRecordCount, 0);
    assert.equal(fast.json.EncryptionType, slow.json.EncryptionType);
  });

  void it('errors are the generic path’s: bad input still gets AWS’s messages', async () => {
    const bad = await post('{"Records":[{"Data":"AA*C","PartitionKey":"k"}],"StreamName":"fast"}');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.__type, 'SerializationException');
    const missing = await post('{"Records":[{"Data":"AAEC","PartitionKey":"k"}],"StreamName":"no-such-stream"}');
    assert.equal(missing.status, 400);
    assert.equal(missing.json.__type, 'ResourceNotFoundException');
  });
});
