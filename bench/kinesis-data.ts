/**
 * Kinesis data-plane benchmark (issue #5). Not a test: it prints a table.
 *
 *   node --import tsx bench/kinesis-data.ts [--seconds 4] [--rounds 2] [--producers 8] [--shards 4]
 *     [--metrics on|off] [--fsync-modes always,never] [--scenarios ingest,drain,latency]
 *     [--sizes 100,1024] [--poll-ms 1] [--reuse on|off] [--server-node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"]
 *
 * Scenarios, each server in its own child process (the load generator runs in this process):
 * - ceiling: a bare Node HTTP/1.1 server that parses the same PutRecords JSON request (JSON.parse and
 *   base64 decode of every Data) and answers a canned 500-entry response;
 * - ingest: 8 concurrent producers over HTTP/1.1 keep-alive sending the body the SDK sends for
 *   PutRecords of 500 × 100 B and 500 × 1 KiB, to a 4-shard stream, `--fsync always` and `--fsync never`,
 *   limits off;
 * - drain: GetRecords from TRIM_HORIZON over all shards until caught up;
 * - put-to-get: one PutRecord producer (paced at up to 200/s), one polling GetRecords consumer per
 *   shard that polls again at once after records and `--poll-ms` (default 1; a list gives one row each)
 *   after an empty answer; latency from the put being sent to the record being returned. The row also
 *   gives the server's and the load generator's CPU per call (they share the machine's cores).
 * `--client sdk` sends the ingest scenarios through the AWS SDK for JavaScript v3 (one client, HTTP/1.1
 * keep-alive) instead of the lean pre-serialised client: the SDK's own cost then bounds both servers,
 * as it does for an application; the default lean client measures the servers themselves.
 * `--client cbor` is the lean client sending the same records as AWS CBOR, in the form the Java SDK v2
 * writes (indefinite-length maps, Data as byte strings); the ceiling then decodes CBOR (cbor-x) instead
 * of JSON and answers a canned CBOR response; the drain then asks GetRecords in CBOR too, as the KCL does.
 * Each ingest scenario is preceded by an unmeasured warm-up (`--warmup` seconds, per size) of both
 * servers, so the figures are steady state rather than JIT warm-up.
 * Server memory (RSS) is sampled before and after ingest to show it does not grow with retained data.
 * Each child reports its CPU time, so the table also gives server CPU per record — a figure that holds
 * up on a busy machine, where records/s depends on what else runs (ceiling and server runs are
 * interleaved for the same reason).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { decode as decodeCbor } from 'cbor-x';
import { decodeCborBody, encodeCbor } from '../packages/server/src/protocol/cbor-codec.js';
import { BENCH_AUTH, KINESIS_CBOR, postKinesis } from './lib/kinesis-http.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

// ---------------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------------

async function serveShardline(): Promise<void> {
  const { createApp, defaultServerConfig } = await import('../packages/server/src/index.js');
  // `--reuse off`: every request buffer allocated afresh (model/buffer-pool.ts), for an A/B comparison.
  (await import('../packages/server/src/model/buffer-pool.js')).requestBuffers.reuse = arg('reuse', 'on') !== 'off';
  const fsync = arg('fsync', 'always');
  const app = await createApp(
    {
      ...defaultServerConfig,
      port: 0,
      host: '127.0.0.1',
      dataDir: arg('data-dir', ''),
      inMemory: false,
      fsync: fsync === 'never' ? { mode: 'never' } : { mode: 'always' },
      limits: false,
      createStreamMs: 0,
      updateStreamMs: 0,
      logLevel: 'error',
    },
    { metrics: arg('metrics', 'on') !== 'off' },
  );
  const { port } = await app.listen();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  answerCpuRequests();
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

/** Children answer each line on stdin with their CPU time so far (µs), so runs can be compared by CPU per record. */
function answerCpuRequests(): void {
  process.stdin.on('data', (chunk: Buffer) => {
    for (const command of chunk.toString().split('\n').slice(0, -1)) {
      if (command === 'mem') {
        // Collect first (the child runs with --expose-gc) so the heap figure is live data, not garbage.
        (globalThis as { gc?: () => void }).gc?.();
        const m = process.memoryUsage();
        process.stdout.write(`${JSON.stringify({ heapUsed: m.heapUsed, external: m.external, rss: m.rss })}\n`);
      } else {
        const u = process.cpuUsage();
        process.stdout.write(`${JSON.stringify({ cpu: u.user + u.system })}\n`);
      }
    }
  });
}

