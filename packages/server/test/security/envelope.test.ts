import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '../../src/model/service-error.js';
import { ENCRYPTED_FLAG, EnvelopeError, openRecord, RecordCipher, sealRecord } from '../../src/security/envelope.js';
import { DEFAULT_KINESIS_ALIAS, KeyStore, KeyStoreError } from '../../src/security/keys.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'shardline-keys-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  return mkdtemp(join(root, 'ks-'));
}

function isServiceError(code: string) {
  return (err: unknown): boolean => err instanceof ServiceError && err.code === code;
}

void describe('envelope format', () => {
  const dataKey = { id: '0123456789abcdef', key: randomBytes(32) };
  void it('round-trips, with a fresh nonce per record', () => {
    const plain = Buffer.from('the quick brown fox');
    const a = sealRecord(plain, dataKey, 'stream-uid-1');
    const b = sealRecord(plain, dataKey, 'stream-uid-1');
    assert.notDeepEqual(a, b);
    assert.equal(a.length, plain.length + 30 + 16);
    assert.equal(a[0], 1);
    assert.equal(a.indexOf(plain), -1, 'plaintext does not appear in the envelope');
    assert.deepEqual(openRecord(a, dataKey.key, 'stream-uid-1'), plain);
    assert.deepEqual(openRecord(sealRecord(Buffer.alloc(0), dataKey, 's'), dataKey.key, 's'), Buffer.alloc(0));
  });

  void it('detects tampering, a wrong key and a different stream', () => {
    const sealed = sealRecord(Buffer.from('payload-123'), dataKey, 'uid-a');
    for (let i = 0; i < sealed.length; i++) {
      const t = Buffer.from(sealed);
      t[i] ^= 0x01;
      assert.throws(() => openRecord(t, dataKey.key, 'uid-a'), EnvelopeError, `flipped byte ${i}`);
    }
    assert.throws(() => openRecord(sealed, randomBytes(32), 'uid-a'), EnvelopeError);
    assert.throws(() => openRecord(sealed, dataKey.key, 'uid-b'), EnvelopeError);
    assert.throws(() => openRecord(sealed.subarray(0, 20), dataKey.key, 'uid-a'), EnvelopeError);
  });
});

