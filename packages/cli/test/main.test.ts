/**
 * Smoke tests of the `shardline` command as a user runs it: a real process, real signals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, it } from 'node:test';
import { ListStreamsCommand, KinesisClient } from '@aws-sdk/client-kinesis';

const bin = new URL('../bin/shardline.js', import.meta.url).pathname;

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcessWithoutNullStreams; done: Promise<Finished>; output: () => string } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, output: () => stdout };
}

async function waitFor(read: () => string, pattern: RegExp, done: Promise<Finished>): Promise<RegExpMatchArray> {
  let exited = false;
  void done.then(() => (exited = true));
  for (let i = 0; i < 400; i++) {
    const m = read().match(pattern);
    if (m) return m;
    if (exited) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const finished = await Promise.race([done, Promise.resolve(undefined)]);
  throw new Error(`no ${pattern} in output: ${read()} ${finished?.stderr ?? ''}`);
}

void describe('shardline serve (process)', () => {
  void it('prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const { child, done, output } = start(['serve', '--in-memory', '--port', '0'], { SHARDLINE_LOG_LEVEL: 'info' });
    const [, url] = await waitFor(output, /Shardline listening on (http:\/\/127\.0\.0\.1:\d+)/, done);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const client = new KinesisClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, maxAttempts: 1 });
    try {
      const out = await client.send(new ListStreamsCommand({}));
      assert.deepEqual(out.StreamNames, []);
    } finally {
      client.destroy();
    }
    child.kill('SIGTERM');
    const finished = await done;
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stderr, /"msg":"stopped"/);
  });

  void it('exits 0 on SIGINT too, with a persistent data dir', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'shardline-cli-'));
    try {
      const { child, done, output } = start(['serve', '--port=0', '--data-dir', dir, '--fsync', 'never']);
      await waitFor(output, /Shardline listening on http:\/\/127\.0\.0\.1:\d+/, done);
      child.kill('SIGINT');
      const finished = await done;
      assert.equal(finished.code, 0, finished.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('refuses bad configuration with exit code 2 and a clear message', async () => {
    const [bad, open, envBad] = await Promise.all([
      start(['serve', '--port', 'nope']).done,
      start(['serve', '--in-memory', '--host', '0.0.0.0']).done,
      start(['serve'], { SHARDLINE_FSYNC: 'sometimes' }).done,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid value for --port: "nope"/);
    assert.equal(open.code, 2);
    assert.match(open.stderr, /non-loopback.*--insecure/);
    assert.equal(envBad.code, 2);
    assert.match(envBad.stderr, /SHARDLINE_FSYNC/);
  });

  void it('--help documents the commands and every serve flag', async () => {
    const [top, serve, unknown] = await Promise.all([start(['--help']).done, start(['serve', '--help']).done, start(['frobnicate']).done]);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: shardline <command>/);
    assert.match(top.stdout, /serve/);
    assert.equal(serve.code, 0);
    for (const flag of ['--host', '--port', '--data-dir', '--in-memory', '--region', '--account-id', '--log-level', '--tls-cert', '--tls-key', '--tls-self-signed', '--insecure', '--fsync', '--tail-cache-mb', '--limits', '--create-stream-ms', '--update-stream-ms', '--delete-stream-ms']) {
      assert.ok(serve.stdout.includes(flag), `${flag} in serve --help`);
      assert.ok(top.stdout.includes(flag), `${flag} in --help`);
    }
    assert.match(serve.stdout, /--tail-cache-mb <MiB> +Memory for recently appended records[^\n]*shared by all shards/);
    assert.match(serve.stdout, /env SHARDLINE_TAIL_CACHE_MB; default 64\n/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});
