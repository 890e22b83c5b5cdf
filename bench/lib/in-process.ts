/**
 * The server's request path in the benchmark's own process, without HTTP: the protocol router over
 * the Kinesis binding and the embedded engine in a temporary directory. Used by the benches that
 * measure the server's own CPU per call (bench/put-path.ts, bench/put-records-cbor.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { createKinesisBinding } from '../../packages/server/src/kinesis/binding.js';
import { defaultKinesisSettings } from '../../packages/server/src/kinesis/settings.js';
import { silentLogger } from '../../packages/server/src/logger.js';
import { systemClock } from '../../packages/server/src/model/context.js';
import type { ServiceBinding } from '../../packages/server/src/model/operation.js';
import { AwsProtocolRouter } from '../../packages/server/src/protocol/router.js';
import type { ProtocolRequest, ResponseSink } from '../../packages/server/src/protocol/router.js';
import { parseFsyncPolicy } from '../../packages/server/src/storage/fsync-policy.js';
import { openStorage } from '../../packages/server/src/storage/open-storage.js';
import { BENCH_AUTH, KINESIS_JSON } from './kinesis-http.js';

/** Keeps the status and the last body written. */
export class Sink implements ResponseSink {
  status = 0;
  body: Uint8Array | string = '';
  headersSent = false;
  writeHead(statusCode: number): unknown {
    this.status = statusCode;
    this.headersSent = true;
    return this;
  }
  write(chunk: Uint8Array | string): boolean {
    this.body = chunk;
    return true;
  }
  end(chunk?: Uint8Array | string): unknown {
    if (chunk !== undefined) this.body = chunk;
    return this;
  }
}

/** A Kinesis request as the listener hands it to the router. */
export function kinesisRequest(target: string, body: Buffer, contentType = KINESIS_JSON): ProtocolRequest {
  return {
    headers: { 'x-amz-target': `Kinesis_20131202.${target}`, 'content-type': contentType, host: 'localhost', authorization: BENCH_AUTH },
    body,
    sourceIp: '127.0.0.1',
    secure: false,
    signal: new AbortController().signal,
  };
}

export function routerFor(binding: ServiceBinding): AwsProtocolRouter {
  return new AwsProtocolRouter({ bindings: [binding], logger: silentLogger, defaultRegion: 'us-east-1', defaultAccountId: '000000000000' });
}

export interface InProcessKinesis {
  readonly binding: ServiceBinding;
  readonly router: AwsProtocolRouter;
  close(): Promise<void>;
}

/** The Kinesis binding over a fresh embedded engine (limits off), with an ACTIVE stream of `shards` shards. */
export async function openInProcessKinesis(fsync: string, stream: string, shards: number): Promise<InProcessKinesis> {
  const dir = await mkdtemp(join(os.tmpdir(), 'shardline-in-process-'));
  const storage = await openStorage({ inMemory: false, dataDir: dir, fsync: parseFsyncPolicy(fsync), clock: systemClock, logger: silentLogger });
  const kinesis = await createKinesisBinding({ storage, clock: systemClock, logger: silentLogger, settings: { ...defaultKinesisSettings, limits: false, createStreamMs: 0 } });
  const router = routerFor(kinesis.binding);
  const close = async (): Promise<void> => {
    await kinesis.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const create = new Sink();
    await router.handle(kinesisRequest('CreateStream', Buffer.from(JSON.stringify({ StreamName: stream, ShardCount: shards }))), create);
    if (create.status !== 200) throw new Error(`CreateStream answered ${create.status}: ${String(create.body)}`);
    for (let i = 0; ; i++) {
      const d = new Sink();
      await router.handle(kinesisRequest('DescribeStreamSummary', Buffer.from(JSON.stringify({ StreamName: stream }))), d);
      if (String(d.body).includes('"ACTIVE"')) break;
      if (i === 100) throw new Error(`${stream} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { binding: kinesis.binding, router, close };
}

/** µs of CPU of this process per call of `once`, over `seconds` (after 200 unmeasured calls). */
export function cpuPerCall(once: () => void, seconds: number): number {
  for (let i = 0; i < 200; i++) once();
  const cpu0 = process.cpuUsage();
  const stopAt = performance.now() + seconds * 1000;
  let calls = 0;
  while (performance.now() < stopAt) {
    once();
    calls++;
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / calls;
}
