/**
 * Sequence-number micro-benchmark. Not a test: it prints a table of ns per operation.
 *
 *   node --import tsx bench/sequence-number.ts [--iterations 2000000] [--rounds 7]
 *
 * Cases:
 * - legacy v2 encode: the BigInt layout issued before v3 (what every record paid before);
 * - v3 encodeSequenceNumber(index, offset, salt): the compatibility function (encoder cache lookup + encode);
 * - v3 encoder.record(offset): the per-shard encoder a hot path holds (PutRecords, GetRecords);
 * - a 500-entry PutRecords-like output rendered by JSON.stringify, and by template concatenation then
 *   Buffer.from (a hand-built fast path), per entry: with flat strings made beforehand vs v3 numbers
 *   encoded in the loop (concatenations, which the serializer flattens), to see what a response pays
 *   beyond the encode itself;
 * - v3 / v2 decode: GetShardIterator and SubscribeToShard with a sequence number.
 * Offsets run sequentially from a base (small, ~1e9, ~2^40) as a shard's records do; results are kept
 * in a ring so the work cannot be optimized away. Each figure is the min and the median over the rounds
 * (on a shared machine the min is the steadier one; compare rows of the same run).
 */
import os from 'node:os';
import {
  decodeSequenceNumber,
  encodeLegacySequenceNumber,
  encodeSequenceNumber,
  sequenceNumberEncoder,
} from '../packages/server/src/kinesis/sequence-number.js';

const argv = process.argv.slice(2);
function arg(name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : fallback;
}

const ITERATIONS = arg('iterations', 2_000_000);
const ROUNDS = arg('rounds', 7);
const SALT = 0x8badf00d;
const INDEX = 7;

const ring: string[] = new Array<string>(1024).fill('');
let sink = 0;

type Case = { readonly name: string; readonly iterations: number; readonly run: (n: number) => void };

function encodeCases(base: number): Case[] {
  const encoder = sequenceNumberEncoder(INDEX, SALT);
  return [
    {
      name: `legacy v2 encode (BigInt), offsets from ${base}`,
      iterations: Math.max(1, Math.floor(ITERATIONS / 8)),
      run: (n: number) => {
        for (let i = 0; i < n; i++) ring[i & 1023] = encodeLegacySequenceNumber(INDEX, base + i, SALT);
      },
    },
    {
      name: `v3 encodeSequenceNumber(), offsets from ${base}`,
      iterations: ITERATIONS,
      run: (n: number) => {
        for (let i = 0; i < n; i++) ring[i & 1023] = encodeSequenceNumber(INDEX, base + i, SALT);
      },
    },
    {
      name: `v3 encoder.record(), offsets from ${base}`,
      iterations: ITERATIONS,
      run: (n: number) => {
        for (let i = 0; i < n; i++) ring[i & 1023] = encoder.record(base + i);
      },
    },
  ];
}

/**
 * What a response costs with each kind of string: v3 numbers are concatenations (cons strings) that
 * JSON.stringify flattens as it writes them; BigInt's toString gives flat strings. Per entry of a
 * 500-entry PutRecords-like output, encoding included for v3 (not for the flat strings, made once).
 */
function renderCases(): Case[] {
  const encoder = sequenceNumberEncoder(INDEX, SALT);
  const flat = Array.from({ length: 500 }, (_, i) => encodeLegacySequenceNumber(INDEX, 1_000_000 + i, SALT));
  const render = (numbers: (i: number, b: number) => string) => (n: number) => {
    for (let b = 0; b < n; b += 500) {
      const entries = new Array<{ SequenceNumber: string; ShardId: string }>(500);
      for (let i = 0; i < 500; i++) entries[i] = { SequenceNumber: numbers(i, b), ShardId: 'shardId-000000000007' };
      sink += JSON.stringify({ FailedRecordCount: 0, Records: entries }).length;
    }
  };
  // The hand-built response of a PutRecords fast path: one string by concatenation, then bytes.
  const template = (numbers: (i: number, b: number) => string) => (n: number) => {
    for (let b = 0; b < n; b += 500) {
      let json = '{"FailedRecordCount":0,"Records":[';
      for (let i = 0; i < 500; i++) json += `${i === 0 ? '' : ','}{"ShardId":"shardId-000000000007","SequenceNumber":"${numbers(i, b)}"}`;
      sink += Buffer.from(`${json}]}`, 'latin1').length;
    }
  };
  const iterations = Math.max(500, Math.floor(ITERATIONS / 4 / 500) * 500);
  return [
    { name: 'JSON.stringify 500 entries, flat numbers made before', iterations, run: render((i) => flat[i]) },
    { name: 'JSON.stringify 500 entries, v3 numbers encoded here', iterations, run: render((i, b) => encoder.record(b + i)) },
    { name: 'template JSON + Buffer.from, flat numbers made before', iterations, run: template((i) => flat[i]) },
    { name: 'template JSON + Buffer.from, v3 numbers encoded here', iterations, run: template((i, b) => encoder.record(b + i)) },
  ];
}

function decodeCases(): Case[] {
  // Decoded numbers arrive in a parsed request body: flat strings, as JSON.parse makes them.
  const v3 = JSON.parse(JSON.stringify(Array.from({ length: 1024 }, (_, i) => encodeSequenceNumber(INDEX, 1_000_000 + i, SALT)))) as string[];
  const v2 = Array.from({ length: 1024 }, (_, i) => encodeLegacySequenceNumber(INDEX, 1_000_000 + i, SALT));
  const decode = (values: string[]) => (n: number) => {
    for (let i = 0; i < n; i++) sink += decodeSequenceNumber(values[i & 1023])?.position ?? 0;
  };
  return [
    { name: 'v3 decode', iterations: Math.max(1, Math.floor(ITERATIONS / 4)), run: decode(v3) },
    { name: 'legacy v2 decode (BigInt)', iterations: Math.max(1, Math.floor(ITERATIONS / 16)), run: decode(v2) },
  ];
}

function measure(c: Case): { min: number; median: number } {
  c.run(Math.min(c.iterations, 100_000)); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    c.run(c.iterations);
    samples.push(Number(process.hrtime.bigint() - t0) / c.iterations);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0], median: samples[Math.floor(samples.length / 2)] };
}

const cases = [...encodeCases(0), ...encodeCases(1_000_000_000), ...encodeCases(2 ** 40), ...renderCases(), ...decodeCases()];
const rows = cases.map((c) => {
  const m = measure(c);
  return { case: c.name, 'ns/op min': m.min.toFixed(1), 'ns/op median': m.median.toFixed(1), iterations: c.iterations };
});
console.log(`node ${process.version}, ${ROUNDS} rounds, load average ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} cores`);
console.table(rows);
for (const s of ring) sink += s.length;
if (sink === 42) console.log('');
