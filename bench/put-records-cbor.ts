/**
 * PutRecords over AWS CBOR (the Java SDKs and the KPL): the generic path (cbor-x decode + model
 * validation + objects per record + encodeCbor of the answer) against the fast path
 * (kinesis/put-records-scan-cbor.ts + the answer rendered as CBOR bytes), with JSON's fast path for
 * reference. Not a test: it prints a table.
 *
 *   node --import tsx bench/put-records-cbor.ts [--seconds 3] [--rounds 3] [--sizes 100,1024]
 *     [--fsync never] [--in-flight 8] [--shards 4]
 *
 * Two parts, both in this process with no HTTP:
 * 1. input only: the body to the handler's input (scan, or decode + parseInput), µs per call;
 * 2. the whole server path through the protocol router over the Kinesis binding and the embedded
 *    engine, `--in-flight` calls outstanding; the generic row runs the same binding with the CBOR
 *    scanner switched off. CPU of this process per call and per record.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { scanPutRecordsCbor } from '../packages/server/src/kinesis/put-records-scan-cbor.js';
import { parseKinesisInput } from '../packages/server/src/model/kinesis.js';
import type { ServiceBinding } from '../packages/server/src/model/operation.js';
import { decodeCborBody, encodeCbor } from '../packages/server/src/protocol/cbor-codec.js';
import type { AwsProtocolRouter } from '../packages/server/src/protocol/router.js';
import { Sink, cpuPerCall as cpuPerCallOver, kinesisRequest, openInProcessKinesis, routerFor } from './lib/in-process.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}
const SECONDS = Number(arg('seconds', '3'));
const ROUNDS = Number(arg('rounds', '3'));
const SIZES = arg('sizes', '100,1024').split(',').map(Number);
const FSYNC = arg('fsync', 'never');
const IN_FLIGHT = Number(arg('in-flight', '8'));
const SHARDS = Number(arg('shards', '4'));
const STREAM = 'bench-put-cbor';
const CBOR = 'application/x-amz-cbor-1.1';
const JSON_TYPE = 'application/x-amz-json-1.1';

interface Bodies {
  readonly json: Buffer;
  /** As the Java SDK v2 writes it: an indefinite-length top map and entries (Jackson), definite strings. */
  readonly cbor: Buffer;
}

function bodies(size: number): Bodies {
  const records = Array.from({ length: 500 }, (_, i) => ({ Data: randomBytes(size), PartitionKey: `partition-${i}-${randomUUID().slice(0, 8)}` }));
  const json = Buffer.from(JSON.stringify({ StreamName: STREAM, Records: records.map((r) => ({ Data: r.Data.toString('base64'), PartitionKey: r.PartitionKey })) }));
  // Array head for 500 entries (0x99 0x01f4), then each entry as an indefinite map.
  const parts: Buffer[] = [Buffer.from([0xbf]), encodeCbor('StreamName'), encodeCbor(STREAM), encodeCbor('Records'), Buffer.from([0x99, 0x01, 0xf4])];
  for (const r of records) parts.push(Buffer.from([0xbf]), encodeCbor('Data'), encodeCbor(r.Data), encodeCbor('PartitionKey'), encodeCbor(r.PartitionKey), Buffer.from([0xff]));
  parts.push(Buffer.from([0xff]));
  return { json, cbor: Buffer.concat(parts) };
}

interface Row {
  readonly label: string;
  readonly values: number[];
}

function record(rows: Map<string, Row>, label: string, value: number): void {
  const row = rows.get(label) ?? { label, values: [] };
  rows.set(label, row);
  row.values.push(value);
}

/** µs of CPU per call of `once`, over SECONDS. */
const cpuPerCall = (once: () => void): number => cpuPerCallOver(once, SECONDS);

