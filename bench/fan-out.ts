/**
 * Enhanced fan-out benchmark (issue #6). Not a test: it prints a table.
 *
 *   node --import tsx bench/fan-out.ts [--seconds 5] [--rate 1000] [--subscribers 1,5,20] [--storage memory|embedded]
 *
 * The server (the real app: router, event-stream writer, SubscribeToShard, limits off) runs in a child
 * process; this process is the load generator. For each subscriber count N: a fresh 1-shard stream,
 * N registered consumers each subscribed (SubscribeToShard, LATEST) over its own HTTP/2 session with
 * node:http2 in a second child process (so decoding 20 streams does not delay the producer), and one
 * producer in this process sending PutRecord over an HTTP/1.1 keep-alive connection at `--rate`
 * records/s (paced to a schedule, at most 4 requests in flight; "late puts" = sent > 5 ms after their slot).
 * Each record's PartitionKey carries its index and send time (epoch ms from performance.timeOrigin +
 * performance.now(), comparable across processes on one machine). Latency of a record = time it arrives at
 * a subscriber (frame decoded) − time its PutRecord was sent; p50/p99/max over every (record,
 * subscriber) pair after a 0.5 s warm-up. Target on this machine: p50 < 5 ms, p99 < 20 ms at N = 20.
 *
 * A second table ("direct") runs the same scenario in one process through the Kinesis handler table
 * (createKinesisBinding: PutRecord and SubscribeToShard handlers, memory storage) without HTTP: the
 * cost of the push path itself (append → wake → read → event), from the PutRecord call to the event
 * reaching each subscriber's iterator.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_AUTH, postKinesis } from './lib/kinesis-http.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

// ---------------------------------------------------------------------------------------------
// Child: the server
// ---------------------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const { createApp, defaultServerConfig } = await import('../packages/server/src/index.js');
  const dataDir = arg('data-dir', '');
  const app = await createApp({
    ...defaultServerConfig,
    port: 0,
    host: '127.0.0.1',
    inMemory: dataDir === '',
    dataDir: dataDir === '' ? defaultServerConfig.dataDir : dataDir,
    fsync: { mode: 'never' },
    limits: false,
    createStreamMs: 0,
    updateStreamMs: 0,
    consumerMs: 0,
    logLevel: 'error',
  });
  const { port } = await app.listen();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.on('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------
// Child: the subscribers (argv: --port, --consumers a,b,c, --warmup n); prints "ready", then on
// SIGTERM prints {received[], latenciesMs[]} as one JSON line and exits.
// ---------------------------------------------------------------------------------------------

async function subscribers(): Promise<void> {
  const port = Number(arg('port', '0'));
  const arns = arg('consumers', '').split(',');
  const warmup = Number(arg('warmup', '0'));
  const subs = arns.map((arn) => subscribe(port, arn, warmup));
  await until('subscriptions', async () => subs.every((s) => s.started));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    const out = { received: subs.map((s) => s.received), latenciesMs: subs.flatMap((s) => s.latenciesMs) };
    for (const s of subs) s.close();
    process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------
// Parent: load generator
// ---------------------------------------------------------------------------------------------

async function startServer(dataDir: string | undefined): Promise<{ child: ChildProcess; port: number }> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--role', 'server', ...(dataDir ? ['--data-dir', dataDir] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

const MAX_IN_FLIGHT = 4;
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

async function call(port: number, operation: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await postKinesis(agent, port, operation, JSON.stringify(body));
  const text = res.body.toString();
  if (res.status >= 300) throw new Error(`${operation}: ${res.status} ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Subscriber {
  readonly latenciesMs: number[];
  received: number;
  started: boolean;
  close(): void;
}

/** One SubscribeToShard over its own HTTP/2 session; records carry their index in PartitionKey. */
function subscribe(port: number, consumerArn: string, warmupIndex: number): Subscriber {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  const req = session.request({
    ':method': 'POST',
    ':path': '/',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'Kinesis_20131202.SubscribeToShard',
    authorization: BENCH_AUTH,
  });
  req.end(JSON.stringify({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } }));
  const sub: Subscriber = { latenciesMs: [], received: 0, started: false, close: () => session.destroy() };
  let buf: Buffer = Buffer.alloc(0);
  req.on('data', (chunk: Buffer) => {
    const now = performance.timeOrigin + performance.now();
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 12 && buf.length >= buf.readUInt32BE(0)) {
      const total = buf.readUInt32BE(0);
      const headersLength = buf.readUInt32BE(4);
      const payload = buf.toString('utf8', 12 + headersLength, total - 4);
      buf = buf.subarray(total);
      sub.started = true;
      if (!payload.startsWith('{"Records"')) continue;
      const event = JSON.parse(payload) as { Records: Array<{ PartitionKey: string }> };
      for (const r of event.Records) {
        const colon = r.PartitionKey.indexOf(':');
        const i = Number(r.PartitionKey.slice(0, colon));
        sub.received++;
        if (i >= warmupIndex) sub.latenciesMs.push(now - Number(r.PartitionKey.slice(colon + 1)));
      }
    }
  });
  req.on('error', () => undefined);
  return sub;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function scenario(port: number, subscribers: number, rate: number, seconds: number): Promise<string[]> {
  const stream = `fan-${subscribers}-${Date.now()}`;
  await call(port, 'CreateStream', { StreamName: stream, ShardCount: 1 });
  let streamArn = '';
  await until('stream', async () => {
    const d = (await call(port, 'DescribeStreamSummary', { StreamName: stream })).StreamDescriptionSummary as {
      StreamStatus: string;
      StreamARN: string;
    };
    streamArn = d.StreamARN;
    return d.StreamStatus === 'ACTIVE';
  });
  const total = Math.round(rate * seconds);
  const arns: string[] = [];
  for (let i = 0; i < subscribers; i++) {
    const c = (await call(port, 'RegisterStreamConsumer', { StreamARN: streamArn, ConsumerName: `c${i}` })).Consumer as { ConsumerARN: string };
    await until('consumer', async () => {
      const d = (await call(port, 'DescribeStreamConsumer', { ConsumerARN: c.ConsumerARN })).ConsumerDescription as { ConsumerStatus: string };
      return d.ConsumerStatus === 'ACTIVE';
    });
    arns.push(c.ConsumerARN);
  }
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', self, '--role', 'subscribers', '--port', String(port), '--consumers', arns.join(','), '--warmup', String(Math.round(rate * 0.5))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await until('subscriber process', async () => out.startsWith('ready\n'));
  const data = Buffer.alloc(100, 'x').toString('base64');
  const start = performance.now();
  let late = 0;
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    // Timers have ~1 ms resolution; no spinning (this loop shares the event loop with the subscribers).
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - due > 5) late++;
    // On schedule rather than after the previous response: up to MAX_IN_FLIGHT requests, each on its
    // own socket (never queued in the agent, so the send time is the time it goes out).
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const p: Promise<unknown> = call(port, 'PutRecord', {
      StreamName: stream,
      PartitionKey: `${i}:${(performance.timeOrigin + performance.now()).toFixed(3)}`,
      Data: data,
    }).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  // Let the last records arrive, then collect.
  await new Promise((r) => setTimeout(r, 1000));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  const result = JSON.parse(out.slice('ready\n'.length)) as { received: number[]; latenciesMs: number[] };
  const all = result.latenciesMs.sort((a, b) => a - b);
  const missing = result.received.reduce((n, r) => n + (total - r), 0);
  return [
    String(subscribers),
    (total / elapsed).toFixed(0),
    String(all.length),
    percentile(all, 0.5).toFixed(2),
    percentile(all, 0.99).toFixed(2),
    all.length > 0 ? all[all.length - 1].toFixed(2) : 'n/a',
    String(missing),
    String(late),
  ];
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

