import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/model/context.js';
import { ServiceError } from '../../src/model/service-error.js';
import { EncryptingShardLogStore, streamKeyLookupFromMetadata, streamUidOfLog } from '../../src/security/encrypting-log-store.js';
import { KeyStore } from '../../src/security/keys.js';
import { openStorage } from '../../src/storage/open-storage.js';

async function filesContaining(dir: string, needle: Buffer): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d)) {
      const p = join(d, entry);
      if ((await stat(p)).isDirectory()) await walk(p);
      else if ((await readFile(p)).includes(needle)) hits.push(p);
    }
  };
  await walk(dir);
  return hits;
}

void describe('encrypting shard log store', () => {
  void it('encrypts flagged records on disk, decrypts them on read, leaves others alone', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shardline-enc-'));
    try {
      const clock = new ManualClock(Date.UTC(2026, 10, 22));
      const dataDir = join(root, 'data');
      const storage = await openStorage({ inMemory: false, dataDir, clock, fsync: { mode: 'never' } });
      const { store: keys } = await KeyStore.open({ dir: join(root, 'keys') });
      const uid = 'stream-uid-1';
      // The stream record the lookup finds by uid (as the control plane stores it).
      await storage.metadata.commit([{ type: 'put', key: 'kinesis/stream/111122223333/us-east-1/orders', value: { uid, accountId: '111122223333', region: 'us-east-1', name: 'orders', keyId: 'alias/aws/kinesis', encryptionType: 'KMS' } }]);
      const logs = new EncryptingShardLogStore(storage.logs, keys, streamKeyLookupFromMetadata(storage.metadata, clock));
      const log = await logs.open(`${uid}/shardId-000000000000`);
      assert.equal(await logs.open(`${uid}/shardId-000000000000`), log, 'opening twice returns the same instance');
      const clear = Buffer.from('PLAINTEXT-BEFORE-ENCRYPTION-4242');
      const secret = Buffer.from('SECRET-AFTER-ENCRYPTION-9191');
      await log.append([{ partitionKey: 'a', data: clear }]);
      await log.append([{ partitionKey: 'b', data: secret, flags: 1 }, { partitionKey: 'c', data: clear, flags: 0 }]);
      // Packed appends (the PutRecords fast path): flagged ones are sealed too, others pass through.
      assert.ok(log.appendPacked, 'the encrypting log takes packed appends');
      const packedSecret = Buffer.from('PACKED-SECRET-7373');
      const source = { keyBytes: Buffer.from('pq'), dataBytes: Buffer.concat([clear, packedSecret]), layout: new Int32Array([0, 1, 0, clear.length, 1, 1, clear.length, packedSecret.length]) };
      await log.appendPacked({ source, indexes: [0], flags: 0, keepExplicitHashKeys: true });
      await log.appendPacked({ source, indexes: [1], flags: 1, keepExplicitHashKeys: true });
      const read = await log.read(0, { maxRecords: 10, maxBytes: 1 << 20 });
      assert.deepEqual(read.records.map((r) => [Buffer.from(r.data).toString(), r.flags, r.partitionKey]), [
        [clear.toString(), 0, 'a'],
        [secret.toString(), 1, 'b'],
        [clear.toString(), 0, 'c'],
        [clear.toString(), 0, 'p'],
        [packedSecret.toString(), 1, 'q'],
      ]);
      await storage.close();
      assert.ok((await filesContaining(dataDir, clear)).length > 0, 'the unencrypted payload is findable on disk');
      assert.deepEqual(await filesContaining(root, secret), [], 'the encrypted payload is nowhere on disk');
      assert.deepEqual(await filesContaining(root, packedSecret), [], 'the encrypted packed payload is nowhere on disk');

      // Reopen everything: still readable; a disabled key makes the record unreadable with the KMS error.
      const storage2 = await openStorage({ inMemory: false, dataDir, clock, fsync: { mode: 'never' } });
      const { store: keys2 } = await KeyStore.open({ dir: join(root, 'keys') });
      const logs2 = new EncryptingShardLogStore(storage2.logs, keys2, streamKeyLookupFromMetadata(storage2.metadata, clock));
      const log2 = await logs2.open(`${uid}/shardId-000000000000`);
      assert.equal(Buffer.from((await log2.read(1, { maxRecords: 1, maxBytes: 1 << 20 })).records[0].data).toString(), secret.toString());
      const key = keys2.describeKey('alias/aws/kinesis', '111122223333', 'us-east-1');
      await keys2.disableKey(key.keyId, '111122223333', 'us-east-1');
      await assert.rejects(log2.read(1, { maxRecords: 1, maxBytes: 1 << 20 }), (e: unknown) => e instanceof ServiceError && e.code === 'KMSDisabledException');
      await assert.rejects(log2.append([{ partitionKey: 'x', data: secret, flags: 1 }]), (e: unknown) => e instanceof ServiceError && e.code === 'KMSDisabledException');
      assert.equal((await log2.read(0, { maxRecords: 1, maxBytes: 1 << 20 })).records.length, 1, 'unencrypted records stay readable');
      await storage2.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  void it('parses the stream uid from a log name', () => {
    assert.equal(streamUidOfLog('abc/shardId-000000000001'), 'abc');
  });
});