interface MemoryFigures {
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
}

function serveCeiling(): void {
  const entries = Array.from({ length: 500 }, (_, i) => ({
    SequenceNumber: `4959${String(i).padStart(52, '0')}`,
    ShardId: `shardId-00000000000${i % 4}`,
  }));
  const canned = Buffer.from(JSON.stringify({ FailedRecordCount: 0, Records: entries, EncryptionType: 'NONE' }));
  const cannedCbor = encodeCbor({ FailedRecordCount: 0, Records: entries, EncryptionType: 'NONE' });
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const cbor = req.headers['content-type'] === KINESIS_CBOR;
      let bytes = 0;
      if (cbor) {
        const body = decodeCbor(Buffer.concat(chunks)) as { Records: { Data: Uint8Array; PartitionKey: string }[] };
        for (const r of body.Records) bytes += r.Data.length + r.PartitionKey.length;
      } else {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: { Data: string; PartitionKey: string }[] };
        for (const r of body.Records) bytes += Buffer.from(r.Data, 'base64').length + r.PartitionKey.length;
      }
      if (bytes < 0) throw new Error('unreachable');
      const answer = cbor ? cannedCbor : canned;
      res.writeHead(200, { 'content-type': cbor ? KINESIS_CBOR : 'application/x-amz-json-1.1', 'content-length': answer.length, 'x-amzn-requestid': 'bench' });
      res.end(answer);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
    answerCpuRequests();
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------
// Load generator
// ---------------------------------------------------------------------------------------------

interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  /** CPU time (user + system, µs) the child has used so far. */
  cpu(): Promise<number>;
  /** Live memory after a full collection. */
  memory(): Promise<MemoryFigures>;
}

