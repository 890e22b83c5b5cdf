/**
 * Enhanced fan-out end to end: the real app (memory storage, a ManualClock that starts at real time so
 * tests can step over the 5-second rule) through @aws-sdk/client-kinesis with its default HTTP/2
 * handler — consumer operations and their errors, SubscribeToShard's async iterator with every
 * starting position, resubscribing from ContinuationSequenceNumber, a split ending the parent's
 * subscription with ChildShards, 20 consumers × 4 shards, HTTP/1.1, and a raw node:http2 client that
 * checks the frames byte by byte.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import type { KinesisClient, SubscribeToShardEvent } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  LimitExceededException,
  ListStreamConsumersCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SplitShardCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { ManualClock } from '../../../src/model/context.js';
import { decodeCborBody, encodeCbor } from '../../../src/protocol/cbor-codec.js';
import { awsHeaders } from '../../support/raw-request.js';
import type { TestServer } from '../../support/server.js';
import { runPython, startTestServer } from '../../support/server.js';

let server: TestServer;
let clock: ManualClock;
let kinesis: KinesisClient;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function createStream(name: string, shards: number): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return waitFor(`stream ${name}`, async () => {
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    return s?.StreamStatus === 'ACTIVE' ? s.StreamARN : undefined;
  });
}

async function activeConsumer(streamArn: string, name: string): Promise<string> {
  const out = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
  const arn = out.Consumer?.ConsumerARN;
  assert.ok(arn);
  await waitFor(`consumer ${name}`, async () => {
    const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
    return d.ConsumerDescription?.ConsumerStatus === 'ACTIVE' ? true : undefined;
  });
  return arn;
}

async function put(stream: string, data: string, hashKey = '0'): Promise<string> {
  const out = await kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'pk', ExplicitHashKey: hashKey, Data: Buffer.from(data) }));
  assert.ok(out.SequenceNumber);
  return out.SequenceNumber;
}

/** A subscription read through the SDK's async iterator in the background. */
class SdkSubscription {
  readonly events: SubscribeToShardEvent[] = [];
  readonly records: string[] = [];
  ended: 'open' | 'done' | Error = 'open';
  private waiters: Array<() => void> = [];
  private readonly abort = new AbortController();

  static async open(client: KinesisClient, input: ConstructorParameters<typeof SubscribeToShardCommand>[0]): Promise<SdkSubscription> {
    const s = new SdkSubscription();
    const out = await client.send(new SubscribeToShardCommand(input), { abortSignal: s.abort.signal });
    assert.ok(out.EventStream);
    void s.pump(out.EventStream);
    return s;
  }

  private async pump(stream: AsyncIterable<{ SubscribeToShardEvent?: SubscribeToShardEvent }>): Promise<void> {
    try {
      for await (const e of stream) {
        if (e.SubscribeToShardEvent) {
          this.events.push(e.SubscribeToShardEvent);
          for (const r of e.SubscribeToShardEvent.Records ?? []) this.records.push(Buffer.from(r.Data ?? []).toString());
        }
        this.notify();
      }
      this.ended = 'done';
    } catch (err) {
      this.ended = err instanceof Error ? err : new Error(String(err));
    }
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.ended !== 'open') throw new Error(`stream ended (${String(this.ended)}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.records.length} records`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async untilEnded(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ended === 'open') {
      if (Date.now() > deadline) throw new Error('stream did not end');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.abort.abort();
  }

  lastContinuation(): string {
    const c = this.events[this.events.length - 1]?.ContinuationSequenceNumber;
    assert.ok(c);
    return c;
  }
}

before(async () => {
  clock = new ManualClock(Date.now());
  server = await startTestServer({ clock, createStreamMs: 0, updateStreamMs: 0, consumerMs: 0, limits: false });
  kinesis = server.kinesis();
});
after(() => server.stop());

void describe('consumer operations through the SDK', () => {
  void it('register, describe, list, deregister, with typed errors', async () => {
    const streamArn = await createStream('ops', 1);
    const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app' }));
    assert.equal(reg.Consumer?.ConsumerStatus, 'CREATING');
    assert.match(reg.Consumer?.ConsumerARN ?? '', new RegExp(`^${streamArn}/consumer/app:\\d+$`));
    assert.ok(reg.Consumer?.ConsumerCreationTimestamp instanceof Date);
    const dup = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app' })).catch((e: unknown) => e);
    assert.ok(dup instanceof ResourceInUseException, String(dup));
    const byName = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'app' }));
    assert.equal(byName.ConsumerDescription?.ConsumerARN, reg.Consumer?.ConsumerARN);
    assert.equal(byName.ConsumerDescription?.StreamARN, streamArn);
    assert.equal(byName.ConsumerDescription?.ConsumerStatus, 'ACTIVE');
    const list = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    assert.deepEqual(list.Consumers?.map((c) => c.ConsumerName), ['app']);
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: reg.Consumer?.ConsumerARN }));
    const gone = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer?.ConsumerARN })).catch((e: unknown) => e);
    assert.ok(gone instanceof ResourceNotFoundException, String(gone));
    const missing = await kinesis
      .send(new ListStreamConsumersCommand({ StreamARN: streamArn.replace('/ops', '/nope') }))
      .catch((e: unknown) => e);
    assert.ok(missing instanceof ResourceNotFoundException, String(missing));
  });

  void it('refuses a 21st consumer with LimitExceededException', async () => {
    const streamArn = await createStream('full', 1);
    for (let i = 0; i < 20; i++) {
      await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `c${i}` }));
    }
    const err = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'c20' })).catch((e: unknown) => e);
    assert.ok(err instanceof LimitExceededException, String(err));
  });
});