/** The same scenario in-process through the handler table, no HTTP. */
async function direct(subscribers: number, rate: number, seconds: number): Promise<string[]> {
  const { createKinesisBinding } = await import('../packages/server/src/kinesis/binding.js');
  const { defaultKinesisSettings } = await import('../packages/server/src/kinesis/settings.js');
  const { openStorage } = await import('../packages/server/src/storage/open-storage.js');
  const { silentLogger } = await import('../packages/server/src/logger.js');
  const { systemClock } = await import('../packages/server/src/model/context.js');
  const storage = await openStorage({ inMemory: true });
  const service = await createKinesisBinding({
    storage,
    clock: systemClock,
    logger: silentLogger,
    settings: { ...defaultKinesisSettings, limits: false, createStreamMs: 0, consumerMs: 0 },
  });
  const abort = new AbortController();
  const ctx = {
    requestId: 'bench',
    region: 'us-east-1',
    caller: { accountId: defaultKinesisSettings.defaultAccountId },
    protocol: 'json' as const,
    sourceIp: '127.0.0.1',
    userAgent: 'bench',
    secureTransport: false,
    signal: abort.signal,
  };
  const h = service.binding.handlers;
  // Subscriptions end together at the end of the run (one signal, many listeners).
  const subscriptionAbort = new AbortController();
  setMaxListeners(0, subscriptionAbort.signal);
  const invoke = async (op: string, input: unknown, signal: AbortSignal = abort.signal): Promise<Record<string, unknown>> => {
    const handler = h[op];
    if (!handler) throw new Error(`no handler ${op}`);
    return ((await handler(input, { ...ctx, signal })) ?? {}) as Record<string, unknown>;
  };
  try {
    await invoke('CreateStream', { StreamName: 'direct', ShardCount: 1 });
    await new Promise((r) => setTimeout(r, 5));
    const summary = (await invoke('DescribeStreamSummary', { StreamName: 'direct' })).StreamDescriptionSummary as { StreamARN: string };
    const total = Math.round(rate * seconds);
    const warmup = Math.round(rate * 0.5);
    const sentAt = new Float64Array(total);
    const latencies: number[] = [];
    const received = new Array<number>(subscribers).fill(0);
    const pumps: Array<Promise<void>> = [];
    for (let i = 0; i < subscribers; i++) {
      const c = (await invoke('RegisterStreamConsumer', { StreamARN: summary.StreamARN, ConsumerName: `c${i}` })).Consumer as { ConsumerARN: string };
      await new Promise((r) => setTimeout(r, 1));
      const out = await invoke(
        'SubscribeToShard',
        { ConsumerARN: c.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } },
        subscriptionAbort.signal,
      );
      const events = out.EventStream as AsyncIterable<{ SubscribeToShardEvent?: { Records: Array<{ PartitionKey: string }> } }>;
      pumps.push(
        (async () => {
          for await (const e of events) {
            const now = performance.now();
            for (const r of e.SubscribeToShardEvent?.Records ?? []) {
              const n = Number(r.PartitionKey);
              received[i]++;
              if (n >= warmup) latencies.push(now - sentAt[n]);
            }
            if (received[i] >= total) break;
          }
        })(),
      );
    }
    const data = Buffer.alloc(100, 'x');
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sentAt[i] = performance.now();
      await invoke('PutRecord', { StreamName: 'direct', PartitionKey: String(i), Data: data });
    }
    const elapsed = (performance.now() - start) / 1000;
    await Promise.race([Promise.all(pumps), new Promise((r) => setTimeout(r, 5000))]);
    latencies.sort((a, b) => a - b);
    const missing = received.reduce((n, r) => n + (total - r), 0);
    return [
      String(subscribers),
      (total / elapsed).toFixed(0),
      String(latencies.length),
      percentile(latencies, 0.5).toFixed(3),
      percentile(latencies, 0.99).toFixed(3),
      latencies.length > 0 ? latencies[latencies.length - 1].toFixed(3) : 'n/a',
      String(missing),
    ];
  } finally {
    abort.abort();
    subscriptionAbort.abort();
    await service.close();
    await storage.close();
  }
}

