/**
 * Metrics overhead benchmark (issue #8). Not a test: it prints a table.
 *
 *   node --import tsx bench/metrics.ts [--rounds 20] [--seconds 0.5] [--shards 4] [--producers 8]
 *
 * Ingest throughput with Kinesis metrics counted vs. not counted, in the same run, in memory, limits
 * off, PutRecords of 500 × 100 B records with distinct partition keys:
 *
 * - handler: the binding's PutRecords handler called directly (no HTTP, no codec) — the strictest view
 *   of the counting cost, since nothing else dilutes it;
 * - http: `createApp` servers (metrics on / `{ metrics: false }`) in this process, `--producers`
 *   concurrent HTTP/1.1 keep-alive producers sending the JSON body the SDK sends.
 *
 * Rounds alternate on/off (order flipped every round, each on a fresh server with empty storage) and the table reports medians and quartiles, so
 * drift in CPU frequency or GC affects both sides alike; on a loaded machine the quartiles show when
 * the A/B difference is noise. "counting alone" times the instrumentation wrapped around a stub
 * handler (canned 500-entry answer) against the stub alone: the counting cost without the noise.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { App } from '../packages/server/src/app.js';
import { createApp } from '../packages/server/src/app.js';
import { defaultServerConfig } from '../packages/server/src/config/server-config.js';
import { createKinesisBinding } from '../packages/server/src/kinesis/binding.js';
import { defaultKinesisSettings } from '../packages/server/src/kinesis/settings.js';
import { silentLogger } from '../packages/server/src/logger.js';
import { MetricsService } from '../packages/server/src/metrics/metrics-service.js';
import type { RequestContext } from '../packages/server/src/model/context.js';
import { systemClock } from '../packages/server/src/model/context.js';
import type { OperationHandler } from '../packages/server/src/model/operation.js';
import { openStorage } from '../packages/server/src/storage/open-storage.js';
import { postKinesis } from './lib/kinesis-http.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}
const ROUNDS = Number(arg('rounds', '20'));
const SECONDS = Number(arg('seconds', '0.5'));
const SHARDS = Number(arg('shards', '4'));
const PRODUCERS = Number(arg('producers', '8'));
const BATCH = 500;
const RECORD_BYTES = 100;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function context(): RequestContext {
  return {
    requestId: randomUUID(),
    region: 'us-east-1',
    caller: { accountId: '000000000000' },
    protocol: 'json',
    sourceIp: '127.0.0.1',
    userAgent: 'bench',
    secureTransport: false,
    signal: new AbortController().signal,
  };
}

function entries(round: number): { PartitionKey: string; Data: string }[] {
  const data = Buffer.alloc(RECORD_BYTES, 7).toString('base64');
  return Array.from({ length: BATCH }, (_, i) => ({ PartitionKey: `pk-${round}-${i}`, Data: data }));
}

// ---------------------------------------------------------------------------------------------
// handler level
// ---------------------------------------------------------------------------------------------

interface HandlerSide {
  run(seconds: number): Promise<number>;
  close(): Promise<void>;
}

async function handlerSide(counting: boolean): Promise<HandlerSide> {
  const storage = await openStorage({ inMemory: true, clock: systemClock });
  const kinesis = await createKinesisBinding({
    storage,
    clock: systemClock,
    logger: silentLogger,
    settings: { ...defaultKinesisSettings, limits: false, createStreamMs: 0 },
  });
  const metrics = counting
    ? await MetricsService.open({ clock: systemClock, logger: silentLogger, defaultAccountId: '000000000000', defaultRegion: 'us-east-1' })
    : undefined;
  const handlers = (metrics ? metrics.instrument(kinesis.binding.handlers as Record<string, OperationHandler>, kinesis.env.streams) : kinesis.binding.handlers) as Record<
    string,
    OperationHandler
  >;
  const call = async (op: string, raw: unknown): Promise<unknown> => {
    const h = handlers[op];
    if (!h) throw new Error(op);
    return h(kinesis.binding.parseInput(op, raw, 'json'), context());
  };
  await call('CreateStream', { StreamName: 'bench', ShardCount: SHARDS });
  await new Promise((r) => setTimeout(r, 5));
  const input = kinesis.binding.parseInput('PutRecords', { StreamName: 'bench', Records: entries(0) }, 'json');
  const put = handlers.PutRecords;
  if (!put) throw new Error('PutRecords');
  const ctx = context();
  return {
    async run(seconds) {
      let records = 0;
      const end = performance.now() + seconds * 1000;
      const started = performance.now();
      while (performance.now() < end) {
        // 4 calls in flight, as concurrent producers would have
        await Promise.all([put(input, ctx), put(input, ctx), put(input, ctx), put(input, ctx)]);
        records += 4 * BATCH;
      }
      return records / ((performance.now() - started) / 1000);
    },
    async close() {
      await metrics?.close();
      await kinesis.close();
      await storage.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP level
// ---------------------------------------------------------------------------------------------

interface HttpSide {
  run(seconds: number): Promise<number>;
  close(): Promise<void>;
}

async function httpSide(counting: boolean): Promise<HttpSide> {
  const app: App = await createApp(
    { ...defaultServerConfig, port: 0, host: '127.0.0.1', inMemory: true, limits: false, createStreamMs: 0, logLevel: 'error' },
    { metrics: counting },
  );
  const { port } = await app.listen();
  const agent = new http.Agent({ keepAlive: true, maxSockets: PRODUCERS });
  const send = async (target: string, body: Buffer): Promise<number> => (await postKinesis(agent, port, target, body)).status;
  await send('CreateStream', Buffer.from(JSON.stringify({ StreamName: 'bench', ShardCount: SHARDS })));
  await new Promise((r) => setTimeout(r, 5));
  const body = Buffer.from(JSON.stringify({ StreamName: 'bench', Records: entries(1) }));
  return {
    async run(seconds) {
      let records = 0;
      const end = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: PRODUCERS }, async () => {
          while (performance.now() < end) {
            const status = await send('PutRecords', body);
            if (status !== 200) throw new Error(`PutRecords answered ${status}`);
            records += BATCH;
          }
        }),
      );
      return records / ((performance.now() - started) / 1000);
    },
    async close() {
      agent.destroy();
      await app.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// counting alone: the instrumented wrapper around a stub PutRecords that answers a canned output
// ---------------------------------------------------------------------------------------------

async function countingAloneMicros(): Promise<number> {
  const storage = await openStorage({ inMemory: true, clock: systemClock });
  const kinesis = await createKinesisBinding({
    storage,
    clock: systemClock,
    logger: silentLogger,
    settings: { ...defaultKinesisSettings, limits: false, createStreamMs: 0 },
  });
  const metrics = await MetricsService.open({ clock: systemClock, logger: silentLogger, defaultAccountId: '000000000000', defaultRegion: 'us-east-1' });
  const ctx = context();
  await kinesis.binding.handlers.CreateStream?.(kinesis.binding.parseInput('CreateStream', { StreamName: 'bench', ShardCount: SHARDS }, 'json'), ctx);
  const canned = {
    FailedRecordCount: 0,
    Records: Array.from({ length: BATCH }, (_, i) => ({ SequenceNumber: String(10n ** 40n + BigInt(i)), ShardId: `shardId-00000000000${i % SHARDS}` })),
  };
  const stub: OperationHandler = async () => canned;
  const wrapped = metrics.instrument({ PutRecords: stub }, kinesis.env.streams).PutRecords;
  if (!wrapped) throw new Error('PutRecords');
  const input = kinesis.binding.parseInput('PutRecords', { StreamName: 'bench', Records: entries(2) }, 'json');
  const time = async (h: OperationHandler, n: number): Promise<number> => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await h(input, ctx);
    return ((performance.now() - t) * 1000) / n;
  };
  await time(wrapped, 2000);
  await time(stub, 2000);
  const diffs: number[] = [];
  for (let r = 0; r < 9; r++) diffs.push((await time(wrapped, 5000)) - (await time(stub, 5000)));
  await metrics.close();
  await kinesis.close();
  await storage.close();
  return median(diffs);
}

// ---------------------------------------------------------------------------------------------

interface Side {
  run(seconds: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Alternate on/off rounds, each on a FRESH side (new storage, new stream): a side that kept every
 * record of earlier rounds would make later rounds pay for a larger heap, which swamped the effect
 * being measured. Each round first warms its side briefly (lazy per-stream state, inline caches).
 */
