import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServeCommand } from '../../src/config/serve-options.js';
import type { ServerConfig } from '../../src/config/server-config.js';

function config(args: string[], env: Record<string, string> = {}): ServerConfig {
  const c = parseServeCommand(args, env);
  assert.equal(c.kind, 'serve');
  return c.config;
}

void describe('security options of shardline serve', () => {
  void it('defaults to --auth off and parses every security flag and variable', () => {
    assert.equal(config([]).auth, 'off');
    const c = config(['--auth', 'sigv4', '--auth-file', 'auth.json', '--audit-log', 'audit.log', '--audit-data-events', '--master-key-file', 'mk'], {
      SHARDLINE_ROOT_ACCESS_KEY_ID: 'ROOTKEY0000000000001',
      SHARDLINE_ROOT_SECRET_ACCESS_KEY: 'root-secret',
    });
    assert.equal(c.auth, 'sigv4');
    assert.equal(c.authFile, 'auth.json');
    assert.equal(c.auditLog, 'audit.log');
    assert.equal(c.auditDataEvents, true);
    assert.equal(c.masterKeyFile, 'mk');
    assert.equal(c.rootAccessKeyId, 'ROOTKEY0000000000001');
    assert.equal(c.rootSecretAccessKey, 'root-secret');
  });

  void it('lets --auth sigv4 listen on a non-loopback host, and checks the combinations', () => {
    assert.equal(config(['--host', '0.0.0.0', '--auth', 'sigv4', '--auth-file', 'a.json']).host, '0.0.0.0');
    assert.throws(() => parseServeCommand(['--auth', 'basic'], {}), /invalid value for --auth: "basic" \(expected off or sigv4\)/);
    assert.throws(() => parseServeCommand(['--auth', 'sigv4'], {}), /--auth sigv4 needs identities/);
    assert.throws(() => parseServeCommand(['--root-access-key-id', 'ROOTKEY0000000000001'], {}), /must be given together/);
    assert.throws(() => parseServeCommand(['--master-key', 'a'.repeat(64), '--master-key-file', 'f'], {}), /not both/);
  });
});
