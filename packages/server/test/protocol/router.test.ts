/**
 * Protocol-level errors and response headers, over raw HTTP/1.1 and HTTP/2 requests to an in-process
 * server serving the test binding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogSink } from '../../src/logger.js';
import type { RequestContext } from '../../src/model/context.js';
import { decodeCborBody, encodeCbor } from '../../src/protocol/cbor-codec.js';
import { awsHeaders, dummyAuthorization, rawRequest } from '../support/raw-request.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { createTestKinesisBinding } from '../support/test-binding.js';
import { createApp } from '../../src/app.js';
import { defaultServerConfig } from '../../src/config/server-config.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ bindings: [createTestKinesisBinding()] });
});
after(() => server.stop());

async function expectError(
  request: Parameters<typeof rawRequest>[1],
  status: number,
  type: string,
  message?: RegExp,
): Promise<void> {
  for (const http2 of [false, true]) {
    const res = await rawRequest(server.url, { ...request, http2 });
    assert.equal(res.status, status, `${type} over ${http2 ? 'h2' : 'h1'}: ${res.body.toString()}`);
    assert.equal(res.headers['x-amzn-errortype'], type);
    assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.ok(res.headers['x-amz-id-2']);
    const body = JSON.parse(res.body.toString()) as { __type: string; message: string };
    assert.equal(body.__type, type);
    if (message !== undefined) assert.match(body.message, message);
  }
}

void describe('protocol errors', () => {
  void it('unknown or missing X-Amz-Target → UnknownOperationException', async () => {
    await expectError({ headers: awsHeaders('Kinesis_20131202.Frobnicate'), body: '{}' }, 400, 'UnknownOperationException', /Frobnicate/);
    await expectError({ headers: awsHeaders('Nope_20200101.ListStreams'), body: '{}' }, 400, 'UnknownOperationException');
    await expectError({ headers: awsHeaders('Kinesis_20131202.constructor'), body: '{}' }, 400, 'UnknownOperationException');
    const { 'x-amz-target': _omit, ...noTarget } = awsHeaders('x');
    await expectError({ headers: noTarget, body: '{}' }, 400, 'UnknownOperationException', /X-Amz-Target/);
  });

  void it('no Authorization → MissingAuthenticationTokenException', async () => {
    const { authorization: _omit, ...headers } = awsHeaders('Kinesis_20131202.ListStreams');
    await expectError({ headers, body: '{}' }, 403, 'MissingAuthenticationTokenException', /Missing Authentication Token/);
  });

  void it('malformed Authorization → IncompleteSignatureException', async () => {
    const headers = { ...awsHeaders('Kinesis_20131202.ListStreams'), authorization: 'AWS4-HMAC-SHA256 Credential=AKID/x' };
    await expectError({ headers, body: '{}' }, 400, 'IncompleteSignatureException');
  });

  void it('unparseable or non-object body → SerializationException', async () => {
    await expectError({ headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{"Limit":' }, 400, 'SerializationException');
    await expectError({ headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '[1]' }, 400, 'SerializationException');
    await expectError({ headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '' }, 400, 'SerializationException');
    const cbor = await rawRequest(server.url, {
      headers: awsHeaders('Kinesis_20131202.ListStreams', 'application/x-amz-cbor-1.1'),
      body: Buffer.from('a16161', 'hex'),
    });
    assert.equal(cbor.status, 400);
    assert.deepEqual((decodeCborBody(cbor.body) as { __type: string }).__type, 'SerializationException');
  });

  void it('a validation error from parseInput passes through with its message', async () => {
    await expectError(
      { headers: awsHeaders('Kinesis_20131202.DescribeStreamSummary'), body: '{}' },
      400,
      'ValidationException',
      /^1 validation error detected: Value null at 'streamName'/,
    );
  });
});

void describe('responses', () => {
  void it('carry the request content type, request ids and Date', async () => {
    for (const contentType of ['application/x-amz-json-1.1', 'application/json']) {
      for (const http2 of [false, true]) {
        const res = await rawRequest(server.url, { http2, headers: awsHeaders('Kinesis_20131202.ListStreams', contentType), body: '{}' });
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], contentType);
        assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
        assert.ok(res.headers['x-amz-id-2']);
        assert.ok(!Number.isNaN(Date.parse(String(res.headers.date))));
        assert.deepEqual(JSON.parse(res.body.toString()), { StreamNames: ['alpha', 'beta'], HasMoreStreams: false });
      }
    }
  });

  void it('an operation without output answers 200 {}', async () => {
    const res = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.CreateStream'), body: '{"StreamName":"s"}' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), '{}');
    const cbor = await rawRequest(server.url, {
      headers: awsHeaders('Kinesis_20131202.CreateStream', 'application/x-amz-cbor-1.1'),
      body: encodeCbor({ StreamName: 's' }),
    });
    assert.equal(cbor.body.toString('hex'), 'a0');
  });

  void it('GET /health is 200; GET /ready follows storage', async () => {
    for (const http2 of [false, true]) {
      const health = await rawRequest(server.url, { http2, method: 'GET', path: '/health' });
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body.toString()), { status: 'ok' });
      const ready = await rawRequest(server.url, { http2, method: 'GET', path: '/ready' });
      assert.equal(ready.status, 200);
    }
  });
});

void describe('request logging', () => {
  void it('one debug line per request with operation, status, ms, request id and error code; no secrets', async () => {
    const lines: string[] = [];
    const sink: LogSink = { write: (line: string) => lines.push(line) };
    const app = await createApp(
      { ...defaultServerConfig, port: 0, inMemory: true, logLevel: 'debug' },
      { bindings: [createTestKinesisBinding()], logSink: sink },
    );
    try {
      const { url } = await app.listen();
      await rawRequest(url, { headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
      await rawRequest(url, {
        headers: awsHeaders('Kinesis_20131202.PutRecord'),
        body: JSON.stringify({ StreamName: 'x', PartitionKey: 'k', Data: Buffer.from('TOP-SECRET-PAYLOAD').toString('base64') }),
      });
      await rawRequest(url, { headers: awsHeaders('Kinesis_20131202.DescribeStreamSummary'), body: '{"StreamName":"nope"}' });
      await rawRequest(url, { headers: awsHeaders('Kinesis_20131202.DescribeLimits'), body: '{}' });
    } finally {
      await app.close();
    }
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    assert.equal(requests.length, 4);
    assert.deepEqual(
      requests.map((r) => [r.operation, r.status, r.errorCode]),
      [
        ['ListStreams', 200, undefined],
        ['PutRecord', 200, undefined],
        ['DescribeStreamSummary', 400, 'ResourceNotFoundException'],
        ['DescribeLimits', 500, 'InternalFailureException'],
      ],
    );
    for (const r of requests) {
      assert.equal(r.level, 'debug');
      assert.match(String(r.requestId), /^[0-9a-f-]{36}$/);
      assert.equal(typeof r.ms, 'number');
    }
    const all = lines.join('\n');
    assert.doesNotMatch(all, /TOP-SECRET-PAYLOAD|VE9QLVNFQ1JFVC1QQVlMT0FE/);
    assert.doesNotMatch(all, new RegExp(dummyAuthorization().slice(-64)));
    // the internal failure is logged with its cause and the request id
    const failure = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'internal failure');
    assert.ok(failure);
    assert.equal(failure.requestId, requests[3].requestId);
    assert.match(JSON.stringify(failure.error), /disk \/dev\/sda1 on fire/);
  });
});

void describe('handler context', () => {
  const contexts: RequestContext[] = [];
  let contextServer: TestServer;
  before(async () => {
    contextServer = await startTestServer({ bindings: [createTestKinesisBinding({ onContext: (_operation, context) => contexts.push(context) })] });
  });
  after(() => contextServer.stop());

  void it('carries the request fields and a lazily created signal defined once, not per request', async () => {
    for (const http2 of [false, true]) {
      const res = await rawRequest(contextServer.url, {
        headers: { ...awsHeaders('Kinesis_20131202.ListStreams', 'application/x-amz-json-1.1', 'eu-west-2'), 'user-agent': 'context-test' },
        body: '{}',
        http2,
      });
      assert.equal(res.status, 200);
    }
    assert.equal(contexts.length, 2);
    const [first, second] = contexts;
    for (const context of contexts) {
      assert.equal(context.region, 'eu-west-2');
      assert.equal(context.protocol, 'json');
      assert.equal(context.userAgent, 'context-test');
      assert.equal(context.sourceIp, '127.0.0.1');
      assert.equal(context.secureTransport, false);
      assert.match(context.requestId, /^[0-9a-f-]{36}$/);
      assert.ok(context.signal instanceof AbortSignal);
      assert.equal(context.signal.aborted, false);
      // The getter lives on a shared prototype: an accessor created per request (an object literal's
      // `get signal()`) gives every request its own hidden class, which kept requests alive through
      // young-generation collections.
      assert.equal(Object.getOwnPropertyDescriptor(context, 'signal'), undefined);
      assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(context)) as object).sort(), [
        'caller',
        'protocol',
        'region',
        'requestId',
        'secureTransport',
        'sourceIp',
        'userAgent',
      ]);
    }
    assert.notEqual(first.requestId, second.requestId);
    assert.equal(Object.getPrototypeOf(first), Object.getPrototypeOf(second));
  });
});