async function compare(name: string, make: (counting: boolean) => Promise<Side>): Promise<string[]> {
  const once = async (counting: boolean): Promise<number> => {
    const side = await make(counting);
    try {
      await side.run(0.1);
      return await side.run(SECONDS);
    } finally {
      await side.close();
    }
  };
  await once(true);
  await once(false);
  const onRates: number[] = [];
  const offRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      onRates.push(await once(true));
      offRates.push(await once(false));
    } else {
      offRates.push(await once(false));
      onRates.push(await once(true));
    }
  }
  const mOn = median(onRates);
  const mOff = median(offRates);
  const overhead = ((mOff - mOn) / mOff) * 100;
  const k = (x: number): string => `${Math.round(x / 1000)}k`;
  const spread = (xs: number[]): string => `${k(quantile(xs, 0.25))}–${k(quantile(xs, 0.75))}`;
  return [
    name,
    Math.round(mOff).toLocaleString('en-US'),
    Math.round(mOn).toLocaleString('en-US'),
    `${overhead.toFixed(2)} %`,
    `${spread(offRates)} / ${spread(onRates)}`,
  ];
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  console.log(`PutRecords ${BATCH} × ${RECORD_BYTES} B, ${SHARDS} shards, in memory, limits off; ${ROUNDS} alternating rounds of ${SECONDS} s, medians\n`);
  const rows: string[][] = [['scenario', 'records/s counting off', 'records/s counting on', 'overhead', 'p25–p75 off / on']];

  rows.push(await compare('handler (no HTTP)', handlerSide));
  rows.push(await compare(`http/1.1, ${PRODUCERS} producers`, httpSide));

  const micros = await countingAloneMicros();
  const perCallOff = (BATCH / Number(rows[1][1].replace(/,/g, ''))) * 1e6;
  console.log(
    `counting alone: ${micros.toFixed(1)} µs per PutRecords call of ${BATCH} records ` +
      `(${((micros / perCallOff) * 100).toFixed(2)} % of the ${perCallOff.toFixed(0)} µs the handler takes per call)\n`,
  );
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

await main();
