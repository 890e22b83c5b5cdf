/**
 * Per-call micro-benchmark of the work a GetRecords poll does outside storage and HTTP: the shard
 * iterator (security's peek, the codec's decode, the next token's encode, the metrics wrapper's peek)
 * and the SigV4 Authorization header parse. Not a test: it prints a table of ns per call.
 *
 *   node --import tsx bench/get-records-call.ts [--iterations 200000] [--rounds 7]
 *
 * Cases:
 * - iterator, auth off: decode the token this codec minted on the previous poll, encode the next one,
 *   then the metrics wrapper's peek (what every poll of a polling consumer pays with `--auth off`);
 * - iterator, auth sigv4: the same with the IAM guard's peek first (the stream ARN to authorize);
 * - iterator, foreign token, auth sigv4: a token minted by another codec with the same key (another
 *   gateway, a restart), so the codec verifies it in full (base64, MAC);
 * - peek alone, a token never seen: the unverified decode of the layout;
 * - parseSigV4Authorization (protocol/sigv4-header.ts, the router's parse when it has no guard), with
 *   one header repeated and with a new signature on every call as SDKs send;
 * - parseAuthorizationHeader (security/sigv4.ts, the guard's full parse), for comparison; with
 *   `--auth off` the guard only reads the scope (`authorizationHeaderScope`, see bench/auth-off-gate.ts).
 * Figures are CPU time of the process (process.cpuUsage), the min and the median over the
 * rounds (on a shared machine the min is the steadier one; compare rows of the same run).
 */
import { randomBytes } from 'node:crypto';
import { ShardIteratorCodec } from '../packages/server/src/kinesis/shard-iterator.js';
import type { IteratorPosition } from '../packages/server/src/kinesis/shard-iterator.js';
import * as peek from '../packages/server/src/metrics/peek-shard-iterator.js';
import { parseSigV4Authorization } from '../packages/server/src/protocol/sigv4-header.js';
import { parseAuthorizationHeader } from '../packages/server/src/security/sigv4.js';
import { printEnvironment } from './lib/environment.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : fallback;
}
const ITERATIONS = arg('iterations', 200_000);
const ROUNDS = arg('rounds', 7);

type Peek = (token: string) => { readonly streamName: string } | undefined;
const securityPeek: Peek = peek.peekShardIterator;
/** The metrics wrapper's read: `takeShardIteratorTarget` where it exists, else the plain peek. */
const metricsPeek: Peek = (peek as { takeShardIteratorTarget?: Peek }).takeShardIteratorTarget ?? peek.peekShardIterator;

let sink = 0;
const NOW = Date.UTC(2026, 0, 1);
const base: IteratorPosition = {
  streamUid: '0f4b1c9e-8a51-4d6e-9b4e-2c1d7a3e5f60',
  accountId: '123456789012',
  region: 'us-east-1',
  streamName: 'bench-stream',
  shardIndex: 3,
  offset: 0,
  issuedMs: NOW,
};

/** A fresh flat string with the same characters, as the router's JSON.parse of a request body gives. */
function copyOf(s: string): string {
  return JSON.parse(`"${s}"`) as string;
}

function pollLoop(withSecurity: boolean): (n: number) => void {
  const codec = new ShardIteratorCodec(randomBytes(32));
  let token = codec.encode(base);
  let offset = 0;
  return (n) => {
    for (let i = 0; i < n; i++) {
      const presented = copyOf(token);
      if (withSecurity) sink += securityPeek(presented)?.streamName.length ?? 0;
      const it = codec.decode(presented, NOW);
      token = codec.encode({ ...base, offset: ++offset, shardIndex: it.shardIndex });
      sink += metricsPeek(presented)?.streamName.length ?? 0;
    }
  };
}