function runInputOnly(all: Map<number, Bodies>, rows: Map<string, Row>): void {
  for (const [size, b] of all) {
    record(rows, `input only, generic (decodeCborBody + parseInput), 500 × ${size} B`, cpuPerCall(() => void parseKinesisInput('PutRecords', decodeCborBody(b.cbor), 'cbor')));
    record(rows, `input only, scanPutRecordsCbor, 500 × ${size} B`, cpuPerCall(() => {
      if (scanPutRecordsCbor(b.cbor) === undefined) throw new Error('the scanner declined the bench body');
    }));
  }
}

async function runServer(all: Map<number, Bodies>, rows: Map<string, Row>): Promise<void> {
  const server = await openInProcessKinesis(FSYNC, STREAM, SHARDS);
  const scanned = server.binding;
  const scanInput = scanned.scanInput;
  // The same binding with the CBOR scanner off: what every CBOR request did before.
  const generic: ServiceBinding = { ...scanned, scanInput: (op, body, protocol) => (protocol === 'cbor' ? undefined : scanInput?.(op, body, protocol)) };
  const routers = { scanned: server.router, generic: routerFor(generic) };
  try {
    for (const [size, b] of all) {
      const cases: [string, AwsProtocolRouter, Buffer, string][] = [
        [`server path, CBOR generic (before), 500 × ${size} B`, routers.generic, b.cbor, CBOR],
        [`server path, CBOR scanned (after), 500 × ${size} B`, routers.scanned, b.cbor, CBOR],
        [`server path, JSON scanned (reference), 500 × ${size} B`, routers.scanned, b.json, JSON_TYPE],
      ];
      for (const [label, router, body, type] of cases) {
        const run = async (seconds: number): Promise<number> => {
          let calls = 0;
          const stopAt = performance.now() + seconds * 1000;
          const cpu0 = process.cpuUsage();
          const worker = async (): Promise<void> => {
            while (performance.now() < stopAt) {
              const sink = new Sink();
              await router.handle(kinesisRequest('PutRecords', body, type), sink);
              if (sink.status !== 200) throw new Error(`PutRecords answered ${sink.status}`);
              const out = type === CBOR ? (decodeCborBodyOnce(sink.body) as { FailedRecordCount: number }) : undefined;
              if (out !== undefined && out.FailedRecordCount !== 0) throw new Error('records failed');
              calls++;
            }
          };
          await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
          const cpu = process.cpuUsage(cpu0);
          return (cpu.user + cpu.system) / calls;
        };
        await run(0.5);
        record(rows, label, await run(SECONDS));
      }
    }
  } finally {
    await server.close();
  }
}

/** Checks the first CBOR answer of each run only (decoding every answer would be measured too). */
let checked = 0;
function decodeCborBodyOnce(body: Uint8Array | string): unknown {
  if (checked++ % 1000 !== 0) return undefined;
  if (typeof body === 'string') throw new Error('a CBOR request was answered with text');
  return decodeCborBody(Buffer.from(body));
}

async function main(): Promise<void> {
  const all = new Map(SIZES.map((s) => [s, bodies(s)]));
  const rows = new Map<string, Row>();
  for (let r = 0; r < ROUNDS; r++) {
    runInputOnly(all, rows);
    await runServer(all, rows);
  }
  console.log(`\nPutRecords over CBOR, in process — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`);
  console.log(`fsync ${FSYNC}, ${IN_FLIGHT} calls in flight, ${SHARDS} shards, limits off, metrics off, ${SECONDS} s × ${ROUNDS} rounds; CPU of this process (median, min–max)\n`);
  const w = Math.max(...[...rows.keys()].map((k) => k.length));
  console.log(`${'path'.padEnd(w)} | µs/call | µs/record | range µs/call`);
  console.log(`${'-'.repeat(w)}-|---------|-----------|--------------`);
  for (const row of rows.values()) {
    const s = [...row.values].sort((a, b) => a - b);
    const med = s[s.length >> 1];
    console.log(`${row.label.padEnd(w)} | ${med.toFixed(0).padStart(7)} | ${(med / 500).toFixed(3).padStart(9)} | ${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)}`);
  }
}

await main();
