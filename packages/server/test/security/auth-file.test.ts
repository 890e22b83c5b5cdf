import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { AuthFileError, loadCredentials, parseAuthFile, rootIdentity, Secret } from '../../src/security/auth-file.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const good = {
  accounts: [
    {
      id: '111122223333',
      users: [
        {
          name: 'alice',
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: SECRET,
          policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }],
        },
        { name: 'reader', accessKeyId: 'AKIAREADER0000000000', secretAccessKey: 'r-secret' },
      ],
    },
    { id: '444455556666', users: [{ name: 'bob', accessKeyId: 'AKIABOB0000000000000', secretAccessKey: 'b-secret', policies: [] }] },
  ],
};

function variant(mutate: (doc: typeof good & Record<string, unknown>) => void): string {
  const doc = structuredClone(good) as typeof good & Record<string, unknown>;
  mutate(doc);
  return JSON.stringify(doc);
}

function rejects(text: string, message: RegExp): void {
  assert.throws(() => parseAuthFile(text, 'auth file x.json'), (err: unknown) => {
    assert.ok(err instanceof AuthFileError);
    assert.match(err.message, message);
    assert.ok(!err.message.includes(SECRET), 'error messages never echo secrets');
    return true;
  });
}

void describe('auth file', () => {
  void it('parses accounts, users, ARNs and policies', () => {
    const ids = parseAuthFile(JSON.stringify(good));
    assert.equal(ids.length, 3);
    const alice = ids[0];
    assert.equal(alice.arn, 'arn:aws:iam::111122223333:user/alice');
    assert.equal(alice.accountId, '111122223333');
    assert.equal(alice.type, 'IAMUser');
    assert.match(alice.userId, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(alice.secretAccessKey.reveal(), SECRET);
    assert.equal(alice.policies.length, 1);
    assert.equal(ids[1].policies.length, 0);
    assert.equal(ids[2].arn, 'arn:aws:iam::444455556666:user/bob');
  });

  void it('never shows a secret in JSON, String() or inspect()', () => {
    const [alice] = parseAuthFile(JSON.stringify(good));
    assert.ok(!JSON.stringify(alice).includes(SECRET));
    assert.ok(!inspect(alice, { depth: 5 }).includes(SECRET));
    assert.ok(!String(alice.secretAccessKey).includes(SECRET));
    assert.ok(!`${new Secret('abc')}`.includes('abc'));
  });

  void it('rejects bad fields with messages that name them', () => {
    rejects('{', /^auth file x\.json: not valid JSON/);
    rejects('[]', /must be a JSON object/);
    rejects(JSON.stringify({ accounts: [] }), /accounts must be a non-empty array/);
    rejects(variant((d) => (d.accounts[0].id = '1234')), /accounts\[0\]\.id must be a 12-digit account id/);
    rejects(variant((d) => (d.accounts[1].id = '111122223333')), /accounts\[1\]\.id: duplicate account 111122223333/);
    rejects(variant((d) => (d.accounts[0].users[1].name = 'has space')), /accounts\[0\]\.users\[1\]\.name must be/);
    rejects(variant((d) => (d.accounts[0].users[1].name = 'alice')), /accounts\[0\]\.users\[1\]\.name: duplicate user "alice"/);
    rejects(variant((d) => (d.accounts[0].users[1].accessKeyId = 'short')), /accounts\[0\]\.users\[1\]\.accessKeyId must be 16 to 128/);
    rejects(variant((d) => (d.accounts[1].users[0].accessKeyId = 'AKIAIOSFODNN7EXAMPLE')), /accounts\[1\]\.users\[0\]\.accessKeyId: duplicate access key id AKIAIOSFODNN7EXAMPLE/);
    rejects(variant((d) => (d.accounts[0].users[1].secretAccessKey = '')), /accounts\[0\]\.users\[1\]\.secretAccessKey must be a non-empty string/);
    rejects(
      variant((d) => {
        const u = d.accounts[0].users[1] as Record<string, unknown>;
        delete u.secretAccessKey;
        u.secretKey = 'x';
      }),
      /accounts\[0\]\.users\[1\]: unknown field "secretKey"/,
    );
    rejects(variant((d) => (d.accounts[0].users[0].policies = [{ Statement: [{ Effect: 'Allow', Action: '*' }] }] as never)), /accounts\[0\]\.users\[0\]\.policies\[0\]\.Statement\[0\] must have Resource or NotResource/);
    rejects(variant((d) => (d.accounts[0].users[0].policies = {} as never)), /policies must be an array/);
    rejects(variant((d) => (d.extra = 1)), /unknown field "extra"/);
  });

  void it('builds a root identity and loads sources together', async () => {
    const root = rootIdentity({ accessKeyId: 'ROOTKEY0000000000000', secretAccessKey: 's3cret', accountId: '000000000000' });
    assert.equal(root.arn, 'arn:aws:iam::000000000000:root');
    assert.equal(root.type, 'Root');
    const dir = await mkdtemp(join(tmpdir(), 'shardline-auth-'));
    try {
      const path = join(dir, 'auth.json');
      await writeFile(path, JSON.stringify(good));
      const store = await loadCredentials({ authFile: path, rootAccessKeyId: 'ROOTKEY0000000000000', rootSecretAccessKey: 's3cret', defaultAccountId: '000000000000' });
      assert.equal(store.size, 4);
      assert.equal(store.lookup('ROOTKEY0000000000000')?.type, 'Root');
      assert.equal(store.lookup('AKIABOB0000000000000')?.userName, 'bob');
      assert.equal(store.lookup('nope'), undefined);
      await assert.rejects(loadCredentials({ rootAccessKeyId: 'ROOTKEY0000000000000', defaultAccountId: '000000000000' }), /both the access key id and the secret/);
      await assert.rejects(
        loadCredentials({ authFile: path, rootAccessKeyId: 'AKIAIOSFODNN7EXAMPLE', rootSecretAccessKey: 'x', defaultAccountId: '000000000000' }),
        /also in the auth file/,
      );
      await assert.rejects(loadCredentials({ authFile: join(dir, 'missing.json'), defaultAccountId: '000000000000' }), /missing\.json: cannot be read: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
