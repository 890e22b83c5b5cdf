/**
 * Bounded fuzz against a running --auth sigv4 server: 2000 malformed, truncated, oversized-header and
 * random requests over HTTP/1.1 (random Authorization headers, mutated signed requests, random bodies
 * and targets). Every answer must be a well-formed AWS error (JSON with __type and message, 4xx, the
 * x-amzn-ErrorType header), the server must stay up, and a record written before is still readable.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { TestSha256 } from '../support/sha256.js';


function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = { accessKeyId: 'AKIAFUZZADMIN0000001', secretAccessKey: 'fuzz-admin-secret' };
let dir: string;
let server: TestServer;
let client: KinesisClient;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shardline-fuzz-'));
  await writeFile(join(dir, 'auth.json'), JSON.stringify({ accounts: [{ id: '111122223333', users: [{ name: 'admin', ...KEYS, policies: [{ Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }] }] }] }));
  server = await startTestServer({ persistent: true, auth: 'sigv4', authFile: join(dir, 'auth.json'), accountId: '111122223333', createStreamMs: 0 });
  client = new KinesisClient({ endpoint: server.url, region: 'us-east-1', credentials: KEYS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
});
after(async () => {
  client.destroy();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

function send(agent: http.Agent, headers: Record<string, string>, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

void describe('server fuzz with --auth sigv4', () => {
  void it('answers 2000 bad requests with well-formed AWS errors and keeps the data', async () => {
    await client.send(new CreateStreamCommand({ StreamName: 'fuzz', ShardCount: 1 }));
    const payload = Buffer.from('DATA-WRITTEN-BEFORE-THE-FUZZ');
    await client.send(new PutRecordCommand({ StreamName: 'fuzz', PartitionKey: 'p', Data: payload }));
    await client.send(new CreateStreamCommand({ StreamName: 'victim', ShardCount: 1 }));
    let equivalentCount = 0;

    const url = new URL(server.url);
    const signer = new SignatureV4({ credentials: KEYS, region: 'us-east-1', service: 'kinesis', sha256: TestSha256 });
    // The signed request the fuzz mutates: deleting another stream.
    const goodBody = Buffer.from(JSON.stringify({ StreamName: 'victim' }));
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.DeleteStream' },
      body: goodBody,
    });
    const rand = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const text = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const seen = new Map<string, number>();
    const N = 2000;
    try {
      for (let batch = 0; batch < N; batch += 20) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, j) => {
            const n = batch + j;
            const headers: Record<string, string> = { ...(signed.headers as Record<string, string>) };
            let body: Buffer = goodBody;
            const squash = (v: string): string => v.replace(/\s+/g, '');
            switch (n % 6) {
              case 0:
                headers.authorization = text(Math.floor(rand() * 300));
                break;
              case 1: {
                const a = headers.authorization;
                const i = Math.floor(rand() * a.length);
                headers.authorization = a.slice(0, i) + text(1 + Math.floor(rand() * 3)) + a.slice(i + 1);
                break;
              }
              case 2:
                body = bytes(Math.floor(rand() * 2000)); // tampered / random body under a valid signature
                break;
              case 3:
                headers['x-amz-target'] = pick(['Kinesis_20131202.' + text(8), 'Kinesis_20131202.ListStreams', 'Nope.Op', '']);
                break;
              case 4:
                headers['x-amz-date'] = pick(['20000101T000000Z', '99999999T999999Z', text(16), '']);
                break;
              default:
                delete headers.authorization;
                headers['content-type'] = pick(['application/x-amz-cbor-1.1', 'application/json', 'text/plain']);
                body = bytes(Math.floor(rand() * 500));
            }
            for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
            const res = await send(agent, headers, body);
            const equivalent = n % 6 === 1 && squash(headers.authorization) === squash(String(signed.headers.authorization));
            if (equivalent) {
              equivalentCount++; // whitespace or an unchanged character: still the signer's own request
              return;
            }
            assert.ok(res.status >= 400 && res.status < 500, `case ${n}: status ${res.status} ${res.body}`);
            const type = String(res.headers['x-amzn-errortype']);
            assert.match(type, /^[A-Za-z]+$/, `case ${n}`);
            if (String(res.headers['content-type']).includes('json')) {
              const parsed = JSON.parse(res.body) as { __type: string; message: string };
              assert.equal(parsed.__type, type);
              assert.equal(typeof parsed.message, 'string');
            }
            seen.set(type, (seen.get(type) ?? 0) + 1);
          }),
        );
      }
    } finally {
      agent.destroy();
    }
    assert.ok((seen.get('InvalidSignatureException') ?? 0) > 0, JSON.stringify([...seen]));
    assert.ok((seen.get('IncompleteSignatureException') ?? 0) > 0, JSON.stringify([...seen]));
    assert.ok((seen.get('MissingAuthenticationTokenException') ?? 0) > 0, JSON.stringify([...seen]));
    // No forged request deleted the stream (unless an equivalent one did), and the data is intact.
    const it0 = await client.send(new GetShardIteratorCommand({ StreamName: 'fuzz', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
    assert.deepEqual(Buffer.from(got.Records?.[0]?.Data ?? []), payload);
    if (equivalentCount === 0) await client.send(new DescribeStreamSummaryCommand({ StreamName: 'victim' }));
  });
});
