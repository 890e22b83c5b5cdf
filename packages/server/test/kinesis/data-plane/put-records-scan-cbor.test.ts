/**
 * The CBOR PutRecords scanner (kinesis/put-records-scan-cbor.ts) against the generic path (the CBOR
 * codec's decode + the model's input parser): whenever the scanner accepts a body, the generic path
 * must accept it too and produce the same input; anything unusual must be declined. Bodies come from
 * our codec, from cbor-x, and from a hand-built writer in the Java SDK's (Jackson's) style: indefinite
 * maps, strings and byte strings in chunks, long heads. Then the whole fast path through a server with
 * raw CBOR requests: CBOR answers, records read back byte-exact on their MD5-routed shards, and AWS's
 * errors from the generic path for the bodies the scanner declines.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { parseKinesisInput } from '../../../src/model/kinesis.js';
import { PLAIN_INPUT } from '../../../src/model/operation.js';
import { ScannedPutRecords } from '../../../src/kinesis/put-records-scan.js';
import { scanPutRecordsCbor } from '../../../src/kinesis/put-records-scan-cbor.js';
import { decodeCborBody, encodeCbor } from '../../../src/protocol/cbor-codec.js';
import { awsHeaders, rawRequest } from '../../support/raw-request.js';
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

/** Comparable form of an input: blobs as hex, plain objects and arrays. */
function comparable(input: unknown): unknown {
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('hex');
  if (Array.isArray(input)) return input.map(comparable);
  if (typeof input === 'object' && input !== null) return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, comparable(v)]));
  return input;
}

/** What the router's generic path does with a CBOR body (protocol/router.ts): decode, map check, model parse. */
function generic(body: Buffer): unknown {
  const raw = decodeCborBody(body);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) throw new Error('not a map');
  return parseKinesisInput('PutRecords', raw, 'cbor');
}

function assertSame(body: Buffer, label = ''): ScannedPutRecords {
  const s = scanPutRecordsCbor(body);
  assert.ok(s instanceof ScannedPutRecords, `scanner declined ${label} ${body.subarray(0, 100).toString('hex')}`);
  assert.deepEqual(comparable(s[PLAIN_INPUT]()), comparable(generic(body)), label);
  return s;
}

const cborX = new Encoder({ useRecords: false, mapsAsObjects: true } as ConstructorParameters<typeof Encoder>[0]);

/** How the hand-built writer writes each kind of item. */
interface Style {
  readonly indefiniteMaps: boolean;
  readonly indefiniteArrays: boolean;
  /** Chunk size for byte and text strings (0: definite). */
  readonly chunk: number;
  /** Heads with the 4-byte argument form even for small values. */
  readonly longHeads: boolean;
}

