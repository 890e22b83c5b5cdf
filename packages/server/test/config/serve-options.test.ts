import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ServeCommand } from '../../src/config/serve-options.js';
import { envName, parseServeCommand, serveHelpText, serveOptions } from '../../src/config/serve-options.js';
import type { ServerConfig } from '../../src/config/server-config.js';
import { ConfigError, defaultServerConfig, isLoopbackHost } from '../../src/config/server-config.js';

function config(args: string[], env: Record<string, string> = {}): ServerConfig {
  const command: ServeCommand = parseServeCommand(args, env);
  assert.equal(command.kind, 'serve');
  return command.config;
}

function rejects(args: string[], env: Record<string, string>, message: RegExp): void {
  assert.throws(() => parseServeCommand(args, env), (e: unknown) => e instanceof ConfigError && message.test(e.message), `${args.join(' ')} ${JSON.stringify(env)}`);
}

void describe('shardline serve options', () => {
  void it('defaults match the documented ones', () => {
    const c = config([]);
    assert.deepEqual(c, defaultServerConfig);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 4567);
    assert.equal(c.dataDir, './data');
    assert.equal(c.inMemory, false);
    assert.equal(c.region, 'us-east-1');
    assert.equal(c.accountId, '000000000000');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.tls, undefined);
    assert.deepEqual(c.fsync, { mode: 'always' });
    assert.equal(c.limits, true);
    assert.equal(c.createStreamMs, 500);
    assert.equal(c.updateStreamMs, 500);
    assert.equal(c.deleteStreamMs, 500);
  });

  void it('reads every flag, in both --name value and --name=value forms', () => {
    const c = config([
      '--host', 'localhost', '--port=0', '--data-dir', '/tmp/x', '--in-memory', '--region', 'eu-west-1',
      '--account-id', '123456789012', '--log-level=debug', '--fsync', 'interval:50', '--limits', 'off',
      '--create-stream-ms', '0', '--update-stream-ms=1', '--delete-stream-ms', '2', '--consumer-ms', '3',
      '--max-body-bytes', '2048', '--request-timeout-ms', '5000', '--tls-self-signed',
    ]);
    assert.deepEqual(c, {
      ...defaultServerConfig,
      host: 'localhost',
      port: 0,
      dataDir: '/tmp/x',
      inMemory: true,
      region: 'eu-west-1',
      accountId: '123456789012',
      logLevel: 'debug',
      fsync: { mode: 'interval', intervalMs: 50 },
      limits: false,
      createStreamMs: 0,
      updateStreamMs: 1,
      deleteStreamMs: 2,
      consumerMs: 3,
      maxBodyBytes: 2048,
      requestTimeoutMs: 5000,
      tls: { mode: 'self-signed' },
    });
    assert.deepEqual(config(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tls, { mode: 'files', certFile: 'c.pem', keyFile: 'k.pem' });
    assert.equal(config(['--in-memory=false']).inMemory, false);
  });

  void it('reads SHARDLINE_<NAME> environment variables', () => {
    assert.equal(envName('data-dir'), 'SHARDLINE_DATA_DIR');
    const c = config([], {
      SHARDLINE_PORT: '9999',
      SHARDLINE_IN_MEMORY: 'true',
      SHARDLINE_REGION: 'ap-south-1',
      SHARDLINE_FSYNC: 'never',
      SHARDLINE_LIMITS: 'off',
      SHARDLINE_LOG_LEVEL: 'warn',
      SHARDLINE_CREATE_STREAM_MS: '10',
      SHARDLINE_HOST: '0.0.0.0',
      SHARDLINE_INSECURE: '1',
    });
    assert.equal(c.port, 9999);
    assert.equal(c.inMemory, true);
    assert.equal(c.region, 'ap-south-1');
    assert.deepEqual(c.fsync, { mode: 'never' });
    assert.equal(c.limits, false);
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.createStreamMs, 10);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.insecure, true);
    // an empty variable counts as unset
    assert.equal(config([], { SHARDLINE_PORT: '' }).port, 4567);
  });

  void it('a flag wins over the environment, which wins over the default', () => {
    const env = { SHARDLINE_PORT: '7000', SHARDLINE_REGION: 'eu-central-1' };
    const c = config(['--port', '8000'], env);
    assert.equal(c.port, 8000);
    assert.equal(c.region, 'eu-central-1');
    assert.equal(c.logLevel, 'info');
    assert.equal(config(['--in-memory=false'], { SHARDLINE_IN_MEMORY: 'true' }).inMemory, false);
  });

  void it('bad values give clear errors naming the flag or variable', () => {
    rejects(['--port', 'abc'], {}, /--port: "abc" \(expected an integer from 0 to 65535\)/);
    rejects(['--port', '70000'], {}, /--port/);
    rejects([], { SHARDLINE_PORT: '-1' }, /SHARDLINE_PORT: "-1"/);
    rejects(['--fsync', 'sometimes'], {}, /--fsync: "sometimes" \(expected always, never or interval:<ms>\)/);
    rejects(['--fsync', 'interval:0'], {}, /--fsync/);
    rejects(['--limits', 'maybe'], {}, /--limits: "maybe" \(expected true or false\)/);
    rejects(['--log-level', 'loud'], {}, /--log-level: "loud" \(expected debug, info, warn, error, silent\)/);
    rejects(['--account-id', '123'], {}, /--account-id: "123" \(expected 12 digits\)/);
    rejects(['--region', 'mars'], {}, /region must look like an AWS region/);
    rejects([], { SHARDLINE_IN_MEMORY: 'perhaps' }, /SHARDLINE_IN_MEMORY/);
    rejects(['--create-stream-ms', '1.5'], {}, /--create-stream-ms/);
    rejects(['--frobnicate'], {}, /unknown option --frobnicate/);
    rejects(['extra'], {}, /unexpected argument "extra"/);
    rejects(['--port'], {}, /option --port needs a value/);
    rejects(['--data-dir', '--in-memory'], {}, /option --data-dir needs a value/);
    rejects(['--tls-cert', 'c.pem'], {}, /--tls-cert and --tls-key must be given together/);
    rejects(['--tls-self-signed', '--tls-cert', 'c', '--tls-key', 'k'], {}, /cannot be combined/);
  });

  void it('--tail-cache-mb / SHARDLINE_TAIL_CACHE_MB set the tail-cache budget in MiB; 0 turns it off', () => {
    assert.equal(config([]).tailCacheBudgetBytes, 64 * 1024 * 1024);
    assert.equal(config(['--tail-cache-mb', '8']).tailCacheBudgetBytes, 8 * 1024 * 1024);
    assert.equal(config(['--tail-cache-mb=0']).tailCacheBudgetBytes, 0);
    assert.equal(config([], { SHARDLINE_TAIL_CACHE_MB: '256' }).tailCacheBudgetBytes, 256 * 1024 * 1024);
    assert.equal(config(['--tail-cache-mb', '1'], { SHARDLINE_TAIL_CACHE_MB: '256' }).tailCacheBudgetBytes, 1024 * 1024);
    rejects(['--tail-cache-mb', '-1'], {}, /--tail-cache-mb: "-1" \(expected an integer from 0 to 1048576\)/);
    rejects(['--tail-cache-mb', '1.5'], {}, /--tail-cache-mb/);
    rejects([], { SHARDLINE_TAIL_CACHE_MB: 'lots' }, /SHARDLINE_TAIL_CACHE_MB: "lots"/);
    const help = serveHelpText();
    assert.match(help, /--tail-cache-mb <MiB> +Memory for recently appended records .*shared by all shards.*0 turns the cache off\./);
    assert.match(help, /env SHARDLINE_TAIL_CACHE_MB; default 64\n/);
  });

  void it('refuses a non-loopback host unless --insecure, saying why', () => {
    rejects(['--host', '0.0.0.0'], {}, /non-loopback host "0\.0\.0\.0".*not verified.*--auth sigv4.*--insecure/);
    rejects(['--host', '192.168.1.10'], {}, /--insecure/);
    assert.equal(config(['--host', '0.0.0.0', '--insecure']).host, '0.0.0.0');
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) assert.ok(!isLoopbackHost(host), host);
  });

  void it('--help lists every flag with its variable and default', () => {
    const help = parseServeCommand(['--port', '1', '--help'], {});
    assert.equal(help.kind, 'help');
    const text = serveHelpText();
    for (const option of serveOptions) {
      assert.ok(text.includes(`--${option.name}`), `--${option.name} in help`);
      assert.ok(text.includes(envName(option.name)), `${envName(option.name)} in help`);
      assert.ok(text.includes(`default ${option.defaultText}`), `default of --${option.name} in help`);
    }
  });

  void it('the README configuration table lists every flag and variable', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    for (const option of serveOptions) {
      assert.ok(readme.includes(`--${option.name}`), `--${option.name} in README`);
      assert.ok(readme.includes(envName(option.name)), `${envName(option.name)} in README`);
    }
  });
});
