/**
 * Test support: a real Shardline server in the test process, and the real clients pointed at it.
 *
 * ```ts
 * import { startTestServer, runAwsCli, runPython } from '../support/server.js';
 *
 * const server = await startTestServer();                 // in-memory, 127.0.0.1, free port
 * after(() => server.stop());                               // always stop it (closes clients, removes temp dir)
 *
 * const kinesis = server.kinesis();                         // @aws-sdk/client-kinesis, default HTTP/2 handler
 * const h1 = server.kinesis({ http1: true });               // same over HTTP/1.1 (NodeHttpHandler)
 * await kinesis.send(new ListStreamsCommand({}));
 *
 * const cli = await runAwsCli(['kinesis', 'list-streams'], server);
 * // cli.exitCode, cli.json (parsed stdout or undefined), cli.stdout, cli.stderr
 *
 * const py = await runPython('print(json.dumps(kinesis.list_streams()["StreamNames"]))', server);
 * // py.exitCode, py.json, py.stdout, py.stderr — `kinesis` is a boto3 client, `json`, `boto3`, `base64` imported
 * ```
 *
 * Options of {@link startTestServer}: any {@link ServerConfig} field (e.g. `{ createStreamMs: 0, limits: false }`),
 * plus
 * - `persistent: true` — embedded storage in a fresh temp data dir (removed by `stop()`) instead of memory;
 *   `restart()` then reopens the same data dir on the same port (in memory, a restart loses everything);
 * - `bindings` — serve these service bindings instead of the built-in Kinesis service (protocol tests);
 * - `clock` — inject a clock (e.g. `ManualClock`) into storage and services;
 * - `eventStreams` — event-stream responder for SubscribeToShard-style outputs.
 *
 * Defaults differ from `shardline serve` only where tests need it: port 0, in-memory, log level `silent`
 * (set SHARDLINE_TEST_LOG_LEVEL=debug to see server logs), `fsync: never` for persistent servers unless
 * given. Clients: dummy credentials (AKIDSHARDLINETEST / test-secret), region us-east-1, **no retries**
 * (`maxAttempts: 1`; pass `maxAttempts` to `kinesis()` to change it), so throttling errors surface at once.
 * The AWS CLI and boto3 run with the same dummy credentials, no retries and no user config files.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { App } from '../../src/app.js';
import { createApp } from '../../src/app.js';
import type { ServerConfig } from '../../src/config/server-config.js';
import { defaultServerConfig } from '../../src/config/server-config.js';
import type { LogLevel } from '../../src/logger.js';
import type { Clock } from '../../src/model/context.js';
import type { ServiceBinding } from '../../src/model/operation.js';
import type { EventStreamResponder } from '../../src/protocol/router.js';

export const TEST_ACCESS_KEY_ID = 'AKIDSHARDLINETEST';
export const TEST_SECRET_ACCESS_KEY = 'test-secret';
export const TEST_REGION = 'us-east-1';

export type TestServerOptions = Partial<ServerConfig> & {
  readonly persistent?: boolean;
  readonly bindings?: readonly ServiceBinding[];
  readonly clock?: Clock;
  readonly eventStreams?: EventStreamResponder;
};

export interface KinesisClientOptions {
  /** Use HTTP/1.1 (NodeHttpHandler) instead of the SDK's default HTTP/2 handler. */
  readonly http1?: boolean;
  readonly region?: string;
  /** SDK attempts (default 1: no retries). */
  readonly maxAttempts?: number;
}

export interface TestServer {
  /** Endpoint, e.g. http://127.0.0.1:41234 (stable across restart()). */
  readonly url: string;
  readonly port: number;
  readonly config: ServerConfig;
  /** The running app (storage, logger, close). Changes on restart(). */
  readonly app: App;
  /** A Kinesis client for this server; destroyed by stop(). */
  kinesis(options?: KinesisClientOptions): KinesisClient;
  /** Graceful stop and start again with the same config, data dir and port. */
  restart(): Promise<void>;
  /** Stop the server, destroy clients, remove the temp data dir. Idempotent. */
  stop(): Promise<void>;
}

