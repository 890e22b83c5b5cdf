/**
 * `shardline status`: what a running server holds and how busy it is — streams, shards, throughput,
 * throttling and consumer lag — read through the server's own APIs: Kinesis (ListStreams,
 * DescribeStreamSummary, ListShards, ListStreamConsumers) and the CloudWatch-compatible GetMetricData
 * (namespace AWS/Kinesis), signed with SigV4 like any AWS client.
 *
 *   shardline status [--endpoint URL] [--region REGION] [--minutes N] [--json]
 *
 * Rates are averages over the last N minutes (default 5); lag is the maximum
 * GetRecords.IteratorAgeMilliseconds (polling consumers) and SubscribeToShardEvent.MillisBehindLatest
 * (enhanced fan-out consumers) in that window. Per-shard rates appear when the stream has enhanced
 * monitoring on (EnableEnhancedMonitoring).
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';

export interface StatusIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Epoch ms (injectable for tests). */
  readonly now?: () => number;
}

interface StatusOptions {
  endpoint: string;
  region: string;
  minutes: number;
  json: boolean;
  insecure: boolean;
}

export function statusHelp(): string {
  return [
    'Usage: shardline status [options]',
    '',
    'Show streams, shards, throughput, throttling and consumer lag of a running server.',
    '',
    '  --endpoint URL   Server URL (env SHARDLINE_ENDPOINT; default http://127.0.0.1:4567)',
    '  --region REGION  Region to inspect (env AWS_REGION / AWS_DEFAULT_REGION; default us-east-1)',
    '  --minutes N      Window for rates and lag, 1-60 (default 5)',
    '  --json           Print JSON instead of a table',
    '  --no-verify-ssl  Accept a self-signed certificate (https endpoints)',
    '',
    'Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when the server checks signatures.',
    '',
  ].join('\n');
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[], env: StatusIo['env']): StatusOptions {
  const o: StatusOptions = {
    endpoint: env.SHARDLINE_ENDPOINT ?? 'http://127.0.0.1:4567',
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    minutes: 5,
    json: false,
    insecure: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--endpoint') o.endpoint = value();
    else if (a === '--region') o.region = value();
    else if (a === '--minutes') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1 || n > 60) throw new UsageError('--minutes must be an integer from 1 to 60');
      o.minutes = n;
    } else if (a === '--json') o.json = true;
    else if (a === '--no-verify-ssl') o.insecure = true;
    else throw new UsageError(`unknown option ${a}`);
  }
  if (!/^https?:\/\//.test(o.endpoint)) throw new UsageError('--endpoint must be an http:// or https:// URL');
  return o;
}