void describe('SubscribeToShard through the SDK (HTTP/2)', () => {
  let streamArn: string;
  before(async () => {
    streamArn = await createStream('live', 1);
  });

  void it('pushes records put after subscribing', async () => {
    const c = await activeConsumer(streamArn, 'live-1');
    const sub = await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } });
    await sub.until('the first event', () => sub.events.length > 0);
    for (let i = 0; i < 10; i++) await put('live', `v${i}`);
    await sub.until('10 records', () => sub.records.length >= 10);
    assert.deepEqual(sub.records, Array.from({ length: 10 }, (_, i) => `v${i}`));
    const last = sub.events[sub.events.length - 1];
    assert.equal(typeof last.MillisBehindLatest, 'number');
    assert.ok(last.Records?.[0]?.ApproximateArrivalTimestamp instanceof Date);
    sub.close();
  });

  void it('starts at TRIM_HORIZON, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP', async () => {
    const arn = await createStream('positions', 1);
    const c = await activeConsumer(arn, 'pos');
    const seqs: string[] = [];
    for (let i = 0; i < 4; i++) {
      seqs.push(await put('positions', `p${i}`));
      clock.advance(1000);
    }
    const t2 = clock.now() - 2000;
    const cases: Array<[{ Type: 'TRIM_HORIZON' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP'; SequenceNumber?: string; Timestamp?: Date }, string[]]> = [
      [{ Type: 'TRIM_HORIZON' }, ['p0', 'p1', 'p2', 'p3']],
      [{ Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: seqs[1] }, ['p1', 'p2', 'p3']],
      [{ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: seqs[1] }, ['p2', 'p3']],
      [{ Type: 'AT_TIMESTAMP', Timestamp: new Date(t2) }, ['p2', 'p3']],
    ];
    for (const [position, expected] of cases) {
      const sub = await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: position });
      await sub.until(position.Type, () => sub.records.length >= expected.length);
      assert.deepEqual(sub.records, expected, position.Type);
      sub.close();
      clock.advance(5000);
    }
  });

  void it('answers a resubscription within 5 s with ResourceInUseException, and takes over after', async () => {
    const c = await activeConsumer(streamArn, 'live-2');
    const input = { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' as const } };
    const first = await SdkSubscription.open(kinesis, input);
    await first.until('the first event', () => first.events.length > 0);
    const early = await SdkSubscription.open(kinesis, input).catch((e: unknown) => e);
    assert.ok(early instanceof ResourceInUseException, String(early));
    assert.equal(early.$metadata.httpStatusCode, 400);
    clock.advance(5000);
    const second = await SdkSubscription.open(kinesis, input);
    await first.untilEnded();
    assert.ok(first.ended instanceof ResourceInUseException, String(first.ended));
    await second.until('the first event', () => second.events.length > 0);
    second.close();
  });

  void it('resubscribing from ContinuationSequenceNumber loses and duplicates nothing', async () => {
    const arn = await createStream('resume', 1);
    const c = await activeConsumer(arn, 'resume');
    const expected: string[] = [];
    const got: string[] = [];
    let position: { Type: 'TRIM_HORIZON' } | { Type: 'AFTER_SEQUENCE_NUMBER'; SequenceNumber: string } = { Type: 'TRIM_HORIZON' };
    for (let round = 0; round < 4; round++) {
      const sub = await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: position });
      for (let i = 0; i < 5; i++) {
        const v = `${round}.${i}`;
        expected.push(v);
        await put('resume', v);
      }
      await sub.until('some records', () => sub.records.length > 0);
      sub.close();
      await sub.untilEnded();
      got.push(...sub.records);
      position = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: sub.lastContinuation() };
      clock.advance(5000);
    }
    const last = await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: position });
    await last.until('the rest', () => got.length + last.records.length >= expected.length);
    got.push(...last.records);
    assert.deepEqual(got, expected);
    last.close();
  });

  void it('ends the parent subscription with ChildShards when the shard splits', async () => {
    const arn = await createStream('splitting', 1);
    const c = await activeConsumer(arn, 'splitter');
    const sub = await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } });
    await put('splitting', 'before-split');
    await sub.until('the record', () => sub.records.length === 1);
    await kinesis.send(new SplitShardCommand({ StreamName: 'splitting', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (1n << 127n).toString() }));
    await sub.untilEnded();
    assert.equal(sub.ended, 'done');
    const end = sub.events[sub.events.length - 1];
    assert.equal(end.ContinuationSequenceNumber, undefined);
    assert.deepEqual(end.ChildShards?.map((x) => x.ShardId).sort(), ['shardId-000000000001', 'shardId-000000000002']);
    for (const child of end.ChildShards ?? []) assert.deepEqual(child.ParentShards, ['shardId-000000000000']);
  });

  void it('delivers every record exactly once to 20 consumers × 4 shards', async () => {
    const arn = await createStream('wide', 4);
    const subs: Array<{ shard: number; sub: SdkSubscription }> = [];
    for (let i = 0; i < 20; i++) {
      const c = await activeConsumer(arn, `wide-${i}`);
      for (let shard = 0; shard < 4; shard++) {
        subs.push({
          shard,
          sub: await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: `shardId-00000000000${shard}`, StartingPosition: { Type: 'LATEST' } }),
        });
      }
    }
    for (const { sub } of subs) await sub.until('the first event', () => sub.events.length > 0);
    const expected: string[][] = [[], [], [], []];
    const quarter = 1n << 126n;
    for (let i = 0; i < 100; i++) {
      const shard = i % 4;
      expected[shard].push(`w${i}`);
      await put('wide', `w${i}`, (quarter * BigInt(shard)).toString());
    }
    for (const { shard, sub } of subs) {
      await sub.until(`shard ${shard}`, () => sub.records.length >= expected[shard].length);
      assert.deepEqual(sub.records, expected[shard]);
      sub.close();
    }
  });

  void it('ends a subscription cleanly after 5 minutes (injected clock)', async () => {
    const c = await activeConsumer(streamArn, 'live-lifetime');
    const sub = await SdkSubscription.open(kinesis, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } });
    await sub.until('the first event', () => sub.events.length > 0);
    clock.advance(300_000);
    // The subscription notices at its next wake-up (a heartbeat, at most a few seconds).
    await sub.untilEnded(6000);
    assert.equal(sub.ended, 'done');
  });

  void it('works over HTTP/1.1 as a streamed body', async () => {
    const c = await activeConsumer(streamArn, 'live-h1');
    const h1 = server.kinesis({ http1: true });
    const sub = await SdkSubscription.open(h1, { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } });
    await sub.until('the first event', () => sub.events.length > 0);
    await put('live', 'over-h1');
    await sub.until('the record', () => sub.records.includes('over-h1'));
    sub.close();
  });
});