function testLogLevel(): LogLevel {
  const level = process.env.SHARDLINE_TEST_LOG_LEVEL;
  const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
  return levels.find((l) => l === level) ?? 'silent';
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { persistent = false, bindings, clock, eventStreams, ...overrides } = options;
  const tempDir = persistent ? await mkdtemp(join(tmpdir(), 'shardline-test-')) : undefined;
  // Last resort for a test that never calls stop() (or a process that ends early): no temp dir left behind.
  const removeOnExit = (): void => {
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  };
  if (tempDir !== undefined) process.once('exit', removeOnExit);
  let config: ServerConfig = {
    ...defaultServerConfig,
    port: 0,
    host: '127.0.0.1',
    logLevel: testLogLevel(),
    inMemory: !persistent,
    dataDir: tempDir ?? defaultServerConfig.dataDir,
    fsync: persistent && overrides.fsync === undefined ? { mode: 'never' } : defaultServerConfig.fsync,
    shutdownGraceMs: 2000,
    ...overrides,
  };
  const appOptions = { bindings, clock, eventStreams };
  let app: App;
  let url: string;
  let port: number;
  try {
    app = await createApp(config, appOptions);
    ({ url, port } = await app.listen());
  } catch (error) {
    if (tempDir !== undefined) {
      process.removeListener('exit', removeOnExit);
      await rm(tempDir, { recursive: true, force: true });
    }
    throw error;
  }
  config = { ...config, port };
  const clients: KinesisClient[] = [];
  let stopped: Promise<void> | undefined;

  const server: TestServer = {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    get config() {
      return config;
    },
    get app() {
      return app;
    },
    kinesis(clientOptions: KinesisClientOptions = {}) {
      const secure = url.startsWith('https:');
      const client = new KinesisClient({
        endpoint: url,
        region: clientOptions.region ?? TEST_REGION,
        credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
        maxAttempts: clientOptions.maxAttempts ?? 1,
        ...(clientOptions.http1 === true
          ? { requestHandler: new NodeHttpHandler(secure ? { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) } : {}) }
          : {}),
      });
      clients.push(client);
      return client;
    },
    async restart() {
      await app.close();
      app = await createApp(config, appOptions);
      ({ url, port } = await app.listen());
    },
    stop() {
      stopped ??= (async () => {
        for (const client of clients) client.destroy();
        try {
          await app.close();
        } finally {
          if (tempDir !== undefined) {
            process.removeListener('exit', removeOnExit);
            await rm(tempDir, { recursive: true, force: true });
          }
        }
      })();
      return stopped;
    },
  };
  return server;
}

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON, or undefined when empty or not JSON. */
  readonly json: unknown;
}

function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = stdout.trim() === '' ? undefined : JSON.parse(stdout);
      } catch {
        json = undefined; // not JSON output (e.g. text); callers read stdout
      }
      resolve({ exitCode: code ?? (signal !== null ? 128 : 1), stdout, stderr, json });
    });
  });
}

/** Environment for child clients: dummy credentials, no user config, no retries. */
function clientEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_REGION: TEST_REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Run the AWS CLI against the server: `aws <args> --endpoint-url <url> --output json`. */
export function runAwsCli(args: readonly string[], server: Pick<TestServer, 'url'>, timeoutMs = 60_000): Promise<ProcessResult> {
  const extra = server.url.startsWith('https:') ? ['--no-verify-ssl'] : [];
  return runProcess('aws', [...args, '--endpoint-url', server.url, '--output', 'json', ...extra], clientEnv(), timeoutMs);
}

const PYTHON_PRELUDE = `
import base64, json, os, sys, warnings
warnings.filterwarnings("ignore")
import boto3
from botocore.config import Config
ENDPOINT = os.environ["SHARDLINE_TEST_ENDPOINT"]
kinesis = boto3.client(
    "kinesis", endpoint_url=ENDPOINT, region_name=os.environ["AWS_DEFAULT_REGION"],
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    verify=not ENDPOINT.startswith("https:"), config=Config(retries={"max_attempts": 1, "mode": "standard"}),
)
`;

/**
 * Run `code` with python3 after a prelude that imports json/base64/boto3 and defines `kinesis`
 * (a boto3 client for the server) and `ENDPOINT`.
 */
export function runPython(code: string, server: Pick<TestServer, 'url'>, timeoutMs = 60_000): Promise<ProcessResult> {
  return runProcess('python3', ['-c', PYTHON_PRELUDE + '\n' + code], { ...clientEnv(), SHARDLINE_TEST_ENDPOINT: server.url }, timeoutMs);
}