/** SHA-256 / HMAC-SHA-256 over node:crypto in the shape @smithy/signature-v4 expects. */
class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = NodeSha256.create(secret);
  }
  private static create(secret?: string | ArrayBuffer | ArrayBufferView): ReturnType<typeof createHash> | ReturnType<typeof createHmac> {
    if (secret === undefined) return createHash('sha256');
    const key = typeof secret === 'string' ? Buffer.from(secret) : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    return createHmac('sha256', key);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

class Client {
  private readonly url: URL;
  constructor(
    private readonly o: StatusOptions,
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
  ) {
    this.url = new URL(o.endpoint);
  }

  kinesis(op: string, input: Json): Promise<Json> {
    return this.call('kinesis', 'Kinesis_20131202', 'application/x-amz-json-1.1', op, input);
  }
  cloudwatch(op: string, input: Json): Promise<Json> {
    return this.call('monitoring', 'GraniteServiceVersion20100801', 'application/x-amz-json-1.0', op, input);
  }

  private async call(service: string, prefix: string, contentType: string, op: string, input: Json): Promise<Json> {
    const body = JSON.stringify(input);
    const port = this.url.port === '' ? undefined : Number(this.url.port);
    const signer = new SignatureV4({ credentials: this.credentials, region: this.o.region, service, sha256: NodeSha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port,
      path: '/',
      query: {},
      headers: { 'content-type': contentType, 'x-amz-target': `${prefix}.${op}`, host: this.url.host },
      body,
    });
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise<Json>((resolve, reject) => {
      const req = transport.request(
        {
          host: this.url.hostname,
          port,
          method: 'POST',
          path: '/',
          headers: { ...signed.headers, 'content-length': Buffer.byteLength(body) },
          ...(this.url.protocol === 'https:' ? { rejectUnauthorized: !this.o.insecure } : {}),
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Json = {};
            try {
              parsed = text === '' ? {} : (JSON.parse(text) as Json);
            } catch {
              reject(new ApiError(res.statusCode ?? 0, 'BadResponse', `${op}: unreadable response (${res.statusCode})`));
              return;
            }
            if ((res.statusCode ?? 0) >= 300) {
              const type = String(parsed.__type ?? 'Error').split('#').pop() ?? 'Error';
              reject(new ApiError(res.statusCode ?? 0, type, `${op}: ${type}: ${String(parsed.message ?? parsed.Message ?? '')}`));
              return;
            }
            resolve(parsed);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${op}: no answer within 10 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

// ---------- model of what is printed ----------

export interface ShardStatus {
  shardId: string;
  open: boolean;
  /** Share of the hash key space, 0-1. */
  hashShare: number;
  incomingBytesPerSecond?: number;
  incomingRecordsPerSecond?: number;
  outgoingBytesPerSecond?: number;
  iteratorAgeMs?: number;
}

export interface StreamStatusReport {
  name: string;
  status: string;
  mode: string;
  openShards: number;
  retentionHours: number;
  consumers: number;
  enhancedMonitoring: string[];
  incomingBytesPerSecond: number;
  incomingRecordsPerSecond: number;
  outgoingBytesPerSecond: number;
  outgoingRecordsPerSecond: number;
  writeThrottledRecords: number;
  readThrottledCalls: number;
  /** Max GetRecords.IteratorAgeMilliseconds in the window (undefined: no polling reads). */
  iteratorAgeMs?: number;
  /** Max SubscribeToShardEvent.MillisBehindLatest per consumer in the window. */
  consumerLagMs: Record<string, number>;
  shards: ShardStatus[];
}

export interface StatusReport {
  endpoint: string;
  region: string;
  windowMinutes: number;
  streams: StreamStatusReport[];
}

const MAX_HASH = 2n ** 128n - 1n;

interface Query {
  id: string;
  metric: string;
  dims: Record<string, string>;
  stat: 'Sum' | 'Maximum';
  apply: (value: number | undefined) => void;
}

async function collect(client: Client, o: StatusOptions, nowMs: number): Promise<StatusReport> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.kinesis('ListStreams', token ? { NextToken: token } : {});
    names.push(...((page.StreamNames as string[] | undefined) ?? []));
    token = page.HasMoreStreams === true ? (page.NextToken as string | undefined) : undefined;
  } while (token);

  const windowStart = (Math.floor(nowMs / 60_000) - o.minutes + 1) * 60_000;
  const seconds = Math.max(1, (nowMs - windowStart) / 1000);
  const streams: StreamStatusReport[] = [];
  const queries: Query[] = [];
  for (const name of names.sort()) {
    let summary: Json;
    try {
      summary = (await client.kinesis('DescribeStreamSummary', { StreamName: name })).StreamDescriptionSummary as Json;
    } catch (err) {
      if (err instanceof ApiError && err.type === 'ResourceNotFoundException') continue; // deleted meanwhile
      throw err;
    }
    const shards: ShardStatus[] = [];
    let next: string | undefined;
    do {
      const page = await client.kinesis('ListShards', next ? { NextToken: next } : { StreamName: name });
      for (const s of (page.Shards as Json[] | undefined) ?? []) {
        const range = s.HashKeyRange as { StartingHashKey: string; EndingHashKey: string };
        const seq = s.SequenceNumberRange as { EndingSequenceNumber?: string };
        const share = Number(((BigInt(range.EndingHashKey) - BigInt(range.StartingHashKey) + 1n) * 10000n) / (MAX_HASH + 1n)) / 10000;
        shards.push({ shardId: String(s.ShardId), open: seq.EndingSequenceNumber === undefined, hashShare: share });
      }
      next = page.NextToken as string | undefined;
    } while (next);
    let consumers = 0;
    const arn = summary.StreamARN as string | undefined;
    const consumerNames: string[] = [];
    if (arn) {
      const c = await client.kinesis('ListStreamConsumers', { StreamARN: arn });
      for (const x of (c.Consumers as Json[] | undefined) ?? []) consumerNames.push(String(x.ConsumerName));
      consumers = consumerNames.length;
    }
    const enhanced = (((summary.EnhancedMonitoring as Json[] | undefined) ?? [])[0]?.ShardLevelMetrics as string[] | undefined) ?? [];
    const st: StreamStatusReport = {
      name,
      status: String(summary.StreamStatus),
      mode: String((summary.StreamModeDetails as Json | undefined)?.StreamMode ?? 'PROVISIONED'),
      openShards: Number(summary.OpenShardCount ?? shards.filter((s) => s.open).length),
      retentionHours: Number(summary.RetentionPeriodHours ?? 24),
      consumers,
      enhancedMonitoring: enhanced,
      incomingBytesPerSecond: 0,
      incomingRecordsPerSecond: 0,
      outgoingBytesPerSecond: 0,
      outgoingRecordsPerSecond: 0,
      writeThrottledRecords: 0,
      readThrottledCalls: 0,
      consumerLagMs: {},
      shards,
    };
    streams.push(st);
    const d = { StreamName: name };
    const rate = (v: number | undefined): number => (v ?? 0) / seconds;
    queries.push(
      { id: '', metric: 'IncomingBytes', dims: d, stat: 'Sum', apply: (v) => (st.incomingBytesPerSecond = rate(v)) },
      { id: '', metric: 'IncomingRecords', dims: d, stat: 'Sum', apply: (v) => (st.incomingRecordsPerSecond = rate(v)) },
      { id: '', metric: 'OutgoingBytes', dims: d, stat: 'Sum', apply: (v) => (st.outgoingBytesPerSecond = rate(v)) },
      { id: '', metric: 'OutgoingRecords', dims: d, stat: 'Sum', apply: (v) => (st.outgoingRecordsPerSecond = rate(v)) },
      { id: '', metric: 'WriteProvisionedThroughputExceeded', dims: d, stat: 'Sum', apply: (v) => (st.writeThrottledRecords = v ?? 0) },
      { id: '', metric: 'ReadProvisionedThroughputExceeded', dims: d, stat: 'Sum', apply: (v) => (st.readThrottledCalls = v ?? 0) },
      { id: '', metric: 'GetRecords.IteratorAgeMilliseconds', dims: d, stat: 'Maximum', apply: (v) => v !== undefined && (st.iteratorAgeMs = v) },
    );
    for (const c of consumerNames) {
      queries.push({
        id: '',
        metric: 'SubscribeToShardEvent.MillisBehindLatest',
        dims: { StreamName: name, ConsumerName: c },
        stat: 'Maximum',
        apply: (v) => v !== undefined && (st.consumerLagMs[c] = v),
      });
    }
    if (enhanced.length > 0) {
      for (const sh of shards) {
        const sd = { StreamName: name, ShardId: sh.shardId };
        queries.push(
          { id: '', metric: 'IncomingBytes', dims: sd, stat: 'Sum', apply: (v) => v !== undefined && (sh.incomingBytesPerSecond = rate(v)) },
          { id: '', metric: 'IncomingRecords', dims: sd, stat: 'Sum', apply: (v) => v !== undefined && (sh.incomingRecordsPerSecond = rate(v)) },
          { id: '', metric: 'OutgoingBytes', dims: sd, stat: 'Sum', apply: (v) => v !== undefined && (sh.outgoingBytesPerSecond = rate(v)) },
          { id: '', metric: 'IteratorAgeMilliseconds', dims: sd, stat: 'Maximum', apply: (v) => v !== undefined && (sh.iteratorAgeMs = v) },
        );
      }
    }
  }

  // One bucket covering the window per query; GetMetricData takes up to 500 queries per call.
  const period = o.minutes * 60;
  for (let i = 0; i < queries.length; i += 500) {
    const chunk = queries.slice(i, i + 500);
    chunk.forEach((q, j) => (q.id = `q${i + j}`));
    const out = await client.cloudwatch('GetMetricData', {
      StartTime: windowStart / 1000,
      EndTime: (windowStart + period * 1000) / 1000,
      MetricDataQueries: chunk.map((q) => ({
        Id: q.id,
        MetricStat: {
          Metric: { Namespace: 'AWS/Kinesis', MetricName: q.metric, Dimensions: Object.entries(q.dims).map(([Name, Value]) => ({ Name, Value })) },
          Period: period,
          Stat: q.stat,
        },
      })),
    });
    const byId = new Map<string, number[]>();
    for (const r of (out.MetricDataResults as Json[] | undefined) ?? []) byId.set(String(r.Id), (r.Values as number[] | undefined) ?? []);
    for (const q of chunk) {
      const values = byId.get(q.id) ?? [];
      q.apply(values.length === 0 ? undefined : q.stat === 'Sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values));
    }
  }
  return { endpoint: o.endpoint, region: o.region, windowMinutes: o.minutes, streams };
}

// ---------- rendering ----------

function bytes(n: number): string {
  if (n < 1024) return `${n.toFixed(n === 0 ? 0 : n < 1 ? 3 : n < 10 ? 1 : 0)} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}
function count(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n >= 1 || n === 0 ? n.toFixed(1) : n.toFixed(3);
}
function ms(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1000) return `${Math.round(n)} ms`;
  if (n < 120_000) return `${(n / 1000).toFixed(1)} s`;
  return `${(n / 60_000).toFixed(1)} min`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function renderStatus(report: StatusReport): string {
  const lines: string[] = [`Shardline ${report.endpoint} (${report.region}), rates and lag over the last ${report.windowMinutes} min`, ''];
  if (report.streams.length === 0) return lines.concat('No streams.', '').join('\n');
  const rows: string[][] = [['STREAM', 'STATUS', 'MODE', 'SHARDS', 'IN/s', 'IN rec/s', 'OUT/s', 'OUT rec/s', 'THROTTLED W/R', 'ITERATOR AGE', 'CONSUMERS']];
  for (const s of report.streams) {
    rows.push([
      s.name,
      s.status,
      s.mode,
      String(s.openShards),
      bytes(s.incomingBytesPerSecond),
      count(s.incomingRecordsPerSecond),
      bytes(s.outgoingBytesPerSecond),
      count(s.outgoingRecordsPerSecond),
      `${s.writeThrottledRecords}/${s.readThrottledCalls}`,
      ms(s.iteratorAgeMs),
      String(s.consumers),
    ]);
  }
  let out = lines.join('\n') + table(rows);
  for (const s of report.streams) {
    out += `\n${s.name}: ${s.shards.length} shard(s), retention ${s.retentionHours} h, enhanced monitoring ${s.enhancedMonitoring.length ? s.enhancedMonitoring.join(',') : 'off'}\n`;
    const shardRows: string[][] = [['  SHARD', 'STATE', 'HASH SHARE', 'IN/s', 'IN rec/s', 'OUT/s', 'ITERATOR AGE']];
    for (const sh of s.shards) {
      shardRows.push([
        `  ${sh.shardId}`,
        sh.open ? 'open' : 'closed',
        `${(sh.hashShare * 100).toFixed(1)} %`,
        sh.incomingBytesPerSecond === undefined ? '-' : bytes(sh.incomingBytesPerSecond),
        sh.incomingRecordsPerSecond === undefined ? '-' : count(sh.incomingRecordsPerSecond),
        sh.outgoingBytesPerSecond === undefined ? '-' : bytes(sh.outgoingBytesPerSecond),
        ms(sh.iteratorAgeMs),
      ]);
    }
    out += table(shardRows);
    for (const [c, lag] of Object.entries(s.consumerLagMs)) out += `  consumer ${c}: ${ms(lag)} behind latest\n`;
  }
  return out;
}

/** Entry point for `shardline status`; returns the exit code. */
export async function runStatus(argv: readonly string[], io: StatusIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(statusHelp());
    return 0;
  }
  let o: StatusOptions;
  try {
    o = parseArgs(argv, io.env);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`shardline status: ${err.message} (see shardline status --help)\n`);
      return 2;
    }
    throw err;
  }
  const client = new Client(o, {
    accessKeyId: io.env.AWS_ACCESS_KEY_ID ?? 'shardline',
    secretAccessKey: io.env.AWS_SECRET_ACCESS_KEY ?? 'shardline',
  });
  try {
    const report = await collect(client, o, (io.now ?? Date.now)());
    io.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`shardline status: cannot read ${o.endpoint}: ${message}\n`);
    return 1;
  }
}
