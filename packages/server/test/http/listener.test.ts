/**
 * The listener: HTTP/1.1 and HTTP/2 prior knowledge on one port, TLS with ALPN, limits, timeouts,
 * misbehaving clients, keep-alive and graceful shutdown.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { HttpListener } from '../../src/http/listener.js';
import { generateSelfSignedCertificate } from '../../src/http/tls.js';
import { silentLogger } from '../../src/logger.js';
import type { ServiceBinding } from '../../src/model/operation.js';
import type { AwsProtocolRouter, ProtocolRequest, ResponseSink } from '../../src/protocol/router.js';
import { awsHeaders, rawRequest } from '../support/raw-request.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { createTestKinesisBinding } from '../support/test-binding.js';

/** Test binding plus `Slow` (answers after `ms`, or reports an abort) for in-flight behaviour. */
function bindingWithSlowOperation(events: string[]): ServiceBinding {
  const base = createTestKinesisBinding();
  return {
    ...base,
    spec: { ...base.spec, operations: { ...base.spec.operations, Slow: { name: 'Slow', input: 'SlowInput', errors: [] } } },
    handlers: {
      ...base.handlers,
      Slow: (input, context) =>
        new Promise((resolve, reject) => {
          const ms = (input as { ms: number }).ms;
          const timer = setTimeout(() => {
            events.push('slow finished');
            resolve({ waitedMs: ms });
          }, ms);
          context.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            events.push('slow aborted');
            reject(new Error('aborted'));
          });
        }),
    },
  };
}

/** Raw bytes on a plain TCP connection; resolves with everything the server sent until it closed. */
function rawExchange(port: number, bytes: string | Buffer, { endAfterWrite = false, timeoutMs = 5000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(received + '<timeout>');
    });
    socket.write(bytes);
    if (endAfterWrite) socket.end();
  });
}

const events: string[] = [];
let server: TestServer;

before(async () => {
  server = await startTestServer({ bindings: [bindingWithSlowOperation(events)], maxBodyBytes: 4096, requestTimeoutMs: 1000 });
});
after(() => server.stop());

void describe('one plaintext port', () => {
  void it('serves HTTP/1.1 and HTTP/2 prior knowledge, chosen per connection', async () => {
    const h1 = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
    const h2 = await rawRequest(server.url, { http2: true, headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
    assert.equal(h1.httpVersion, '1.1');
    assert.equal(h2.httpVersion, '2.0');
    assert.equal(h1.status, 200);
    assert.equal(h2.status, 200);
    assert.deepEqual(JSON.parse(h1.body.toString()), JSON.parse(h2.body.toString()));
  });

  void it('keeps HTTP/1.1 connections alive across requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = http.request(
            `${server.url}/`,
            { method: 'POST', agent, headers: awsHeaders('Kinesis_20131202.ListStreams') },
            (res) => {
              assert.equal(res.headers.connection, 'keep-alive');
              ports.push(res.socket.localPort ?? -1);
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.end('{}');
        });
      }
    } finally {
      agent.destroy();
    }
    assert.equal(new Set(ports).size, 1, `one connection for three requests: ${ports.join(',')}`);
  });

  void it('multiplexes concurrent streams on one HTTP/2 session', async () => {
    const session = http2.connect(server.url);
    try {
      const results = await Promise.all(
        [150, 50, 100].map(
          (ms) =>
            new Promise<string>((resolve, reject) => {
              const stream = session.request({ ':method': 'POST', ':path': '/', ...awsHeaders('Kinesis_20131202.Slow') });
              let body = '';
              stream.setEncoding('utf8');
              stream.on('data', (d: string) => (body += d));
              stream.on('end', () => resolve(body));
              stream.on('error', reject);
              stream.end(JSON.stringify({ ms }));
            }),
        ),
      );
      assert.deepEqual(results.map((r) => (JSON.parse(r) as { waitedMs: number }).waitedMs), [150, 50, 100]);
    } finally {
      session.close();
    }
  });
});

