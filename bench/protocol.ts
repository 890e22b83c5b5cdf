/**
 * Protocol benchmark (issue #2). Not a test: it prints a table.
 *
 *   node --import tsx bench/protocol.ts [--seconds 10] [--concurrency 1,16] [--http1]
 *
 * A cheap read-only call (ListStreams) through the JS SDK v3 (its default HTTP/2 handler, which opens
 * a new HTTP/2 session per request) with 1 and 16 concurrent clients, against
 * - "bare": a Node server with the same h2c/HTTP/1.1 sniffing that answers a canned ListStreams body;
 * - "shardline": the real app (router, JSON codec, model validation, Kinesis ListStreams over in-memory
 *   storage; limits and metrics off so the AWS 5 TPS ListStreams quota does not throttle the run).
 * Each server runs in its own child process; this process is the load generator. Per concurrency
 * level, the two servers are measured in alternating 1 s slices (--seconds slices each, after 2 s of
 * warm-up each), so drift in the load generator affects both alike.
 * --http1 adds the same scenarios with the SDK's NodeHttpHandler (HTTP/1.1 keep-alive).
 */
import { fileURLToPath } from 'node:url';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startBareServer } from './lib/bare-server.js';
import { answerCpuQueries, startChildServer } from './lib/child-server.js';
import type { ChildServer } from './lib/child-server.js';
import { printEnvironment } from './lib/environment.js';
import { printTable, summarize } from './lib/stats.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}

/** What Shardline answers for ListStreams on an empty server, so both servers send the same bytes. */
const CANNED = '{"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]}';

async function serveBare(): Promise<void> {
  const server = await startBareServer(CANNED);
  answerCpuQueries();
  process.stdout.write(`listening ${server.url}\n`);
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

async function serveShardline(): Promise<void> {
  const { createApp, defaultServerConfig } = await import('../packages/server/src/index.js');
  const app = await createApp(
    { ...defaultServerConfig, port: 0, inMemory: true, limits: false, logLevel: 'silent' },
    { metrics: false },
  );
  const { url } = await app.listen();
  answerCpuQueries();
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

interface Result {
  calls: number;
  /** Server CPU time used during the measured slices. */
  cpuMicros: number;
  errors: number;
  seconds: number;
  readonly latencies: number[];
}

function newClients(url: string, concurrency: number, http1: boolean): KinesisClient[] {
  return Array.from(
    { length: concurrency },
    () =>
      new KinesisClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
        maxAttempts: 1,
        ...(http1 ? { requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 1 } }) } : {}),
      }),
  );
}

/** Run `clients` in closed loops for `ms`, adding to `into` (if given). */
async function runFor(clients: readonly KinesisClient[], ms: number, server: ChildServer, into?: Result): Promise<void> {
  const cpuBefore = into ? await server.cpuMicros() : 0;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await client.send(new ListStreamsCommand({}));
          if (into) {
            into.latencies.push(performance.now() - t0);
            into.calls++;
          }
        } catch {
          if (into) into.errors++;
        }
      }
    }),
  );
  if (into) {
    into.seconds += (performance.now() - started) / 1000;
    into.cpuMicros += (await server.cpuMicros()) - cpuBefore;
  }
}

/**
 * Measure both servers in alternating one-second slices (order flipped every round), so slow drift in
 * the shared load-generator process (JIT, GC, socket churn) affects both equally.
 */
async function compare(servers: { bare: ChildServer; shardline: ChildServer }, concurrency: number, seconds: number, http1: boolean): Promise<{ bare: Result; shardline: Result }> {
  const bareClients = newClients(servers.bare.url, concurrency, http1);
  const shardClients = newClients(servers.shardline.url, concurrency, http1);
  const bare: Result = { calls: 0, cpuMicros: 0, errors: 0, seconds: 0, latencies: [] };
  const shardline: Result = { calls: 0, cpuMicros: 0, errors: 0, seconds: 0, latencies: [] };
  try {
    for (let i = 0; i < 2; i++) {
      await runFor(bareClients, 1000, servers.bare);
      await runFor(shardClients, 1000, servers.shardline);
    }
    for (let round = 0; round < seconds; round++) {
      if (round % 2 === 0) {
        await runFor(bareClients, 1000, servers.bare, bare);
        await runFor(shardClients, 1000, servers.shardline, shardline);
      } else {
        await runFor(shardClients, 1000, servers.shardline, shardline);
        await runFor(bareClients, 1000, servers.bare, bare);
      }
    }
  } finally {
    for (const c of [...bareClients, ...shardClients]) c.destroy();
  }
  return { bare, shardline };
}

async function drive(): Promise<void> {
  const seconds = Number(arg('seconds', '10'));
  const levels = arg('concurrency', '1,16').split(',').map(Number);
  const transports = argv.includes('--http1') ? [false, true] : [false];
  const self = fileURLToPath(import.meta.url);
  printEnvironment({ benchmark: 'protocol: ListStreams via @aws-sdk/client-kinesis', 'seconds per scenario': String(seconds) });

  const servers: Record<'bare' | 'shardline', ChildServer> = {
    bare: await startChildServer(self, ['--role', 'bare']),
    shardline: await startChildServer(self, ['--role', 'shardline']),
  };
  const rows: (string | number)[][] = [['transport', 'clients', 'server', 'calls/s', 'p50 ms', 'p99 ms', 'errors', 'server CPU µs/call', 'calls/s vs bare']];
  try {
    for (const http1 of transports) {
      for (const concurrency of levels) {
        const { bare, shardline: shard } = await compare(servers, concurrency, seconds, http1);
        const transport = http1 ? 'HTTP/1.1' : 'HTTP/2 (h2c)';
        const bareRate = bare.calls / bare.seconds;
        const shardRate = shard.calls / shard.seconds;
        const b = summarize(bare.latencies);
        const s = summarize(shard.latencies);
        rows.push([transport, String(concurrency), 'bare', bareRate, b.p50Ms, b.p99Ms, String(bare.errors), bare.cpuMicros / Math.max(1, bare.calls), '']);
        rows.push([transport, String(concurrency), 'shardline', shardRate, s.p50Ms, s.p99Ms, String(shard.errors), shard.cpuMicros / Math.max(1, shard.calls), `${((shardRate / bareRate) * 100).toFixed(0)}%`]);
      }
    }
  } finally {
    await servers.bare.stop();
    await servers.shardline.stop();
  }
  printTable(rows);
}

const role = arg('role', 'driver');
if (role === 'bare') await serveBare();
else if (role === 'shardline') await serveShardline();
else await drive();
