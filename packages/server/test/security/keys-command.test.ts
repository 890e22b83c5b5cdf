import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runKeys } from '../../src/security/keys-command.js';
import { openStorage } from '../../src/storage/open-storage.js';

function io(env: Record<string, string> = {}): { stdout: string[]; stderr: string[]; io: Parameters<typeof runKeys>[1] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, io: { stdout: { write: (t: string) => stdout.push(t) }, stderr: { write: (t: string) => stderr.push(t) }, env } };
}

void describe('shardline keys', () => {
  void it('creates, lists, describes, disables and enables keys; refuses while the data dir is in use', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shardline-keys-cmd-'));
    try {
      const env = { SHARDLINE_DATA_DIR: dir, SHARDLINE_ACCOUNT_ID: '111122223333' };
      const a = io(env);
      assert.equal(await runKeys(['create', '--alias', 'alias/orders', '--description', 'orders key'], a.io), 0, a.stderr.join(''));
      const created = JSON.parse(a.stdout.join('')) as { KeyMetadata: { KeyId: string; Arn: string; Aliases: string[]; KeyState: string; KeyManager: string } };
      assert.match(created.KeyMetadata.Arn, /^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
      assert.deepEqual(created.KeyMetadata.Aliases, ['alias/orders']);
      assert.equal(created.KeyMetadata.KeyManager, 'CUSTOMER');
      assert.match(a.stderr.join(''), /generated a new master key/);

      const l = io(env);
      assert.equal(await runKeys(['list'], l.io), 0);
      assert.equal((JSON.parse(l.stdout.join('')) as { Keys: unknown[] }).Keys.length, 1);
      const d = io(env);
      assert.equal(await runKeys(['disable', 'alias/orders'], d.io), 0);
      assert.equal((JSON.parse(d.stdout.join('')) as { KeyMetadata: { KeyState: string } }).KeyMetadata.KeyState, 'Disabled');
      const e = io(env);
      assert.equal(await runKeys(['enable', created.KeyMetadata.KeyId], e.io), 0);
      const c = io(env);
      assert.equal(await runKeys(['create-alias', 'alias/orders-2', created.KeyMetadata.Arn], c.io), 0);
      const s = io(env);
      assert.equal(await runKeys(['describe', 'alias/orders-2'], s.io), 0);
      assert.deepEqual((JSON.parse(s.stdout.join('')) as { KeyMetadata: { Aliases: string[]; KeyState: string } }).KeyMetadata, {
        ...(JSON.parse(s.stdout.join('')) as { KeyMetadata: Record<string, unknown> }).KeyMetadata,
        Aliases: ['alias/orders', 'alias/orders-2'],
        KeyState: 'Enabled',
      });
      const missing = io(env);
      assert.equal(await runKeys(['describe', 'alias/nope'], missing.io), 1);
      assert.match(missing.stderr.join(''), /KMSNotFoundException: Alias arn:aws:kms:us-east-1:111122223333:alias\/nope is not found\./);
      const wrong = io(env);
      assert.equal(await runKeys(['list', '--master-key', 'cd'.repeat(32)], wrong.io), 1);
      assert.match(wrong.stderr.join(''), /master key does not match/);
      const usage = io(env);
      assert.equal(await runKeys(['frobnicate'], usage.io), 2);
      assert.equal(await runKeys(['describe'], io(env).io), 2);

      // While a server (the storage engine) holds the data directory, the command refuses.
      const storage = await openStorage({ inMemory: false, dataDir: dir, fsync: { mode: 'never' } });
      try {
        const busy = io(env);
        assert.equal(await runKeys(['list'], busy.io), 1);
        assert.match(busy.stderr.join(''), /could not acquire|lock/i);
      } finally {
        await storage.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