void describe('limits and misbehaving clients', () => {
  void it('a body over the limit gets RequestEntityTooLargeException (413) over HTTP/1.1 and HTTP/2', async () => {
    const body = JSON.stringify({ StreamName: 'x'.repeat(5000) });
    for (const http2 of [false, true]) {
      const res = await rawRequest(server.url, { http2, headers: awsHeaders('Kinesis_20131202.ListStreams'), body });
      assert.equal(res.status, 413);
      assert.equal(res.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
      const parsed = JSON.parse(res.body.toString()) as { __type: string; message: string };
      assert.equal(parsed.__type, 'RequestEntityTooLargeException');
      assert.match(parsed.message, /4096 bytes/);
    }
    // the server is still fine
    const ok = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
    assert.equal(ok.status, 200);
  });

  void it('a chunked body over the limit gets 413 too', async () => {
    const head =
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n' +
      `Authorization: ${awsHeaders('x').authorization}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const chunk = 'a'.repeat(3000);
    const chunked = `${(3000).toString(16)}\r\n${chunk}\r\n`.repeat(2) + '0\r\n\r\n';
    const response = await rawExchange(server.port, head + chunked);
    assert.match(response, /^HTTP\/1\.1 413 /);
    assert.match(response, /RequestEntityTooLargeException/);
  });

  void it('a declared Content-Length far over the limit is refused without reading the body', async () => {
    const head =
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n' +
      `Authorization: ${awsHeaders('x').authorization}\r\nContent-Length: 100000000\r\n\r\n`;
    const response = await rawExchange(server.port, head);
    assert.match(response, /^HTTP\/1\.1 413 /);
    assert.match(response, /connection: close/i);
  });

  void it('a malformed request line gets 400 and the server stays up', async () => {
    const response = await rawExchange(server.port, 'THIS IS NOT HTTP\r\n\r\n');
    assert.match(response, /^HTTP\/1\.1 400 /);
    const garbage = await rawExchange(server.port, Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
    assert.match(garbage, /^HTTP\/1\.1 400 /);
    const ok = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
    assert.equal(ok.status, 200);
  });

  void it('a header block over the limit gets 431', async () => {
    const response = await rawExchange(server.port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(70 * 1024)}\r\n\r\n`);
    assert.match(response, /^HTTP\/1\.1 431 /);
  });

  void it('clients that hang up mid-request (HTTP/1.1 body, HTTP/2 stream, before the first byte) do not hurt the server', async () => {
    // HTTP/1.1: headers promise 1000 bytes, 10 arrive, then the socket is destroyed.
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(
          'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n' +
            `Authorization: ${awsHeaders('x').authorization}\r\nContent-Length: 1000\r\n\r\n{"Limit":1`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    // HTTP/2: a stream is opened, part of a body sent, then the session is destroyed.
    await new Promise<void>((resolve) => {
      const session = http2.connect(server.url);
      session.on('error', () => {}); // destroyed on purpose
      const stream = session.request({ ':method': 'POST', ':path': '/', ...awsHeaders('Kinesis_20131202.ListStreams') });
      stream.on('error', () => {});
      stream.write('{"Lim');
      setTimeout(() => {
        session.destroy();
        resolve();
      }, 50);
    });
    // A connection that closes before sending anything.
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.destroy();
        resolve();
      });
    });
    // An HTTP/2 client that disconnects while its request is being handled: the handler's signal aborts.
    events.length = 0;
    await new Promise<void>((resolve) => {
      const session = http2.connect(server.url);
      session.on('error', () => {});
      const stream = session.request({ ':method': 'POST', ':path': '/', ...awsHeaders('Kinesis_20131202.Slow') });
      stream.on('error', () => {});
      stream.end(JSON.stringify({ ms: 5000 }));
      setTimeout(() => {
        session.destroy();
        resolve();
      }, 100);
    });
    for (let i = 0; i < 50 && !events.includes('slow aborted'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events, ['slow aborted']);
    const ok = await server.kinesis().send(new ListStreamsCommand({}));
    assert.deepEqual(ok.StreamNames, ['alpha', 'beta']);
  });

  void it('request timeouts: silent connections and stalled bodies are closed', async () => {
    const started = Date.now();
    const silent = await rawExchange(server.port, '', { timeoutMs: 5000 });
    assert.doesNotMatch(silent, /<timeout>/);
    const stalled = await rawExchange(
      server.port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n' +
        `Authorization: ${awsHeaders('x').authorization}\r\nContent-Length: 100\r\n\r\n{`,
      { timeoutMs: 5000 },
    );
    assert.match(stalled, /^HTTP\/1\.1 408 /);
    // headers that never finish (slowloris)
    const partial = await rawExchange(server.port, 'POST / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', { timeoutMs: 5000 });
    assert.match(partial, /^HTTP\/1\.1 408 /);
    // an HTTP/2 stream whose body stalls is reset
    const session = http2.connect(server.url);
    try {
      const reset = await new Promise<string>((resolve) => {
        const stream = session.request({ ':method': 'POST', ':path': '/', ...awsHeaders('Kinesis_20131202.ListStreams') });
        stream.on('error', (e: Error) => resolve(e.message));
        stream.on('close', () => resolve('closed'));
        stream.write('{');
      });
      assert.ok(reset.length > 0);
    } finally {
      session.destroy();
    }
    assert.ok(Date.now() - started < 8000);
  });
});