void describe('key store', () => {
  void it('generates a 0600 master key and a key store without plaintext keys', async () => {
    const dir = await freshDir();
    const { store, notes } = await KeyStore.open({ dir });
    assert.match(notes.join('\n'), /generated a new master key/);
    assert.equal((await stat(join(dir, 'master.key'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'keystore.json'))).mode & 0o777, 0o600);
    const key = await store.createKey({ accountId: ACCOUNT, region: REGION, description: 'orders', alias: 'alias/orders' });
    assert.match(key.keyId, /^[0-9a-f-]{36}$/);
    assert.equal(key.arn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key.keyId}`);
    assert.deepEqual(key.aliases, ['alias/orders']);
    await store.close();
    const { store: again, notes: n2 } = await KeyStore.open({ dir });
    assert.deepEqual(n2, []);
    assert.equal(again.listKeys({ accountId: ACCOUNT }).length, 1);
  });

  void it('resolves keys by id, ARN, alias and alias ARN; unknown → KMSNotFoundException', async () => {
    const { store } = await KeyStore.open({ dir: await freshDir() });
    const key = await store.createKey({ accountId: ACCOUNT, region: REGION, alias: 'alias/app' });
    for (const ref of [key.keyId, key.arn, 'alias/app', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`]) {
      assert.equal(store.describeKey(ref, ACCOUNT, REGION).keyId, key.keyId, ref);
    }
    assert.throws(() => store.describeKey('alias/nope', ACCOUNT, REGION), (e: unknown) => isServiceError('KMSNotFoundException')(e) && /alias\/nope is not found/.test((e as Error).message));
    assert.throws(() => store.describeKey(key.keyId, '444455556666', REGION), isServiceError('KMSNotFoundException'));
    assert.throws(() => store.describeKey('not-a-key', ACCOUNT, REGION), isServiceError('KMSNotFoundException'));
    await assert.rejects(store.createKey({ accountId: ACCOUNT, region: REGION, alias: 'alias/app' }), KeyStoreError);
    await assert.rejects(store.createKey({ accountId: ACCOUNT, region: REGION, alias: 'alias/aws/mine' }), KeyStoreError);
    await store.createAlias('alias/app2', 'alias/app', ACCOUNT, REGION);
    assert.deepEqual(store.describeKey(key.keyId, ACCOUNT, REGION).aliases, ['alias/app', 'alias/app2']);
  });

  void it('creates alias/aws/kinesis on demand, once per account and region', async () => {
    const { store } = await KeyStore.open({ dir: await freshDir() });
    const a = await store.resolveForEncryption(DEFAULT_KINESIS_ALIAS, ACCOUNT, REGION);
    const b = await store.resolveForEncryption(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/aws/kinesis`, ACCOUNT, REGION);
    assert.equal(a.keyId, b.keyId);
    assert.equal(a.manager, 'AWS');
    const c = await store.resolveForEncryption(DEFAULT_KINESIS_ALIAS, ACCOUNT, 'eu-west-1');
    assert.notEqual(c.keyId, a.keyId);
    await assert.rejects(store.resolveForEncryption('alias/missing', ACCOUNT, REGION), isServiceError('KMSNotFoundException'));
  });

  void it('encrypts records with flags bit 0 and decrypts them after a restart; a disabled key → KMSDisabledException', async () => {
    const dir = await freshDir();
    const { store } = await KeyStore.open({ dir });
    const key = await store.resolveForEncryption(DEFAULT_KINESIS_ALIAS, ACCOUNT, REGION);
    const cipher = new RecordCipher(store);
    const payload = Buffer.from('KNOWN-PAYLOAD-7f3a');
    const sealed = await cipher.sealBatch([{ partitionKey: 'pk', data: payload }, { partitionKey: 'pk2', explicitHashKey: '5', data: Buffer.from('x'), flags: 2 }], 'uid-1', key.keyId);
    assert.equal(sealed[0].flags, ENCRYPTED_FLAG);
    assert.equal(sealed[1].flags, 3);
    assert.equal(sealed[1].explicitHashKey, '5');
    assert.equal(Buffer.from(sealed[0].data).indexOf(payload), -1);
    assert.deepEqual(Buffer.from(cipher.openStored({ data: sealed[0].data, flags: 1 }, 'uid-1')), payload);
    assert.deepEqual(cipher.openStored({ data: payload, flags: 0 }, 'uid-1'), payload, 'unencrypted records pass through');
    // Nothing in the key store directory holds the data key or the payload in plaintext.
    for (const f of await readdir(dir)) assert.equal((await readFile(join(dir, f))).indexOf(payload), -1);
    await store.close();

    const { store: reopened } = await KeyStore.open({ dir });
    const cipher2 = new RecordCipher(reopened);
    assert.deepEqual(Buffer.from(cipher2.openStored({ data: sealed[0].data, flags: 1 }, 'uid-1')), payload);
    await reopened.disableKey(key.keyId, ACCOUNT, REGION);
    assert.throws(() => cipher2.openStored({ data: sealed[0].data, flags: 1 }, 'uid-1'), isServiceError('KMSDisabledException'));
    await assert.rejects(cipher2.sealBatch([{ partitionKey: 'p', data: payload }], 'uid-1', key.keyId), isServiceError('KMSDisabledException'));
    await assert.rejects(reopened.resolveForEncryption(key.arn, ACCOUNT, REGION), isServiceError('KMSDisabledException'));
    await reopened.enableKey(key.keyId, ACCOUNT, REGION);
    assert.deepEqual(Buffer.from(cipher2.openStored({ data: sealed[0].data, flags: 1 }, 'uid-1')), payload);
  });

  void it('shares one data key between concurrent first appends', async () => {
    const { store } = await KeyStore.open({ dir: await freshDir() });
    const key = await store.createKey({ accountId: ACCOUNT, region: REGION });
    const keys = await Promise.all(Array.from({ length: 8 }, () => store.dataKeyForEncryption(key.keyId, 'uid-x')));
    assert.equal(new Set(keys.map((k) => k.id)).size, 1);
  });

  void it('refuses to start with the wrong master key, or without one, and never serves garbage', async () => {
    const dir = await freshDir();
    const master = randomBytes(32).toString('hex');
    const { store } = await KeyStore.open({ dir, masterKey: master });
    const key = await store.createKey({ accountId: ACCOUNT, region: REGION });
    const sealed = await new RecordCipher(store).sealBatch([{ partitionKey: 'p', data: Buffer.from('secret') }], 'u', key.keyId);
    await store.close();
    await assert.rejects(KeyStore.open({ dir, masterKey: randomBytes(32).toString('hex') }), (e: unknown) => e instanceof KeyStoreError && e.code === 'WRONG_MASTER_KEY' && /key-check value differs/.test(e.message));
    await assert.rejects(KeyStore.open({ dir }), (e: unknown) => e instanceof KeyStoreError && e.code === 'MASTER_KEY_MISSING');
    await assert.rejects(KeyStore.open({ dir, masterKey: 'too-short' }), (e: unknown) => e instanceof KeyStoreError && e.code === 'BAD_MASTER_KEY');
    const keyFile = join(root, `mk-${Date.now()}`);
    await writeFile(keyFile, Buffer.from(master, 'hex').toString('base64') + '\n');
    const { store: ok } = await KeyStore.open({ dir, masterKeyFile: keyFile });
    assert.deepEqual(Buffer.from(new RecordCipher(ok).openStored({ data: sealed[0].data, flags: 1 }, 'u')), Buffer.from('secret'));
    // A damaged key store is reported, not used.
    await writeFile(join(dir, 'keystore.json'), '{"format":"other"}');
    await assert.rejects(KeyStore.open({ dir, masterKey: master }), (e: unknown) => e instanceof KeyStoreError && e.code === 'CORRUPT');
  });
});