async function startChild(role: string, extra: string[]): Promise<Child> {
  const self = fileURLToPath(import.meta.url);
  const nodeArgs = role === 'server' && arg('server-node-args', '') !== '' ? arg('server-node-args', '').split(' ') : [];
  const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, '--import', 'tsx', self, '--role', role, ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => void)[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    waiting.push((line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
  return {
    process: child,
    port,
    cpu: () =>
      new Promise<number>((resolve) => {
        waiting.push((line) => resolve((JSON.parse(line) as { cpu: number }).cpu));
        child.stdin?.write('cpu\n');
      }),
    memory: () =>
      new Promise<MemoryFigures>((resolve) => {
        waiting.push((line) => resolve(JSON.parse(line) as MemoryFigures));
        child.stdin?.write('mem\n');
      }),
  };
}

async function stopChild(child: Child): Promise<void> {
  await new Promise<void>((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.stdin?.end();
    child.process.kill('SIGTERM');
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
async function call(port: number, operation: string, body: Buffer | string): Promise<{ status: number; body: string }> {
  const res = await postKinesis(agent, port, operation, body);
  return { status: res.status, body: res.body.toString('utf8') };
}

async function callJson<T>(port: number, operation: string, input: unknown): Promise<T> {
  const res = await call(port, operation, JSON.stringify(input));
  if (res.status !== 200) throw new Error(`${operation}: ${res.status} ${res.body}`);
  return (res.body === '' ? {} : JSON.parse(res.body)) as T;
}

async function createStream(port: number, name: string, shards: number): Promise<string[]> {
  await callJson(port, 'CreateStream', { StreamName: name, ShardCount: shards });
  for (let i = 0; i < 500; i++) {
    const d = await callJson<{ StreamDescriptionSummary: { StreamStatus: string } }>(port, 'DescribeStreamSummary', { StreamName: name });
    if (d.StreamDescriptionSummary.StreamStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const list = await callJson<{ Shards: { ShardId: string }[] }>(port, 'ListShards', { StreamName: name });
  return list.Shards.map((s) => s.ShardId);
}

/** PutRecords bodies as the SDK serializes them (base64 Data, then PartitionKey), random keys. */
function putRecordsBodies(stream: string, recordBytes: number, count: number): Buffer[] {
  return Array.from({ length: count }, () =>
    Buffer.from(
      JSON.stringify({
        Records: Array.from({ length: 500 }, () => ({ Data: randomBytes(recordBytes).toString('base64'), PartitionKey: randomBytes(8).toString('hex') })),
        StreamName: stream,
      }),
    ),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface IngestResult {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** `--client sdk`: one AWS SDK v3 client per server (HTTP/1.1 keep-alive), as an application would send. */
const sdkClients = new Map<number, KinesisClient>();
function sdkClient(port: number): KinesisClient {
  let client = sdkClients.get(port);
  if (client === undefined) {
    client = new KinesisClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
      requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) }),
      maxAttempts: 1,
    });
    sdkClients.set(port, client);
  }
  return client;
}

/** The records of a PutRecords body, for the SDK (which does its own base64 and JSON). */
const sdkRecords = new WeakMap<Buffer, PutRecordsRequestEntry[]>();
function recordsOf(body: Buffer): PutRecordsRequestEntry[] {
  let records = sdkRecords.get(body);
  if (records === undefined) {
    const parsed = JSON.parse(body.toString()) as { Records: { Data: string; PartitionKey: string }[] };
    records = parsed.Records.map((r) => ({ Data: Buffer.from(r.Data, 'base64'), PartitionKey: r.PartitionKey }));
    sdkRecords.set(body, records);
  }
  return records;
}

/**
 * `--client cbor`: a PutRecords JSON body as the Java SDK v2 (Jackson) writes it in AWS CBOR: indefinite-
 * length maps, a definite-length Records array, Data as a byte string (built once per body).
 */
const cborBodies = new WeakMap<Buffer, Buffer>();
function cborOf(body: Buffer): Buffer {
  let cbor = cborBodies.get(body);
  if (cbor === undefined) {
    const parsed = JSON.parse(body.toString()) as { StreamName: string; Records: { Data: string; PartitionKey: string }[] };
    const n = parsed.Records.length; // 500: array head 0x99 + 2-byte length
    const parts: Buffer[] = [Buffer.from([0xbf]), encodeCbor('Records'), Buffer.from([0x99, n >>> 8, n & 0xff])];
    for (const r of parsed.Records) {
      parts.push(Buffer.from([0xbf]), encodeCbor('Data'), encodeCbor(Buffer.from(r.Data, 'base64')), encodeCbor('PartitionKey'), encodeCbor(r.PartitionKey), Buffer.from([0xff]));
    }
    parts.push(encodeCbor('StreamName'), encodeCbor(parsed.StreamName), Buffer.from([0xff]));
    cbor = Buffer.concat(parts);
    cborBodies.set(body, cbor);
  }
  return cbor;
}

/** How a CBOR PutRecords answer with no failed record starts: a map of 3, "FailedRecordCount", 0. */
const CBOR_ALL_STORED = Buffer.concat([Buffer.from([0xa3]), encodeCbor('FailedRecordCount'), encodeCbor(0)]);

async function ingest(port: number, bodies: Buffer[], recordBytes: number, producers: number, seconds: number): Promise<IngestResult> {
  const latencies: number[] = [];
  let records = 0;
  let failed = 0;
  const client = arg('client', 'raw');
  const useSdk = client === 'sdk';
  const useCbor = client === 'cbor';
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: producers }, async (_, p) => {
      for (let i = p; performance.now() < end; i += producers) {
        const t = performance.now();
        const body = bodies[i % bodies.length];
        if (useSdk) {
          const out = await sdkClient(port).send(new PutRecordsCommand({ StreamName: 'bench', Records: recordsOf(body) }));
          latencies.push(performance.now() - t);
          if (out.FailedRecordCount !== 0) failed++;
        } else if (useCbor) {
          const res = await postKinesis(agent, port, 'PutRecords', cborOf(body), KINESIS_CBOR);
          latencies.push(performance.now() - t);
          if (res.status !== 200) throw new Error(`PutRecords: ${res.status} ${res.body.toString('hex').slice(0, 300)}`);
          if (!res.body.subarray(0, CBOR_ALL_STORED.length).equals(CBOR_ALL_STORED)) failed++;
        } else {
          const res = await call(port, 'PutRecords', body);
          latencies.push(performance.now() - t);
          if (res.status !== 200) throw new Error(`PutRecords: ${res.status} ${res.body.slice(0, 300)}`);
          if (!res.body.startsWith('{"FailedRecordCount":0') && !res.body.includes('"FailedRecordCount":0,')) failed++;
        }
        records += 500;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { records, bytes: records * recordBytes, seconds: elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

interface DrainResult {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly calls: number;
}

async function drain(port: number, stream: string, shards: readonly string[], maxSeconds: number): Promise<DrainResult> {
  let records = 0;
  let bytes = 0;
  let calls = 0;
  const started = performance.now();
  const end = started + maxSeconds * 1000;
  await Promise.all(
    shards.map(async (shardId) => {
      let it = (await callJson<{ ShardIterator: string }>(port, 'GetShardIterator', { StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))
        .ShardIterator;
      while (performance.now() < end) {
        // `--client cbor`: GetRecords in AWS CBOR, as the KCL asks for it (Data comes back as bytes).
        const out =
          arg('client', 'raw') === 'cbor'
            ? (decodeCborBody((await postKinesis(agent, port, 'GetRecords', encodeCbor({ ShardIterator: it, Limit: 10000 }), KINESIS_CBOR)).body) as {
                Records: { Data: Uint8Array }[];
                NextShardIterator: string;
                MillisBehindLatest: number;
              })
            : await callJson<{ Records: { Data: string }[]; NextShardIterator: string; MillisBehindLatest: number }>(port, 'GetRecords', {
                ShardIterator: it,
                Limit: 10000,
              });
        calls++;
        records += out.Records.length;
        for (const r of out.Records) bytes += typeof r.Data === 'string' ? (r.Data.length * 3) / 4 : r.Data.length;
        it = out.NextShardIterator;
        if (out.Records.length === 0 || out.MillisBehindLatest === 0) break;
      }
    }),
  );
  return { records, bytes, seconds: (performance.now() - started) / 1000, calls };
}

/**
 * One keep-alive HTTP/1.1 connection for the put-to-get scenario, one request at a time: the request
 * is written as one string (headers as `call` sends them) and the response framed by its
 * Content-Length, which is how the server always answers. Node's http client costs several times the
 * server's CPU per call, and the two share the machine's cores, so with Agent-based calls the load
 * generator's own queueing showed up in the latency being measured.
 */
class LeanConnection {
  private readonly socket: net.Socket;
  private readonly ready: Promise<void>;
  private received: Buffer | undefined;
  private waiting: { resolve: (r: { status: number; body: string }) => void; reject: (e: Error) => void } | undefined;
  private closedError: Error | undefined;

  constructor(private readonly port: number) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  async call(operation: string, body: string): Promise<{ status: number; body: string }> {
    await this.ready;
    if (this.closedError) throw this.closedError;
    if (this.waiting) throw new Error('one request at a time');
    const result = new Promise<{ status: number; body: string }>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    this.socket.write(
      `POST / HTTP/1.1\r\nhost: 127.0.0.1:${this.port}\r\ncontent-type: application/x-amz-json-1.1\r\nx-amz-target: Kinesis_20131202.${operation}\r\n` +
        `x-amz-date: 20260101T000000Z\r\nauthorization: ${BENCH_AUTH}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return result;
  }

  async callJson<T>(operation: string, input: unknown): Promise<T> {
    const res = await this.call(operation, JSON.stringify(input));
    if (res.status !== 200) throw new Error(`${operation}: ${res.status} ${res.body}`);
    return JSON.parse(res.body) as T;
  }

  close(): void {
    this.closedError = new Error('closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const data = this.received === undefined ? chunk : Buffer.concat([this.received, chunk]);
    const headerEnd = data.indexOf('\r\n\r\n');
    if (headerEnd === -1) {
      this.received = data;
      return;
    }
    const head = data.toString('latin1', 0, headerEnd).toLowerCase();
    const at = head.indexOf('\r\ncontent-length:');
    if (at === -1 || / chunked/.test(head)) {
      this.fail(new Error(`response without Content-Length: ${head}`));
      return;
    }
    const eol = head.indexOf('\r\n', at + 17);
    const length = Number.parseInt(head.slice(at + 17, eol === -1 ? undefined : eol), 10);
    const total = headerEnd + 4 + length;
    if (data.length < total) {
      this.received = data;
      return;
    }
    if (data.length > total) {
      this.fail(new Error('unexpected bytes after a response'));
      return;
    }
    this.received = undefined;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ status: Number(head.slice(9, 12)), body: data.toString('utf8', headerEnd + 4, total) });
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(err);
  }
}

async function putToGet(
  port: number,
  stream: string,
  shards: readonly string[],
  seconds: number,
  ratePerSecond: number,
  pollMs: number,
): Promise<{ p50: number; p99: number; n: number; max: number; calls: number; putP50: number; putP99: number }> {
  const latencies: number[] = [];
  const putLatencies: number[] = [];
  let running = true;
  let calls = 0;
  const connections: LeanConnection[] = [];
  const connect = (): LeanConnection => {
    const c = new LeanConnection(port);
    connections.push(c);
    return c;
  };
  const consumers = shards.map(async (shardId) => {
    const connection = connect();
    let it = (
      await connection.callJson<{ ShardIterator: string }>('GetShardIterator', { StreamName: stream, ShardId: shardId, ShardIteratorType: 'LATEST' })
    ).ShardIterator;
    while (running) {
      const out = await connection.callJson<{ Records: { Data: string }[]; NextShardIterator: string }>('GetRecords', { ShardIterator: it });
      calls++;
      const now = performance.timeOrigin + performance.now();
      for (const r of out.Records) latencies.push(now - Number(Buffer.from(r.Data, 'base64').toString()));
      it = out.NextShardIterator;
      // Poll again at once after data; after an empty response wait `pollMs` (a tight poll loop).
      if (out.Records.length === 0) await new Promise((r) => setTimeout(r, pollMs));
    }
  });
  const producer = connect();
  await new Promise((r) => setTimeout(r, 200));
  const end = performance.now() + seconds * 1000;
  const interval = 1000 / ratePerSecond;
  for (let i = 0; performance.now() < end; i++) {
    const sent = performance.timeOrigin + performance.now();
    const res = await producer.call('PutRecord', JSON.stringify({ StreamName: stream, PartitionKey: `k${i}`, Data: Buffer.from(String(sent)).toString('base64') }));
    putLatencies.push(performance.timeOrigin + performance.now() - sent);
    if (res.status !== 200) throw new Error(`PutRecord: ${res.status} ${res.body}`);
    await new Promise((r) => setTimeout(r, interval));
  }
  await new Promise((r) => setTimeout(r, 300));
  running = false;
  await Promise.all(consumers);
  for (const c of connections) c.close();
  latencies.sort((a, b) => a - b);
  putLatencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    n: latencies.length,
    max: latencies[latencies.length - 1] ?? NaN,
    calls,
    putP50: percentile(putLatencies, 50),
    putP99: percentile(putLatencies, 99),
  };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

interface Totals {
  records: number;
  bytes: number;
  seconds: number;
  cpuUs: number;
  latencies: number[];
  failed: number;
}

function emptyTotals(): Totals {
  return { records: 0, bytes: 0, seconds: 0, cpuUs: 0, latencies: [], failed: 0 };
}

/** One ingest run against a child, adding throughput and the child's CPU time to `into`. */
async function measuredIngest(child: Child, bodies: Buffer[], recordBytes: number, producers: number, seconds: number, into: Totals): Promise<void> {
  const cpu0 = await child.cpu();
  const r = await ingest(child.port, bodies, recordBytes, producers, seconds);
  into.cpuUs += (await child.cpu()) - cpu0;
  into.records += r.records;
  into.bytes += r.bytes;
  into.seconds += r.seconds;
  into.failed += r.failed;
  into.latencies.push(r.p50, r.p99);
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '4'));
  const rounds = Number(arg('rounds', '2'));
  const producers = Number(arg('producers', '8'));
  const shardCount = Number(arg('shards', '4'));
  const metrics = arg('metrics', 'on');
  const fsyncModes = arg('fsync-modes', 'always,never').split(',');
  const scenarios = new Set(arg('scenarios', 'ingest,drain,latency').split(','));
  const rows: string[][] = [];
  const notes: string[] = [];
  const recordSizes = arg('sizes', '100,1024').split(',').map(Number);
  const sizes = recordSizes.map((bytes) => ({ label: bytes === 1024 ? '500×1 KiB' : `500×${bytes} B`, bytes, bodies: putRecordsBodies('bench', bytes, 16) }));
  const cpuPerRecord = (t: Totals) => t.cpuUs / t.records;
  const ingestRow = (label: string, target: string, t: Totals, ceiling?: Totals) => {
    const rate = t.records / t.seconds;
    const vsCeiling = ceiling ? `${fmt((100 * rate) / (ceiling.records / ceiling.seconds))}%` : '100%';
    const cpuVs = ceiling ? `${fmt((100 * cpuPerRecord(ceiling)) / cpuPerRecord(t))}%` : '100%';
    rows.push([
      `ingest ${label}`,
      target,
      fmt(rate),
      fmt(t.bytes / t.seconds / 1e6, 1),
      fmt(cpuPerRecord(t), 2),
      vsCeiling,
      cpuVs,
      `call p50 ${fmt(median(t.latencies.filter((_, i) => i % 2 === 0)), 1)} ms, p99 ${fmt(Math.max(...t.latencies.filter((_, i) => i % 2 === 1)), 1)} ms${t.failed ? `, ${t.failed} partial` : ''}`,
    ]);
  };

  const ceiling = await startChild('ceiling', []);
  const warmupSeconds = Number(arg('warmup', '1'));
  let ceilingWarm = false;
  const ceilingTotals = sizes.map(() => emptyTotals());
  for (const fsync of fsyncModes) {
    const dir = await mkdtemp(join(os.tmpdir(), 'shardline-bench-'));
    const server = await startChild('server', ['--fsync', fsync, '--data-dir', dir, '--metrics', metrics, '--reuse', arg('reuse', 'on')]);
    try {
      const shards = await createStream(server.port, 'bench', shardCount);
      const target = `shardline fsync ${fsync}`;
      if (scenarios.has('ingest')) {
        // Unmeasured warm-up of both servers (JIT, first segment files, caches): the figures are steady state.
        for (const size of sizes) {
          if (warmupSeconds > 0) await ingest(server.port, size.bodies, size.bytes, producers, warmupSeconds);
          if (warmupSeconds > 0 && !ceilingWarm) await ingest(ceiling.port, size.bodies, size.bytes, producers, warmupSeconds);
        }
        ceilingWarm = true;
        const memBefore = await server.memory();
        const totals = sizes.map(() => emptyTotals());
        // Interleave ceiling and server runs so that noise from other load hits both alike.
        for (let round = 0; round < rounds; round++) {
          for (const [i, size] of sizes.entries()) {
            await measuredIngest(ceiling, size.bodies, size.bytes, producers, seconds / rounds, ceilingTotals[i]);
            await measuredIngest(server, size.bodies, size.bytes, producers, seconds / rounds, totals[i]);
          }
        }
        const memAfter = await server.memory();
        sizes.forEach((size, i) => ingestRow(size.label, target, totals[i], ceilingTotals[i]));
        const retainedMB = totals.reduce((n, t) => n + t.bytes, 0) / 1e6;
        notes.push(`${target}: ${fmt(retainedMB)} MB of record data retained; server after GC: ${memFmt(memBefore)} before ingest → ${memFmt(memAfter)} after`);
      }
      if (scenarios.has('drain')) {
        const cpu0 = await server.cpu();
        const d = await drain(server.port, 'bench', shards, Math.max(10, seconds * 4));
        const cpu = (await server.cpu()) - cpu0;
        rows.push(['drain TRIM_HORIZON', target, fmt(d.records / d.seconds), fmt(d.bytes / d.seconds / 1e6, 1), fmt(cpu / d.records, 2), '', '', `${fmt(d.records)} records, ${fmt(d.calls)} GetRecords calls`]);
        notes.push(`${target}: server after GC after drain: ${memFmt(await server.memory())}`);
      }
      if (scenarios.has('latency')) {
        // --poll-ms 1,5,20 gives one row per poll interval (each on a fresh stream); the default is 1.
        for (const [i, pollMs] of arg('poll-ms', '1').split(',').map(Number).entries()) {
          const name = i === 0 ? 'latency' : `latency-${i}`;
          const latShards = await createStream(server.port, name, shardCount);
          const cpu0 = await server.cpu();
          const client0 = process.cpuUsage();
          const lat = await putToGet(server.port, name, latShards, seconds, 200, pollMs);
          const client = process.cpuUsage(client0);
          const cpuPerCall = ((await server.cpu()) - cpu0) / (lat.calls + lat.n);
          const clientCpuPerCall = (client.user + client.system) / (lat.calls + lat.n);
          rows.push([
            `put-to-get (poll ${pollMs} ms)`,
            target,
            fmt(lat.n / seconds),
            '',
            '',
            '',
            '',
            `p50 ${fmt(lat.p50, 2)} ms, p99 ${fmt(lat.p99, 2)} ms, max ${fmt(lat.max, 1)} ms (${lat.n} records; ${fmt(lat.calls / seconds)} GetRecords/s, server CPU ${fmt(cpuPerCall)} µs per call, load generator ${fmt(clientCpuPerCall)} µs; PutRecord call p50 ${fmt(lat.putP50, 2)} ms, p99 ${fmt(lat.putP99, 2)} ms)`,
          ]);
        }
      }
    } finally {
      await stopChild(server);
      await rm(dir, { recursive: true, force: true });
    }
  }
  await stopChild(ceiling);
  if (scenarios.has('ingest')) sizes.forEach((size, i) => ingestRow(size.label, 'bare-node ceiling', ceilingTotals[i]));
  agent.destroy();
  for (const client of sdkClients.values()) client.destroy();

  const cpus = os.cpus();
  console.log('');
  console.log('Shardline Kinesis data-plane benchmark');
  console.log(
    `node ${process.version} · ${os.type()} ${os.release()} · ${cpus.length} × ${cpus[0]?.model ?? '?'} · ${fmt(os.totalmem() / 2 ** 30)} GiB · load average ${os
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}`,
  );
  console.log(
    `${producers} producers (${{ sdk: 'AWS SDK v3 client', cbor: 'lean pre-serialised client, AWS CBOR' }[arg('client', 'raw')] ?? 'lean pre-serialised client'}), HTTP/1.1 keep-alive, ${shardCount} shards, limits off, metrics ${metrics}, ${seconds} s per ingest scenario in ${rounds} interleaved rounds, after a ${arg("warmup", "1")} s warm-up`,
  );
  const header = ['scenario', 'target', 'records/s', 'MB/s', 'server CPU µs/record', 'rate vs ceiling', 'CPU efficiency vs ceiling', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  for (const n of notes) console.log(`  ${n}`);
}

function memFmt(m: MemoryFigures): string {
  const mib = (n: number) => fmt(n / 2 ** 20);
  return `heap ${mib(m.heapUsed)} MiB, external ${mib(m.external)} MiB, RSS ${mib(m.rss)} MiB`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

const role = arg('role', 'main');
if (role === 'server') await serveShardline();
else if (role === 'ceiling') serveCeiling();
else await main();