void describe('TLS', () => {
  let tlsServer: TestServer;
  let dir: string;
  let ca: string;

  before(async () => {
    const material = await generateSelfSignedCertificate();
    ca = material.cert;
    dir = await mkdtemp(join(tmpdir(), 'shardline-tls-'));
    await writeFile(join(dir, 'cert.pem'), material.cert);
    await writeFile(join(dir, 'key.pem'), material.key);
    tlsServer = await startTestServer({
      bindings: [createTestKinesisBinding()],
      tls: { mode: 'files', certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    });
  });
  after(async () => {
    await tlsServer.stop();
    await rm(dir, { recursive: true, force: true });
  });

  void it('ALPN picks h2 or http/1.1 on the same port (certificate from files, verified)', async () => {
    assert.match(tlsServer.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const h2 = await rawRequest(tlsServer.url, { http2: true, tls: { ca }, headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
    assert.equal(h2.httpVersion, '2.0');
    assert.equal(h2.status, 200);
    const h1 = await rawRequest(tlsServer.url, { tls: { ca }, headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{}' });
    assert.equal(h1.httpVersion, '1.1');
    assert.equal(h1.status, 200);
    assert.deepEqual(JSON.parse(h1.body.toString()), { StreamNames: ['alpha', 'beta'], HasMoreStreams: false });
  });

  void it('--tls-self-signed generates a certificate at start; the SDK over HTTP/1.1 works against it', async () => {
    const selfSigned = await startTestServer({ bindings: [createTestKinesisBinding()], tls: { mode: 'self-signed' } });
    try {
      const out = await selfSigned.kinesis({ http1: true }).send(new ListStreamsCommand({}));
      assert.deepEqual(out.StreamNames, ['alpha', 'beta']);
      const h2 = await rawRequest(selfSigned.url, {
        http2: true,
        tls: { rejectUnauthorized: false },
        method: 'GET',
        path: '/health',
      });
      assert.equal(h2.status, 200);
      assert.equal(h2.httpVersion, '2.0');
    } finally {
      await selfSigned.stop();
    }
  });
});

void describe('readiness', () => {
  void it('GET /ready answers 503 once storage is no longer open, while /health stays 200', async () => {
    const local = await startTestServer({ bindings: [createTestKinesisBinding()] });
    try {
      assert.equal((await rawRequest(local.url, { method: 'GET', path: '/ready' })).status, 200);
      await local.app.storage.close();
      for (const http2 of [false, true]) {
        const ready = await rawRequest(local.url, { http2, method: 'GET', path: '/ready' });
        assert.equal(ready.status, 503);
        assert.deepEqual(JSON.parse(ready.body.toString()), { status: 'not ready' });
        assert.equal((await rawRequest(local.url, { http2, method: 'GET', path: '/health' })).status, 200);
      }
    } finally {
      await local.stop();
    }
  });
});

void describe('graceful shutdown', () => {
  void it('finishes in-flight requests, refuses new connections, then closes', async () => {
    const shutdownEvents: string[] = [];
    const local = await startTestServer({ bindings: [bindingWithSlowOperation(shutdownEvents)] });
    const inflightH1 = rawRequest(local.url, { headers: awsHeaders('Kinesis_20131202.Slow'), body: '{"ms":300}' });
    const inflightH2 = rawRequest(local.url, { http2: true, headers: awsHeaders('Kinesis_20131202.Slow'), body: '{"ms":300}' });
    await new Promise((r) => setTimeout(r, 100));
    const closing = local.stop();
    const [r1, r2] = await Promise.all([inflightH1, inflightH2]);
    assert.equal(r1.status, 200);
    assert.equal(r2.status, 200);
    await closing;
    assert.deepEqual(shutdownEvents, ['slow finished', 'slow finished']);
    await assert.rejects(rawRequest(local.url, { method: 'GET', path: '/health' }), /ECONNREFUSED/);
  });

  void it('aborts requests still running after the grace period', async () => {
    const shutdownEvents: string[] = [];
    const local = await startTestServer({ bindings: [bindingWithSlowOperation(shutdownEvents)], shutdownGraceMs: 200 });
    const inflight = rawRequest(local.url, { headers: awsHeaders('Kinesis_20131202.Slow'), body: '{"ms":10000}' }).then(
      (r) => r.status,
      () => 'connection closed',
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await local.stop();
    assert.ok(Date.now() - started < 3000);
    assert.deepEqual(shutdownEvents, ['slow aborted']);
    assert.ok([500, 'connection closed'].includes(await inflight));
  });
});

void describe('the request handed to the router', () => {
  const requests: ProtocolRequest[] = [];
  const stubRouter = {
    async handle(request: ProtocolRequest, response: ResponseSink): Promise<void> {
      requests.push(request);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': 2 });
      response.end('{}');
    },
    reject(): void {},
  } as unknown as AwsProtocolRouter;
  const listener = new HttpListener({
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1024,
    maxHeaderBytes: 16 * 1024,
    requestTimeoutMs: 5000,
    keepAliveTimeoutMs: 5000,
    router: stubRouter,
    isReady: () => true,
    logger: silentLogger,
  });
  let url = '';
  before(async () => {
    url = (await listener.listen()).url;
  });
  after(() => listener.close(1000));

  void it('carries headers, body, peer, method and target, and a signal getter shared by all requests', async () => {
    for (const http2 of [false, true]) {
      const res = await rawRequest(url, { headers: awsHeaders('Kinesis_20131202.ListStreams'), body: '{"Limit":3}', http2 });
      assert.equal(res.status, 200);
    }
    assert.equal(requests.length, 2);
    for (const request of requests) {
      assert.equal(request.headers['x-amz-target'], 'Kinesis_20131202.ListStreams');
      assert.equal(request.body.toString(), '{"Limit":3}');
      assert.equal(request.sourceIp, '127.0.0.1');
      assert.equal(request.secure, false);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/');
      assert.ok(request.signal instanceof AbortSignal);
      // Not an own accessor: a getter created per request (object literal) gave each request its own
      // hidden class, which kept requests alive through young-generation collections.
      assert.equal(Object.getOwnPropertyDescriptor(request, 'signal'), undefined);
    }
    assert.equal(Object.getPrototypeOf(requests[0]), Object.getPrototypeOf(requests[1]));
  });
});
