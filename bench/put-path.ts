/**
 * PutRecords server path without HTTP (issue #5). Not a test: it prints a table.
 *
 *   node --import tsx bench/put-path.ts [--seconds 3] [--rounds 3] [--sizes 100,1024] [--fsync never,always]
 *     [--in-flight 8] [--shards 4] [--reuse on|off]
 *
 * The protocol router (the same one the listener calls) over the Kinesis binding and the embedded
 * engine, in this process, fed the JSON body the SDK sends for PutRecords of 500 records with distinct
 * partition keys; `--in-flight` calls are kept outstanding so group commit works as it does under
 * load. No HTTP, no socket, no second process on the cores: the figure is the steady, single-thread
 * cost of the server's own code per record (scan, decode, MD5, routing, framing with CRC, the write,
 * the answer), the part that the HTTP ingest bench (`bench/kinesis-data.ts`) cannot separate from
 * Node's HTTP and the kernel. The comparison row runs what the bare-Node ceiling does with the body
 * (JSON.parse and a base64 decode of every Data). Each call's body is copied into a buffer from the
 * request-buffer pool, as the listener does; `--reuse off` makes the pool allocate every buffer afresh
 * (the behaviour before model/buffer-pool.ts), for an A/B comparison.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { requestBuffers } from '../packages/server/src/model/buffer-pool.js';
import type { ProtocolRequest } from '../packages/server/src/protocol/router.js';
import { Sink, cpuPerCall, kinesisRequest, openInProcessKinesis } from './lib/in-process.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}
const SECONDS = Number(arg('seconds', '3'));
const ROUNDS = Number(arg('rounds', '3'));
const SIZES = arg('sizes', '100,1024').split(',').map(Number);
const FSYNC = arg('fsync', 'never,always').split(',');
const IN_FLIGHT = Number(arg('in-flight', '8'));
const SHARDS = Number(arg('shards', '4'));
const STREAM = 'bench-put-path';
const REUSE = arg('reuse', 'on') !== 'off';

/**
 * A request whose body sits in a buffer from the pool, as the listener assembles a large body
 * (http/listener.ts); the router gives it back when nothing reads it any more.
 */
function pooledRequest(target: string, body: Buffer): ProtocolRequest {
  const pooled = requestBuffers.acquireArena(body.length);
  body.copy(pooled);
  let held: Buffer | undefined = pooled;
  return {
    ...kinesisRequest(target, pooled.subarray(0, body.length)),
    releaseBody() {
      if (held !== undefined) requestBuffers.releaseArena(held);
      held = undefined;
    },
  };
}

function putRecordsBody(size: number): Buffer {
  const records = Array.from({ length: 500 }, (_, i) => ({
    Data: randomBytes(size).toString('base64'),
    PartitionKey: `partition-${i}-${randomUUID().slice(0, 8)}`,
  }));
  return Buffer.from(JSON.stringify({ StreamName: STREAM, Records: records }));
}

interface Row {
  readonly label: string;
  readonly usPerRecord: number[];
}

async function runServer(fsync: string, bodies: Map<number, Buffer>, rows: Map<string, Row>): Promise<void> {
  const server = await openInProcessKinesis(fsync, STREAM, SHARDS);
  try {
    for (const [size, body] of bodies) {
      const label = `shardline fsync ${fsync}, 500 × ${size} B`;
      const row = rows.get(label) ?? { label, usPerRecord: [] };
      rows.set(label, row);
      const run = async (seconds: number): Promise<number> => {
        let calls = 0;
        const stopAt = performance.now() + seconds * 1000;
        const cpu0 = process.cpuUsage();
        const worker = async (): Promise<void> => {
          while (performance.now() < stopAt) {
            const sink = new Sink();
            await server.router.handle(pooledRequest('PutRecords', body), sink);
            if (sink.status !== 200 || !String(sink.body).includes('"FailedRecordCount":0')) throw new Error(`PutRecords answered ${sink.status}: ${String(sink.body).slice(0, 200)}`);
            calls++;
          }
        };
        await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
        const cpu = process.cpuUsage(cpu0);
        return (cpu.user + cpu.system) / (calls * 500);
      };
      await run(0.5);
      row.usPerRecord.push(await run(SECONDS));
    }
  } finally {
    await server.close();
  }
}

function runCeiling(bodies: Map<number, Buffer>, rows: Map<string, Row>): void {
  for (const [size, body] of bodies) {
    const label = `JSON.parse + base64 (ceiling's parse), 500 × ${size} B`;
    const row = rows.get(label) ?? { label, usPerRecord: [] };
    rows.set(label, row);
    const once = (): void => {
      const parsed = JSON.parse(body.toString('utf8')) as { Records: { Data: string }[] };
      let n = 0;
      for (const r of parsed.Records) n += Buffer.from(r.Data, 'base64').length;
      if (n < 0) throw new Error('unreachable');
    };
    row.usPerRecord.push(cpuPerCall(once, SECONDS) / 500);
  }
}

async function main(): Promise<void> {
  requestBuffers.reuse = REUSE;
  const bodies = new Map(SIZES.map((s) => [s, putRecordsBody(s)]));
  const rows = new Map<string, Row>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const fsync of FSYNC) await runServer(fsync, bodies, rows);
    runCeiling(bodies, rows);
  }
  console.log(`\nPutRecords server path without HTTP — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`);
  console.log(`${IN_FLIGHT} calls in flight, ${SHARDS} shards, limits off, metrics off, buffer reuse ${REUSE ? 'on' : 'off'}, ${SECONDS} s × ${ROUNDS} rounds; CPU of this process per record (median, min–max)\n`);
  const pool = requestBuffers.stats();
  console.log(`request buffers: ${pool.acquired} acquired, ${pool.reused} reused\n`);
  const w = Math.max(...[...rows.keys()].map((k) => k.length));
  console.log(`${'path'.padEnd(w)} | CPU µs/record | range`);
  console.log(`${'-'.repeat(w)}-|---------------|------------`);
  for (const row of rows.values()) {
    const s = [...row.usPerRecord].sort((a, b) => a - b);
    const med = s[s.length >> 1];
    console.log(`${row.label.padEnd(w)} | ${med.toFixed(3).padStart(13)} | ${s[0].toFixed(3)}–${s[s.length - 1].toFixed(3)}`);
  }
}

await main();