/** A CBOR writer in the Java SDK's style (RFC 8949): what Jackson's CBORGenerator can send. */
function javaCbor(value: unknown, style: Style): Buffer {
  const out: Buffer[] = [];
  const byte = (...b: number[]) => out.push(Buffer.from(b));
  const head = (major: number, n: number) => {
    if (style.longHeads || n >= 0x10000) byte((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    else if (n < 24) byte((major << 5) | n);
    else if (n < 0x100) byte((major << 5) | 24, n);
    else byte((major << 5) | 25, n >>> 8, n & 0xff);
  };
  const str = (major: number, bytes: Buffer, key: boolean) => {
    if (style.chunk === 0 || key) {
      head(major, bytes.length);
      out.push(bytes);
      return;
    }
    byte((major << 5) | 31);
    for (let i = 0; i < bytes.length; i += style.chunk) {
      const part = bytes.subarray(i, i + style.chunk);
      head(major, part.length);
      out.push(part);
    }
    // An empty chunk is well-formed too.
    head(major, 0);
    byte(0xff);
  };
  const write = (v: unknown) => {
    if (typeof v === 'string') str(3, Buffer.from(v, 'utf8'), false);
    else if (v instanceof Uint8Array) str(2, Buffer.from(v), false);
    else if (Array.isArray(v)) {
      if (style.indefiniteArrays) byte(0x9f);
      else head(4, v.length);
      for (const item of v) write(item);
      if (style.indefiniteArrays) byte(0xff);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      if (style.indefiniteMaps) byte(0xbf);
      else head(5, entries.length);
      for (const [k, item] of entries) {
        str(3, Buffer.from(k, 'utf8'), true);
        write(item);
      }
      if (style.indefiniteMaps) byte(0xff);
    } else if (typeof v === 'boolean') byte(v ? 0xf5 : 0xf4);
    else if (v === null) byte(0xf6);
    else throw new Error(`cannot write ${String(v)}`);
  };
  write(value);
  return Buffer.concat(out);
}

const STYLES: readonly Style[] = [
  { indefiniteMaps: true, indefiniteArrays: false, chunk: 0, longHeads: false },
  { indefiniteMaps: true, indefiniteArrays: true, chunk: 0, longHeads: false },
  { indefiniteMaps: true, indefiniteArrays: true, chunk: 7, longHeads: false },
  { indefiniteMaps: false, indefiniteArrays: false, chunk: 100, longHeads: true },
  { indefiniteMaps: false, indefiniteArrays: true, chunk: 1, longHeads: false },
  { indefiniteMaps: true, indefiniteArrays: true, chunk: 8000, longHeads: false },
];

/** `n` bytes from the seeded generator (inputs are the same on every run). */
function seededBytes(random: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

function randomRequest(random: () => number, round: number): Record<string, unknown> {
  const n = 1 + Math.floor(random() * 20);
  const records = Array.from({ length: n }, (_, i) => {
    const size = [0, 1, 2, 23, 24, 255, 256, 1000, 5000, 20_000][Math.floor(random() * 10)];
    const entry: Record<string, unknown> = { Data: seededBytes(random, size), PartitionKey: `pk ${round}/${i} ~!@#$%^&*()`.slice(0, 1 + Math.floor(random() * 30)) };
    if (random() < 0.2) entry.ExplicitHashKey = random() < 0.5 ? '0' : '340282366920938463463374607431768211455';
    return entry;
  });
  return random() < 0.5 ? { Records: records, StreamName: 'my.stream_name-1' } : { StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/s', Records: records };
}

void describe('PutRecords CBOR scanner', () => {
  void it('accepts what the Java SDK, our codec and cbor-x write, and gives the generic path’s input, byte-exact', () => {
    const random = rng(7);
    for (let round = 0; round < 60; round++) {
      const body = randomRequest(random, round);
      assertSame(encodeCbor(body), 'encodeCbor');
      assertSame(Buffer.from(cborX.encode(body)), 'cbor-x');
      for (const style of STYLES) assertSame(javaCbor(body, style), JSON.stringify(style));
    }
    const edge = { Records: [{ PartitionKey: 'k'.repeat(256), Data: Buffer.alloc(0) }, { PartitionKey: 'k', Data: seededBytes(random, 70_000) }], StreamName: 's'.repeat(128) };
    assertSame(encodeCbor(edge));
    for (const style of STYLES) assertSame(javaCbor(edge, style));
    const many = { Records: Array.from({ length: 500 }, (_, i) => ({ Data: Buffer.from([i & 0xff]), PartitionKey: String(i) })), StreamName: 's' };
    const s = assertSame(encodeCbor(many));
    assert.equal(s.count, 500);
    assertSame(javaCbor(many, STYLES[2]));
  });

  void it('keeps definite keys and data in the body (no copy); chunked strings are joined', () => {
    const body = encodeCbor({ StreamName: 's', Records: [{ Data: Buffer.from('hello'), PartitionKey: 'key' }] });
    const s = scanPutRecordsCbor(body) as ScannedPutRecords;
    assert.equal(s.source.dataBytes, body);
    assert.equal(s.source.keyBytes, body);
    assert.equal(s.size(0), 8);
    assert.equal(s.partitionKey(0), 'key');
    const chunked = scanPutRecordsCbor(javaCbor({ StreamName: 's', Records: [{ Data: Buffer.from('hello'), PartitionKey: 'key' }] }, STYLES[4])) as ScannedPutRecords;
    assert.equal(chunked.partitionKey(0), 'key');
    assert.equal(chunked.size(0), 8);
  });

  void it('declines every body the generic path must judge', () => {
    const rec = (extra: Record<string, unknown> = {}) => ({ Data: Buffer.from([0, 1, 2]), PartitionKey: 'k', ...extra });
    const ok = (top: Record<string, unknown> = {}, record: Record<string, unknown> = rec()) => encodeCbor({ Records: [record], StreamName: 's', ...top });
    const data = Buffer.from([0, 1, 2]);
    /** Hex pieces and, for other values, their encodeCbor form, joined. */
    const cat = (...parts: (string | Buffer)[]) =>
      Buffer.concat(parts.map((x) => (typeof x === 'string' && /^[0-9a-f]{2}$/.test(x) ? Buffer.from(x, 'hex') : encodeCbor(x))));
    /** `body` with its first occurrence of the bytes `from` (hex) replaced by `to` (hex). */
    const swap = (body: Buffer, from: string, to: string) => {
      const at = body.indexOf(Buffer.from(from, 'hex'));
      assert.ok(at >= 0, from);
      return Buffer.concat([body.subarray(0, at), Buffer.from(to, 'hex'), body.subarray(at + from.length / 2)]);
    };
    assert.ok(scanPutRecordsCbor(ok()), 'the baseline body is accepted');
    const declined: [string, Buffer][] = [
      ['non-ASCII key', ok({}, rec({ PartitionKey: 'ключ' }))],
      ['control character in key', ok({}, rec({ PartitionKey: 'a\nb' }))],
      ['unknown record member', ok({}, rec({ Other: 'x' }))],
      ['unknown top-level member', ok({ DryRun: false })],
      ['StreamId', ok({ StreamId: 'abcdefghijklmnopqrst-abc' })],
      ['null member', ok({}, rec({ ExplicitHashKey: null }))],
      ['Data as text (base64)', ok({}, { Data: 'AAEC', PartitionKey: 'k' })],
      ['PartitionKey as bytes', ok({}, { Data: Buffer.from('x'), PartitionKey: Buffer.from('k') })],
      ['missing PartitionKey', ok({}, { Data: Buffer.from('x') })],
      ['missing Data', ok({}, { PartitionKey: 'k' })],
      ['empty PartitionKey', ok({}, rec({ PartitionKey: '' }))],
      ['257-character PartitionKey', ok({}, rec({ PartitionKey: 'k'.repeat(257) }))],
      ['ExplicitHashKey with a leading zero', ok({}, rec({ ExplicitHashKey: '01' }))],
      ['ExplicitHashKey of 40 digits', ok({}, rec({ ExplicitHashKey: '1'.repeat(40) }))],
      ['ExplicitHashKey as a number', ok({}, rec({ ExplicitHashKey: 5 }))],
      ['bad stream name', ok({ StreamName: 'a b' })],
      ['long stream name', ok({ StreamName: 's'.repeat(129) })],
      ['bad stream ARN', encodeCbor({ Records: [rec()], StreamARN: 'arn:aws:s3:::bucket' })],
      ['no stream', encodeCbor({ Records: [rec()] })],
      ['empty Records', encodeCbor({ Records: [], StreamName: 's' })],
      ['501 records', encodeCbor({ Records: Array.from({ length: 501 }, () => rec()), StreamName: 's' })],
      ['501 records, indefinite', javaCbor({ Records: Array.from({ length: 501 }, () => rec()), StreamName: 's' }, STYLES[1])],
      ['Records a map', encodeCbor({ Records: rec(), StreamName: 's' })],
      ['trailing byte', Buffer.concat([ok(), Buffer.from([0])])],
      ['truncated', ok().subarray(0, -2)],
      ['not a map', encodeCbor([1])],
      ['empty body', Buffer.alloc(0)],
      // A tag (24: embedded CBOR) around the Data.
      ['tagged Data', swap(ok(), '43000102', 'd81843000102')],
      // Non-UTF-8 text (0xff) in a partition key: declined like any non-ASCII.
      ['invalid UTF-8', swap(ok(), '616b', '61ff')],
      ['duplicate Data', cat('a2', 'Records', '81', 'a3', 'Data', data, 'Data', data, 'PartitionKey', 'k', 'StreamName', 's')],
      ['duplicate StreamName', cat('a3', 'Records', '81', 'a2', 'Data', data, 'PartitionKey', 'k', 'StreamName', 's', 'StreamName', 't')],
      ['duplicate Records', cat('a3', 'Records', '81', 'a2', 'Data', data, 'PartitionKey', 'k', 'Records', '81', 'a2', 'Data', data, 'PartitionKey', 'k', 'StreamName', 's')],
      ['integer member name', cat('a2', 'Records', '81', 'a2', 'Data', data, '01', 'k', 'StreamName', 's')],
      ['map with too few members', cat('a3', 'Records', '81', 'a2', 'Data', data, 'PartitionKey', 'k', 'StreamName', 's')],
      ['record with too many members', cat('a2', 'Records', '81', 'a2', 'Data', data, 'PartitionKey', 'k', 'ExplicitHashKey', '1', 'StreamName', 's')],
      ['indefinite member name', swap(ok(), '6a53747265616d4e616d65', '7f6a53747265616d4e616d65ff')],
      ['chunk of another major type', swap(ok(), '616b', '7f416bff')],
      ['nested indefinite chunk', swap(ok(), '616b', '7f7f616bffff')],
      ['unterminated chunks', swap(ok(), '616b', '7f616b')],
      ['reserved additional information', swap(ok(), '616b', '7c')],
      ['64-bit length', swap(ok(), '616b', '7b00000001000000016b')],
      ['break where a value belongs', swap(ok(), '616b', 'ff')],
    ];
    for (const [label, body] of declined) {
      let s: ScannedPutRecords | undefined;
      assert.doesNotThrow(() => (s = scanPutRecordsCbor(body)), label);
      assert.equal(s, undefined, label);
    }
  });

  void it('never accepts a body the generic path refuses or reads differently (random mutations)', (t) => {
    const random = rng(99);
    const request = {
      Records: [
        { Data: Buffer.from('hello world'), PartitionKey: 'a' },
        { Data: seededBytes(random, 300), PartitionKey: 'partition-key-2', ExplicitHashKey: '12345' },
        { Data: Buffer.alloc(0), PartitionKey: 'z' },
      ],
      StreamName: 'stream',
    };
    const bases = [encodeCbor(request), javaCbor(request, STYLES[1]), javaCbor(request, STYLES[2]), javaCbor(request, STYLES[3])];
    // Bytes that change structure: breaks, indefinite heads, argument sizes, tags, null, simple values.
    const interesting = [0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x20, 0x41, 0x5f, 0x60, 0x61, 0x7f, 0x80, 0x9f, 0xa0, 0xa1, 0xbf, 0xc0, 0xc1, 0xd8, 0xf4, 0xf6, 0xf7, 0xff];
    let accepted = 0;
    for (let i = 0; i < 12_000; i++) {
      const bytes = [...bases[i % bases.length]];
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * bytes.length);
        const op = random();
        const c = random() < 0.6 ? interesting[Math.floor(random() * interesting.length)] : Math.floor(random() * 256);
        if (op < 0.4) bytes[at] = c;
        else if (op < 0.6) bytes.splice(at, 1);
        else if (op < 0.8) bytes.splice(at, 0, c);
        else bytes[at] ^= 1 << Math.floor(random() * 8);
      }
      const body = Buffer.from(bytes);
      let s: ScannedPutRecords | undefined;
      try {
        s = scanPutRecordsCbor(body);
      } catch (err) {
        assert.fail(`scanner threw ${String(err)} on ${body.toString('hex')}`);
      }
      if (s === undefined) continue;
      accepted++;
      let want: unknown;
      try {
        want = generic(body);
      } catch (err) {
        assert.fail(`scanner accepted a body the generic path refuses (${String(err)}): ${body.toString('hex')}`);
      }
      assert.deepEqual(comparable(s[PLAIN_INPUT]()), comparable(want), body.toString('hex'));
    }
    assert.ok(accepted > 1000, `only ${accepted} mutated bodies accepted`);
    t.diagnostic(`${accepted} of 12000 mutated bodies accepted`);
  });
});

for (const persistent of [false, true]) {
  void describe(`PutRecords CBOR fast path through the server (${persistent ? 'embedded engine' : 'memory'} storage)`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ limits: false, persistent });
    });
    after(() => server.stop());

    async function post(body: Buffer, http2 = false): Promise<{ status: number; contentType: string; raw: Buffer; value: Record<string, unknown> }> {
      const res = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.PutRecords', 'application/x-amz-cbor-1.1'), body, http2 });
      return { status: res.status, contentType: String(res.headers['content-type']), raw: res.body, value: decodeCborBody(res.body) as Record<string, unknown> };
    }

    void it('answers in CBOR; records read back byte-exact, in order, on their MD5-routed shards', async () => {
      const kinesis = server.kinesis();
      await kinesis.send(new CreateStreamCommand({ StreamName: 'cbor-fast', ShardCount: 4 }));
      await waitActive(kinesis, 'cbor-fast');
      const sent: { Data: Buffer; PartitionKey: string }[] = [];
      const results: { ShardId: string; SequenceNumber: string }[] = [];
      for (const [k, style] of STYLES.entries()) {
        const records = Array.from({ length: 100 }, (_, i) => ({ Data: randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 37) % 600)), PartitionKey: `key-${k}-${i % 37}` }));
        const body = javaCbor({ StreamName: 'cbor-fast', Records: records }, style);
        assert.ok(scanPutRecordsCbor(body), 'the body takes the fast path');
        const out = await post(body, k % 2 === 1);
        assert.equal(out.status, 200);
        assert.equal(out.contentType, 'application/x-amz-cbor-1.1');
        // Exactly the bytes the codec writes for the same answer.
        assert.equal(out.raw.toString('hex'), encodeCbor(out.value).toString('hex'));
        assert.equal(out.value.FailedRecordCount, 0);
        assert.equal(out.value.EncryptionType, 'NONE');
        const entries = out.value.Records as { ShardId: string; SequenceNumber: string }[];
        assert.equal(entries.length, records.length);
        for (const e of entries) assert.deepEqual(Object.keys(e), ['ShardId', 'SequenceNumber']);
        sent.push(...records);
        results.push(...entries);
      }
      const shards = (await kinesis.send(new ListShardsCommand({ StreamName: 'cbor-fast' }))).Shards ?? [];
      assert.equal(shards.length, 4);
      for (const shard of shards) {
        const mine = sent.map((r, i) => ({ r, res: results[i] })).filter((x) => x.res.ShardId === shard.ShardId);
        const iterator = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'cbor-fast', ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
        const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
        assert.deepEqual(
          got.Records?.map((r) => [r.SequenceNumber, r.PartitionKey, Buffer.from(r.Data ?? []).toString('hex')]),
          mine.map((x) => [x.res.SequenceNumber, x.r.PartitionKey, x.r.Data.toString('hex')]),
        );
        for (const { r } of mine) {
          const hash = BigInt(`0x${createHash('md5').update(r.PartitionKey).digest('hex')}`);
          assert.ok(hash >= BigInt(shard.HashKeyRange?.StartingHashKey ?? '0') && hash <= BigInt(shard.HashKeyRange?.EndingHashKey ?? '0'));
        }
      }
    });

    void it('answers as the generic path does for the same records, ExplicitHashKey routing included', async () => {
      const kinesis = server.kinesis();
      await kinesis.send(new CreateStreamCommand({ StreamName: 'cbor-compare', ShardCount: 2 }));
      await waitActive(kinesis, 'cbor-compare');
      const records = Array.from({ length: 50 }, (_, i) => ({ Data: randomBytes(i * 11), PartitionKey: `k${i}`, ...(i % 5 === 0 ? { ExplicitHashKey: String(BigInt(i) * 2n ** 120n) } : {}) }));
      const fastBody = encodeCbor({ Records: records, StreamName: 'cbor-compare' });
      // `DryRun: false` changes nothing but makes the scanner decline: the generic path answers.
      const slowBody = encodeCbor({ Records: records, StreamName: 'cbor-compare', DryRun: false });
      assert.ok(scanPutRecordsCbor(fastBody));
      assert.equal(scanPutRecordsCbor(slowBody), undefined);
      const fast = await post(fastBody);
      const slow = await post(slowBody);
      assert.equal(fast.status, 200);
      assert.equal(slow.status, 200);
      const shape = (v: Record<string, unknown>) => (v.Records as { ShardId: string; SequenceNumber: string }[]).map((r) => `${Object.keys(r).join(',')} ${r.ShardId} ${r.SequenceNumber.length}`);
      assert.deepEqual(shape(fast.value), shape(slow.value));
      assert.deepEqual(Object.keys(fast.value), Object.keys(slow.value));
      assert.equal(fast.value.EncryptionType, slow.value.EncryptionType);
      // Same length and layout: only the digits of the sequence numbers differ.
      assert.equal(fast.raw.length, slow.raw.length);
    });

    void it('errors are the generic path’s, in CBOR', async () => {
      const expectError = async (body: Buffer, status: number, type: string, message?: RegExp) => {
        const res = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.PutRecords', 'application/x-amz-cbor-1.1'), body });
        assert.equal(res.status, status, res.body.toString('hex'));
        assert.equal(res.headers['content-type'], 'application/x-amz-cbor-1.1');
        assert.equal(res.headers['x-amzn-errortype'], type);
        const value = decodeCborBody(res.body) as { __type: string; message: string };
        assert.equal(value.__type, type);
        if (message !== undefined) assert.match(value.message, message);
      };
      // Scanned, then refused by the handler.
      await expectError(encodeCbor({ Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }], StreamName: 'no-such-stream' }), 400, 'ResourceNotFoundException');
      // Declined by the scanner: the generic path answers.
      await expectError(encodeCbor({ Records: [{ Data: 'AA*C', PartitionKey: 'k' }], StreamName: 'cbor-compare' }), 400, 'SerializationException');
      await expectError(encodeCbor({ Records: [{ Data: Buffer.from('x'), PartitionKey: 'k'.repeat(257) }], StreamName: 'cbor-compare' }), 400, 'ValidationException', /partitionKey/);
      await expectError(encodeCbor({ Records: [], StreamName: 'cbor-compare' }), 400, 'ValidationException', /records/);
      await expectError(encodeCbor({ Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }], StreamName: 'cbor-compare' }).subarray(0, -3), 400, 'SerializationException');
    });
  });
}