interface RawFrame {
  readonly headers: Record<string, string>;
  readonly payload: Buffer;
}

/** SubscribeToShard over node:http2; reads frames (checking both CRCs) until `count` have arrived. */
async function rawSubscribe(
  contentType: string,
  body: Buffer | string,
  count: number,
): Promise<{ status: http2.IncomingHttpHeaders; frames: RawFrame[]; body: string }> {
  const session = http2.connect(server.url);
  try {
    const req = session.request({ ':method': 'POST', ':path': '/', ...awsHeaders('Kinesis_20131202.SubscribeToShard', contentType) });
    req.end(body);
    const status = await new Promise<http2.IncomingHttpHeaders>((resolve) => req.once('response', resolve));
    if (Number(status[':status']) !== 200) {
      let text = '';
      for await (const chunk of req) text += (chunk as Buffer).toString();
      return { status, frames: [], body: text };
    }
    let buf = Buffer.alloc(0);
    const frames: RawFrame[] = [];
    await new Promise<void>((resolve, reject) => {
      req.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        try {
          while (buf.length >= 12) {
            const total = buf.readUInt32BE(0);
            const headerLength = buf.readUInt32BE(4);
            assert.equal(buf.readUInt32BE(8), crc32(buf.subarray(0, 8)), 'prelude CRC');
            if (buf.length < total) break;
            assert.equal(buf.readUInt32BE(total - 4), crc32(buf.subarray(0, total - 4)), 'message CRC');
            const h: Record<string, string> = {};
            for (let at = 12; at < 12 + headerLength; ) {
              const n = buf.readUInt8(at);
              const name = buf.toString('utf8', at + 1, at + 1 + n);
              assert.equal(buf.readUInt8(at + 1 + n), 7, 'string header');
              const len = buf.readUInt16BE(at + 2 + n);
              h[name] = buf.toString('utf8', at + 4 + n, at + 4 + n + len);
              at += 4 + n + len;
            }
            frames.push({ headers: h, payload: Buffer.from(buf.subarray(12 + headerLength, total - 4)) });
            buf = buf.subarray(total);
          }
          if (frames.length >= count) resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      req.on('end', () => resolve());
      req.on('error', reject);
    });
    req.close(http2.constants.NGHTTP2_CANCEL);
    return { status, frames, body: '' };
  } finally {
    session.close();
  }
}

void describe('SubscribeToShard through a raw HTTP/2 client', () => {
  void it('sends well-formed frames: initial-response, then events with JSON payloads', async () => {
    const arn = await createStream('raw', 1);
    const c = await activeConsumer(arn, 'raw');
    await put('raw', 'raw-1');
    const request = { ConsumerARN: c, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } };
    const { status: headers, frames } = await rawSubscribe('application/x-amz-json-1.1', JSON.stringify(request), 2);
    assert.equal(headers[':status'], 200);
    assert.equal(headers['content-type'], 'application/vnd.amazon.eventstream');
    assert.ok(headers['x-amzn-requestid']);
    assert.deepEqual(frames[0].headers, { ':message-type': 'event', ':event-type': 'initial-response', ':content-type': 'application/json' });
    assert.deepEqual(JSON.parse(frames[0].payload.toString()), {});
    assert.deepEqual(frames[1].headers, { ':message-type': 'event', ':event-type': 'SubscribeToShardEvent', ':content-type': 'application/json' });
    const event = JSON.parse(frames[1].payload.toString()) as {
      Records: Array<{ Data: string; SequenceNumber: string; ApproximateArrivalTimestamp: number; PartitionKey: string }>;
      ContinuationSequenceNumber: string;
      MillisBehindLatest: number;
    };
    assert.equal(Buffer.from(event.Records[0].Data, 'base64').toString(), 'raw-1');
    assert.equal(typeof event.Records[0].ApproximateArrivalTimestamp, 'number');
    assert.ok(Math.abs(event.Records[0].ApproximateArrivalTimestamp * 1000 - clock.now()) < 60_000);
    assert.equal(event.ContinuationSequenceNumber, event.Records[0].SequenceNumber);
    assert.equal(event.MillisBehindLatest, 0);

    // A CBOR request gets CBOR payloads: byte-string Data, integer epoch-millisecond timestamps.
    clock.advance(5000);
    const cbor = await rawSubscribe('application/x-amz-cbor-1.1', encodeCbor(request), 2);
    assert.equal(cbor.status[':status'], 200);
    assert.equal(cbor.frames[1].headers[':content-type'], 'application/x-amz-cbor-1.1');
    assert.equal(cbor.frames[1].headers[':event-type'], 'SubscribeToShardEvent');
    const decoded = decodeCborBody(cbor.frames[1].payload) as { Records: Array<{ Data: Uint8Array; ApproximateArrivalTimestamp: number }> };
    assert.ok(decoded.Records[0].Data instanceof Uint8Array);
    assert.equal(Buffer.from(decoded.Records[0].Data).toString(), 'raw-1');
    assert.ok(Number.isInteger(decoded.Records[0].ApproximateArrivalTimestamp));
    assert.ok(Math.abs(decoded.Records[0].ApproximateArrivalTimestamp - clock.now()) < 60_000);
  });

  void it('answers errors before streaming as a normal HTTP 400', async () => {
    const request = { ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/raw/consumer/nobody:1', ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } };
    const { status, body } = await rawSubscribe('application/x-amz-json-1.1', JSON.stringify(request), 1);
    assert.equal(status[':status'], 400);
    assert.equal(status['x-amzn-errortype'], 'ResourceNotFoundException');
    assert.equal((JSON.parse(body) as { __type: string }).__type, 'ResourceNotFoundException');
  });
});

void describe('SubscribeToShard through boto3 (HTTP/1.1, botocore event-stream parser)', () => {
  void it('reads the records of a subscription', async () => {
    const arn = await createStream('boto', 1);
    const c = await activeConsumer(arn, 'boto');
    await put('boto', 'from-boto-1');
    await put('boto', 'from-boto-2');
    const py = await runPython(
      `
out = kinesis.subscribe_to_shard(ConsumerARN=${JSON.stringify(c)}, ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"})
got = []
for event in out["EventStream"]:
    e = event["SubscribeToShardEvent"]
    got += [r["Data"].decode() for r in e["Records"]]
    if len(got) >= 2:
        print(json.dumps({"data": got, "continuation": e["ContinuationSequenceNumber"], "ts": e["Records"][-1]["ApproximateArrivalTimestamp"].timestamp()}))
        break
`,
      server,
    );
    assert.equal(py.exitCode, 0, py.stderr);
    const result = py.json as { data: string[]; continuation: string; ts: number };
    assert.deepEqual(result.data, ['from-boto-1', 'from-boto-2']);
    assert.match(result.continuation, /^\d+$/);
    assert.ok(Math.abs(result.ts * 1000 - clock.now()) < 60_000);
  });
});

void describe('consumers persist across a restart (embedded storage)', () => {
  void it('keeps a registered consumer and serves SubscribeToShard after restart', async () => {
    const persistent = await startTestServer({ persistent: true, createStreamMs: 0, consumerMs: 0, limits: false });
    try {
      const client = persistent.kinesis();
      await client.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 1 }));
      const streamArn = await waitFor('durable stream', async () => {
        const s = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'durable' }))).StreamDescriptionSummary;
        return s?.StreamStatus === 'ACTIVE' ? s.StreamARN : undefined;
      });
      const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'kept' }));
      await client.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'k', Data: Buffer.from('survives') }));
      await persistent.restart();
      const after = persistent.kinesis();
      const d = await after.send(new DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer?.ConsumerARN }));
      assert.equal(d.ConsumerDescription?.ConsumerStatus, 'ACTIVE');
      const sub = await SdkSubscription.open(after, {
        ConsumerARN: reg.Consumer?.ConsumerARN,
        ShardId: 'shardId-000000000000',
        StartingPosition: { Type: 'TRIM_HORIZON' },
      });
      await sub.until('the record', () => sub.records.length === 1);
      assert.deepEqual(sub.records, ['survives']);
      sub.close();
    } finally {
      await persistent.stop();
    }
  });
});
