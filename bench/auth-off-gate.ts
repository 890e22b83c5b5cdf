/**
 * Per-call micro-benchmark of what the security guard does for every request with `--auth off` (the
 * default): the Authorization header is checked for form only. Not a test: it prints a table of ns
 * per call.
 *
 *   node --import tsx bench/auth-off-gate.ts [--iterations 200000] [--rounds 7]
 *
 * Cases, each with the header an AWS SDK sends (same credential scope and signed-header list on every
 * request, a new signature each time):
 * - parseAuthorizationHeader (security/sigv4.ts), the parse `--auth sigv4` verifies from;
 * - checkForm (security/access-gate.ts), the `--auth off` check of a request's headers;
 * - checkForm with the headers of four clients taking turns (no request repeats the one before);
 * - AccessGate.authenticate with `--auth off`, awaited (checkForm + key lookup + the answer);
 * - a presigned query (no Authorization header) through checkForm, for comparison (its row also counts
 *   building the query object).
 * Figures are CPU time of the process (process.cpuUsage), min and median over the rounds, less the
 * cost of building the request with a fresh copy of the header string (as the HTTP parser gives).
 */
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../packages/server/src/model/context.js';
import { AccessGate, checkForm } from '../packages/server/src/security/access-gate.js';
import { CredentialStore } from '../packages/server/src/security/auth-file.js';
import { parseAuthorizationHeader } from '../packages/server/src/security/sigv4.js';
import type { SigV4Request } from '../packages/server/src/security/sigv4.js';
import { printEnvironment } from './lib/environment.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : fallback;
}
const ITERATIONS = arg('iterations', 200_000);
const ROUNDS = arg('rounds', 7);

let sink = 0;
const SIG_HEADERS = 'content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent';
function sdkHeader(signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=${SIG_HEADERS}, Signature=${signature}`;
}
const authHeaders = Array.from({ length: 1024 }, () => sdkHeader(randomBytes(32).toString('hex')));
/** Four clients (access keys) taking turns, so that no request has the prefix of the one before. */
const mixedHeaders = authHeaders.map((h, i) => h.replace('AKIAIOSFODNN7EXAMPLE', `AKIAIOSFODNN7EXAMPL${i & 3}`));

/** A fresh flat string with the same characters, as the HTTP parser gives per request. */
function copyOf(s: string): string {
  return JSON.parse(`"${s}"`) as string;
}

/** The last request built, kept so that every case allocates its request alike. */
let lastRequest: SigV4Request | undefined;

/** Headers as Node's HTTP server hands them over (lower-case names). */
function requestWith(authorization: string): SigV4Request {
  return (lastRequest = {
    method: 'POST',
    path: '/',
    query: {},
    headers: {
      host: 'localhost:4567',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Kinesis_20131202.GetRecords',
      'x-amz-date': '20260101T000000Z',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-user-agent': 'aws-sdk-js/3.0.0',
      'content-length': '120',
      authorization,
    },
    body: new Uint8Array(0),
  });
}

function parseHeader(): (n: number) => Promise<void> {
  return (n) => {
    for (let i = 0; i < n; i++) sink += parseAuthorizationHeader(requestWith(copyOf(authHeaders[i & 1023])).headers.authorization as string, true).scope.region.length;
    return Promise.resolve();
  };
}

function form(list: readonly string[]): (n: number) => Promise<void> {
  return (n) => {
    for (let i = 0; i < n; i++) sink += checkForm(requestWith(copyOf(list[i & 1023]))).region.length;
    return Promise.resolve();
  };
}

const gate = new AccessGate({
  mode: 'off',
  credentials: new CredentialStore([]),
  service: 'kinesis',
  defaultAccountId: '000000000000',
  clock: new ManualClock(Date.UTC(2026, 0, 1)),
});

function authenticate(): (n: number) => Promise<void> {
  return async (n) => {
    for (let i = 0; i < n; i++) sink += (await gate.authenticate(requestWith(copyOf(authHeaders[i & 1023])))).caller.accountId.length;
  };
}

function presigned(): (n: number) => Promise<void> {
  return (n) => {
    for (let i = 0; i < n; i++) {
      const request: SigV4Request = {
        method: 'GET',
        path: '/',
        query: {
          'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
          'X-Amz-Credential': copyOf('AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kinesis/aws4_request'),
          'X-Amz-Date': '20260101T000000Z',
          'X-Amz-Expires': '300',
          'X-Amz-SignedHeaders': 'host',
          'X-Amz-Signature': copyOf(authHeaders[i & 1023]).slice(-64),
        },
        headers: { host: 'localhost:4567' },
        body: new Uint8Array(0),
      };
      sink += checkForm(request).region.length;
    }
    return Promise.resolve();
  };
}

/** The cost of building the request with a copied header, subtracted from every row. */
function copyOnly(): (n: number) => Promise<void> {
  return (n) => {
    for (let i = 0; i < n; i++) sink += (requestWith(copyOf(authHeaders[i & 1023])).headers.authorization as string).length;
    return Promise.resolve();
  };
}

async function measure(run: (n: number) => Promise<void>): Promise<number[]> {
  await run(Math.min(ITERATIONS, 20_000)); // warm-up
  const out: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    await run(ITERATIONS);
    const t = process.cpuUsage(t0);
    out.push(((t.user + t.system) * 1000) / ITERATIONS);
  }
  return out.sort((a, b) => a - b);
}

printEnvironment({ iterations: String(ITERATIONS), rounds: String(ROUNDS) });
const copyNs = (await measure(copyOnly()))[0];
sink += lastRequest === undefined ? 0 : 1;
const cases: [string, () => (n: number) => Promise<void>][] = [
  ['parseAuthorizationHeader, SDK header, new signature per call', parseHeader],
  ['checkForm, SDK header (--auth off)', () => form(authHeaders)],
  ['checkForm, SDK headers of 4 clients taking turns', () => form(mixedHeaders)],
  ['AccessGate.authenticate, --auth off, awaited', authenticate],
  ['checkForm, presigned query (no header)', presigned],
];
const width = Math.max(...cases.map(([name]) => name.length));
console.log(`${'case'.padEnd(width)} | ns/call min | ns/call median`);
console.log(`${'-'.repeat(width)}-|-------------|---------------`);
for (const [name, make] of cases) {
  const ns = await measure(make());
  const min = Math.max(0, ns[0] - copyNs);
  const median = Math.max(0, ns[Math.floor(ns.length / 2)] - copyNs);
  console.log(`${name.padEnd(width)} | ${min.toFixed(0).padStart(11)} | ${median.toFixed(0).padStart(14)}`);
}
console.log(`\n(building the request with a copied header, ${copyNs.toFixed(0)} ns per call, subtracted; sink ${sink % 10})`);