function foreignLoop(): (n: number) => void {
  const key = randomBytes(32);
  const minting = new ShardIteratorCodec(key);
  const tokens: string[] = [];
  for (let i = 0; i < 4096; i++) tokens.push(minting.encode({ ...base, offset: i }));
  const verifying = new ShardIteratorCodec(key);
  let at = 0;
  return (n) => {
    for (let i = 0; i < n; i++) {
      const presented = copyOf(tokens[at++ & 4095]);
      sink += securityPeek(presented)?.streamName.length ?? 0;
      sink += verifying.decode(presented, NOW).offset;
      sink += metricsPeek(presented)?.streamName.length ?? 0;
    }
  };
}

function peekAlone(): (n: number) => void {
  const codec = new ShardIteratorCodec(randomBytes(32));
  const tokens: string[] = [];
  for (let i = 0; i < 4096; i++) tokens.push(codec.encode({ ...base, offset: i * 7919 }));
  const fresh = new ShardIteratorCodec(randomBytes(32));
  // Leave nothing of these tokens in any memo: another codec decodes one of its own in between.
  let other = fresh.encode(base);
  let at = 0;
  return (n) => {
    for (let i = 0; i < n; i++) {
      sink += securityPeek(copyOf(tokens[at++ & 4095]))?.streamName.length ?? 0;
      if ((i & 255) === 0) {
        fresh.decode(other, NOW);
        other = fresh.encode(base);
      }
    }
  };
}

const SIG_HEADERS = 'content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent';
function sdkHeader(signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=${SIG_HEADERS}, Signature=${signature}`;
}
const headers = Array.from({ length: 1024 }, () => sdkHeader(randomBytes(32).toString('hex')));

function routerParse(vary: boolean): (n: number) => void {
  const fixed = headers[0];
  return (n) => {
    for (let i = 0; i < n; i++) {
      const h = copyOf(vary ? headers[i & 1023] : fixed);
      sink += parseSigV4Authorization(h).region.length;
    }
  };
}

function guardParse(): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) sink += parseAuthorizationHeader(copyOf(headers[i & 1023]), true).scope.region.length;
  };
}

/** The cost of copyOf alone, subtracted from every row. */
function copyOnly(): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) sink += copyOf(headers[i & 1023]).length;
  };
}

function measure(run: (n: number) => void): number[] {
  run(Math.min(ITERATIONS, 20_000)); // warm-up
  const out: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // CPU time of the process, not wall time: on a shared machine being descheduled does not count.
    const t0 = process.cpuUsage();
    run(ITERATIONS);
    const t = process.cpuUsage(t0);
    out.push(((t.user + t.system) * 1000) / ITERATIONS);
  }
  return out.sort((a, b) => a - b);
}

printEnvironment({ iterations: String(ITERATIONS), rounds: String(ROUNDS) });
const copyNs = measure(copyOnly())[0];
const cases: [string, () => (n: number) => void][] = [
  ['iterator: decode minted + encode next + metrics peek (auth off)', () => pollLoop(false)],
  ['iterator: security peek + decode minted + encode next + metrics peek (auth sigv4)', () => pollLoop(true)],
  ['iterator: security peek + verify foreign token + metrics peek (auth sigv4)', foreignLoop],
  ['peekShardIterator, a token never seen', peekAlone],
  ['parseSigV4Authorization, same header every call', () => routerParse(false)],
  ['parseSigV4Authorization, new signature every call', () => routerParse(true)],
  ['security/sigv4 parseAuthorizationHeader (guard, --auth off)', guardParse],
];
const width = Math.max(...cases.map(([name]) => name.length));
console.log(`${'case'.padEnd(width)} | ns/call min | ns/call median`);
console.log(`${'-'.repeat(width)}-|-------------|---------------`);
for (const [name, make] of cases) {
  const ns = measure(make());
  const min = Math.max(0, ns[0] - copyNs);
  const median = Math.max(0, ns[Math.floor(ns.length / 2)] - copyNs);
  console.log(`${name.padEnd(width)} | ${min.toFixed(0).padStart(11)} | ${median.toFixed(0).padStart(14)}`);
}
console.log(`\n(string copy of ${copyNs.toFixed(0)} ns per call subtracted; sink ${sink % 10})`);