async function main(): Promise<void> {
  if (arg('role', '') === 'server') return serve();
  if (arg('role', '') === 'subscribers') return subscribers();
  const seconds = Number(arg('seconds', '5'));
  const rate = Number(arg('rate', '1000'));
  const counts = arg('subscribers', '1,5,20').split(',').map(Number);
  const embedded = arg('storage', 'memory') === 'embedded';
  const dataDir = embedded ? await mkdtemp(join(os.tmpdir(), 'shardline-bench-')) : undefined;
  const { child, port } = await startServer(dataDir);
  try {
    console.log(`# Shardline fan-out put-to-push latency`);
    console.log(
      `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ` +
        `storage ${embedded ? 'embedded (fsync never)' : 'memory'}, limits off, ${rate} records/s × ${seconds} s of 100 B, 1 shard, ` +
        `producer PutRecord over HTTP/1.1, subscribers SubscribeToShard over HTTP/2 (node:http2), server in a child process`,
    );
    const rows: string[][] = [];
    for (const n of counts) rows.push(await scenario(port, n, rate, seconds));
    console.log(table(['subscribers', 'put rate/s', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'missing', 'late puts'], rows));
    console.log('\n# direct: same load through the handler table in one process, no HTTP');
    const directRows: string[][] = [];
    for (const n of counts) directRows.push(await direct(n, rate, seconds));
    console.log(table(['subscribers', 'put rate/s', 'samples', 'p50 ms', 'p99 ms', 'max ms', 'missing'], directRows));
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
