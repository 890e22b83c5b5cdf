/**
 * Event-stream framing and the streamed response writer.
 *
 * - Known-answer framing checked byte by byte against the spec (prelude, CRC-32s via zlib.crc32,
 *   header encoding), independent of the library that produced it.
 * - writeEventStream over real HTTP/2 (node:http2) and HTTP/1.1 (chunked) responses, decoded by a
 *   hand-written frame reader fed arbitrary chunk boundaries.
 * - Back-pressure: a client that stops reading holds the source back (bounded pulls), and a client
 *   that goes away closes the source.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import type { EventStreamEvent } from '../../src/model/operation.js';
import { ServiceError } from '../../src/model/service-error.js';
import type { EventStreamTarget, EventStreamWriteOptions } from '../../src/protocol/event-stream.js';
import {
  EVENT_STREAM_CONTENT_TYPE,
  decodeEventStreamMessage,
  encodeEventMessage,
  encodeExceptionMessage,
  writeEventStream,
} from '../../src/protocol/event-stream.js';

interface Frame {
  readonly headers: Record<string, string>;
  readonly payload: Buffer;
}

/** Parse one message by the spec, checking both CRCs; returns undefined when `buf` is incomplete. */
function parseFrame(buf: Buffer): { frame: Frame; size: number } | undefined {
  if (buf.length < 12) return undefined;
  const total = buf.readUInt32BE(0);
  const headersLength = buf.readUInt32BE(4);
  assert.equal(buf.readUInt32BE(8), crc32(buf.subarray(0, 8)), 'prelude CRC');
  assert.ok(total >= 16 && headersLength <= total - 16, 'lengths');
  if (buf.length < total) return undefined;
  assert.equal(buf.readUInt32BE(total - 4), crc32(buf.subarray(0, total - 4)), 'message CRC');
  const headers: Record<string, string> = {};
  let at = 12;
  const end = 12 + headersLength;
  while (at < end) {
    const nameLength = buf.readUInt8(at);
    const name = buf.toString('utf8', at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    const type = buf.readUInt8(at);
    assert.equal(type, 7, `header ${name} is a string`);
    const valueLength = buf.readUInt16BE(at + 1);
    headers[name] = buf.toString('utf8', at + 3, at + 3 + valueLength);
    at += 3 + valueLength;
  }
  assert.equal(at, end, 'headers fill their length');
  return { frame: { headers, payload: Buffer.from(buf.subarray(end, total - 4)) }, size: total };
}

/** Incremental reader: feed chunks of any size, get complete frames. */
class FrameReader {
  private pending = Buffer.alloc(0);
  readonly frames: Frame[] = [];
  push(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (true) {
      const parsed = parseFrame(this.pending);
      if (!parsed) return;
      this.frames.push(parsed.frame);
      this.pending = this.pending.subarray(parsed.size);
    }
  }
  get leftover(): number {
    return this.pending.length;
  }
}

void describe('event-stream framing', () => {
  void it('frames an event with prelude, headers, payload and CRCs as specified', () => {
    const bytes = Buffer.from(encodeEventMessage('initial-response', Buffer.from('{}'), 'application/json'));
    const parsed = parseFrame(bytes);
    assert.ok(parsed);
    assert.equal(parsed.size, bytes.length);
    assert.deepEqual(parsed.frame.headers, {
      ':message-type': 'event',
      ':event-type': 'initial-response',
      ':content-type': 'application/json',
    });
    assert.equal(parsed.frame.payload.toString(), '{}');
    // total = 12 prelude + headers + 2 payload + 4 CRC; each header = 1 + name + 1 + 2 + value
    const headerBytes = [':message-type', 'event', ':event-type', 'initial-response', ':content-type', 'application/json'];
    let h = 0;
    for (let i = 0; i < headerBytes.length; i += 2) h += 1 + headerBytes[i].length + 3 + headerBytes[i + 1].length;
    assert.equal(bytes.readUInt32BE(4), h);
    assert.equal(bytes.length, 12 + h + 2 + 4);
    assert.deepEqual(decodeEventStreamMessage(bytes).headers[':event-type'], { type: 'string', value: 'initial-response' });
  });

  void it('frames a modeled exception', () => {
    const bytes = Buffer.from(encodeExceptionMessage('ResourceInUseException', Buffer.from('{"message":"m"}'), 'application/x-amz-cbor-1.1'));
    const parsed = parseFrame(bytes);
    assert.ok(parsed);
    assert.deepEqual(parsed.frame.headers, {
      ':message-type': 'exception',
      ':exception-type': 'ResourceInUseException',
      ':content-type': 'application/x-amz-cbor-1.1',
    });
  });

  void it('is rejected by the decoder when a byte is flipped', () => {
    const bytes = Buffer.from(encodeEventMessage('SubscribeToShardEvent', Buffer.from('{"Records":[]}'), 'application/json'));
    bytes[bytes.length - 6] ^= 1;
    assert.throws(() => decodeEventStreamMessage(bytes));
  });
});

/** A controllable source: counts pulls, yields `count` events of `size` bytes, then optionally throws. */
class TestSource implements AsyncIterableIterator<EventStreamEvent> {
  pulls = 0;
  returned = false;
  constructor(
    private readonly count: number,
    private readonly size: number,
    private readonly failWith?: Error,
  ) {}
  [Symbol.asyncIterator](): this {
    return this;
  }
  async next(): Promise<IteratorResult<EventStreamEvent>> {
    this.pulls++;
    if (this.returned) return { done: true, value: undefined };
    if (this.pulls > this.count) {
      if (this.failWith) throw this.failWith;
      return { done: true, value: undefined };
    }
    return { done: false, value: { TestEvent: { n: this.pulls, blob: 'x'.repeat(this.size) } } };
  }
  async return(): Promise<IteratorResult<EventStreamEvent>> {
    this.returned = true;
    return { done: true, value: undefined };
  }
}

function options(source: AsyncIterable<EventStreamEvent>, errors: unknown[] = []): EventStreamWriteOptions {
  return {
    headers: { 'x-amzn-requestid': 'req-1' },
    payloadContentType: 'application/json',
    initialResponse: Buffer.from('{}'),
    events: source,
    encodePayload: (_name, value) => Buffer.from(JSON.stringify(value)),
    onInternalError: (err) => errors.push(err),
  };
}

void describe('writeEventStream over HTTP/2', () => {
  let server: http2.Http2Server;
  let url: string;
  let next: (res: http2.Http2ServerResponse) => Promise<void>;
  before(async () => {
    server = http2.createServer((_req, res) => {
      void next(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  void it('sends initial-response, every event, then a modeled exception, with valid CRCs', async () => {
    const source = new TestSource(3, 10, new ServiceError('ResourceInUseException', 'taken over'));
    next = (res) => writeEventStream(res as unknown as EventStreamTarget, options(source));
    const client = http2.connect(url);
    try {
      const req = client.request({ ':method': 'POST', ':path': '/' });
      req.end();
      const reader = new FrameReader();
      const status = await new Promise<{ status: number; type: string }>((resolve) =>
        req.on('response', (h) => resolve({ status: Number(h[':status']), type: String(h['content-type']) })),
      );
      assert.deepEqual(status, { status: 200, type: EVENT_STREAM_CONTENT_TYPE });
      // Re-chunk arbitrarily (one byte at a time for the first 100 bytes) to exercise the reader.
      for await (const chunk of req) {
        const b = chunk as Buffer;
        for (let i = 0; i < Math.min(100, b.length); i++) reader.push(b.subarray(i, i + 1));
        if (b.length > 100) reader.push(b.subarray(100));
      }
      assert.equal(reader.leftover, 0);
      const kinds = reader.frames.map((f) => f.headers[':event-type'] ?? f.headers[':exception-type']);
      assert.deepEqual(kinds, ['initial-response', 'TestEvent', 'TestEvent', 'TestEvent', 'ResourceInUseException']);
      assert.deepEqual(JSON.parse(reader.frames[4].payload.toString()), { message: 'taken over' });
      assert.equal(reader.frames[4].headers[':message-type'], 'exception');
      assert.equal(JSON.parse(reader.frames[2].payload.toString()).n, 2);
    } finally {
      client.close();
    }
  });

  void it('hides unexpected errors behind InternalFailureException', async () => {
    const errors: unknown[] = [];
    const source = new TestSource(0, 0, new Error('disk on fire'));
    next = (res) => writeEventStream(res as unknown as EventStreamTarget, options(source, errors));
    const client = http2.connect(url);
    try {
      const req = client.request({ ':method': 'POST', ':path': '/' });
      req.end();
      const reader = new FrameReader();
      for await (const chunk of req) reader.push(chunk as Buffer);
      const last = reader.frames[reader.frames.length - 1];
      assert.equal(last.headers[':exception-type'], 'InternalFailureException');
      assert.doesNotMatch(last.payload.toString(), /disk on fire/);
      assert.equal(errors.length, 1);
    } finally {
      client.close();
    }
  });

  void it('holds the source back while the client does not read, and closes it when the client leaves', async () => {
    const source = new TestSource(1_000_000, 32 * 1024);
    let done: Promise<void> | undefined;
    next = (res) => (done = writeEventStream(res as unknown as EventStreamTarget, options(source)));
    const client = http2.connect(url);
    try {
      const req = client.request({ ':method': 'POST', ':path': '/' });
      req.end();
      await new Promise((resolve) => req.once('response', resolve));
      req.pause();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stalled = source.pulls;
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Nothing more is pulled while the client is stalled: the flow-control window (64 KiB) plus
      // stream buffers hold a handful of 32 KiB events, never the million on offer.
      assert.equal(source.pulls, stalled);
      assert.ok(stalled < 40, `${stalled} events pulled while stalled`);
      // Reading again lets it flow.
      const reader = new FrameReader();
      req.on('data', (chunk: Buffer) => reader.push(chunk));
      req.resume();
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(source.pulls > stalled + 10, `${source.pulls} pulls after resuming`);
      req.close(http2.constants.NGHTTP2_CANCEL);
      await done;
      assert.equal(source.returned, true);
    } finally {
      client.close();
    }
  });
});

void describe('writeEventStream over HTTP/1.1', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    server = http.createServer((_req, res) => {
      void writeEventStream(res, options(new TestSource(5, 100)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  void it('streams the same messages as a chunked body', async () => {
    const reader = new FrameReader();
    const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false }, (res) => {
        res.on('data', (chunk: Buffer) => reader.push(chunk));
        res.on('end', () => resolve(res.headers));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(headers['content-type'], EVENT_STREAM_CONTENT_TYPE);
    assert.equal(headers['transfer-encoding'], 'chunked');
    assert.equal(headers['x-amzn-requestid'], 'req-1');
    assert.equal(reader.frames.length, 6);
    assert.equal(reader.frames[0].headers[':event-type'], 'initial-response');
  });
});
