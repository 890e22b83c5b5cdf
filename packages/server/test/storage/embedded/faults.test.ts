/**
 * I/O faults (through an injected SegmentFs), the data-directory lock, and openStorage for the
 * embedded engine.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/model/context.js';
import type { AppendRecord , StorageError} from '../../../src/storage/contract.js';
import { StorageErrorCode } from '../../../src/storage/contract.js';
import { openEmbeddedStorage } from '../../../src/storage/embedded/embedded-storage.js';
import { logDirName } from '../../../src/storage/embedded/log-dir-name.js';
import type { SegmentFs } from '../../../src/storage/embedded/segment-fs.js';
import { nodeSegmentFs } from '../../../src/storage/embedded/segment-fs.js';
import { SegmentShardLogStore } from '../../../src/storage/embedded/segment-shard-log-store.js';
import type { FsyncPolicy } from '../../../src/storage/fsync-policy.js';
import { openStorage } from '../../../src/storage/open-storage.js';
import { isStorageError } from '../shard-log-contract.js';
import { RecordingLogger } from './recording-logger.js';
import { tempDir } from './temp-dir.js';

function eio(op: string): Error {
  return Object.assign(new Error(`EIO: i/o error, ${op}`), { code: 'EIO' });
}

/** Real file operations, with faults switched on by the test, on segment (.log) files only. */
class FaultyFs implements SegmentFs {
  /** Fail this many upcoming segment writes (after writing half the bytes when `partial`). */
  failWrites = 0;
  partial = true;
  failSyncs = 0;
  failTruncates = 0;
  /** Segment fdatasync calls so far. */
  syncs = 0;
  /** Segment writes so far. */
  writes = 0;
  private readonly logFds = new Set<number>();

  async open(path: string, flags: string): Promise<number> {
    const fd = await nodeSegmentFs.open(path, flags);
    if (path.endsWith('.log')) this.logFds.add(fd);
    else this.logFds.delete(fd);
    return fd;
  }
  close(fd: number): Promise<void> {
    this.logFds.delete(fd);
    return nodeSegmentFs.close(fd);
  }
  async writeAll(fd: number, buf: Uint8Array, position: number): Promise<void> {
    if (this.logFds.has(fd)) this.writes++;
    if (this.logFds.has(fd) && this.failWrites > 0) {
      this.failWrites--;
      if (this.partial) await nodeSegmentFs.writeAll(fd, buf.subarray(0, buf.length >> 1), position);
      throw eio('write');
    }
    return nodeSegmentFs.writeAll(fd, buf, position);
  }
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return nodeSegmentFs.read(fd, buf, offset, length, position);
  }
  async fdatasync(fd: number): Promise<void> {
    if (this.logFds.has(fd)) this.syncs++;
    if (this.logFds.has(fd) && this.failSyncs > 0) {
      this.failSyncs--;
      throw eio('fdatasync');
    }
    return nodeSegmentFs.fdatasync(fd);
  }
  fsync(fd: number): Promise<void> {
    return nodeSegmentFs.fsync(fd);
  }
  async ftruncate(fd: number, length: number): Promise<void> {
    if (this.logFds.has(fd) && this.failTruncates > 0) {
      this.failTruncates--;
      throw eio('ftruncate');
    }
    return nodeSegmentFs.ftruncate(fd, length);
  }
  fileSize(fd: number): Promise<number> {
    return nodeSegmentFs.fileSize(fd);
  }
}

const T0 = Date.UTC(2026, 0, 1);
const NAME = 'uid/shardId-000000000000';

function batch(tag: string, n: number): AppendRecord[] {
  return Array.from({ length: n }, (_, i) => ({ partitionKey: `${tag}-${i}`, data: Buffer.alloc(64, i) }));
}

async function keys(store: SegmentShardLogStore): Promise<string[]> {
  const log = await store.open(NAME);
  return (await log.read(0, { maxRecords: 1000, maxBytes: 1 << 20 })).records.map((r) => r.partitionKey);
}

async function withFaultyStore(
  fn: (ctx: { store: SegmentShardLogStore; fs: FaultyFs; reopen: () => Promise<SegmentShardLogStore>; segPath: string }) => Promise<void>,
  fsync: FsyncPolicy = { mode: 'always' },
): Promise<void> {
  const dir = await tempDir();
  const fs = new FaultyFs();
  const stores: SegmentShardLogStore[] = [];
  const open = async (): Promise<SegmentShardLogStore> => {
    const s = await SegmentShardLogStore.open({ dir: dir.path, fsync, clock: new ManualClock(T0), logger: new RecordingLogger(), fs });
    stores.push(s);
    return s;
  };
  try {
    const store = await open();
    await fn({ store, fs, reopen: open, segPath: join(dir.path, logDirName(NAME), '00000000000000000000.log') });
  } finally {
    for (const s of stores) await s.close();
    await dir.remove();
  }
}

void describe('embedded engine: I/O faults', () => {
  void it('a failed write rejects that batch with IO, leaves nothing visible, and later appends work', () =>
    withFaultyStore(async ({ store, fs, reopen, segPath }) => {
      const log = await store.open(NAME);
      await log.append(batch('a', 3));
      const goodSize = (await stat(segPath)).size;
      const seen: number[] = [];
      log.onAppend((end) => seen.push(end));
      fs.failWrites = 1;
      await assert.rejects(log.append(batch('bad', 4)), (e: unknown) => {
        isStorageError(StorageErrorCode.IO)(e);
        assert.ok((e as StorageError).cause instanceof Error);
        return true;
      });
      assert.equal(log.endOffset(), 3);
      assert.equal((await stat(segPath)).size, goodSize, 'half-written bytes truncated away');
      assert.deepEqual(await keys(store), ['a-0', 'a-1', 'a-2']);
      assert.deepEqual(seen, []);
      const r = await log.append(batch('b', 2));
      assert.equal(r.firstOffset, 3, 'no gap where the failed batch was');
      assert.deepEqual(seen, [5]);
      await store.close();
      const again = await reopen();
      assert.deepEqual(await keys(again), ['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
    }));

  void it('a failed fsync (policy always) fails the batch and rolls it back', () =>
    withFaultyStore(async ({ store, fs, segPath }) => {
      const log = await store.open(NAME);
      await log.append(batch('a', 1));
      const goodSize = (await stat(segPath)).size;
      fs.failSyncs = 1;
      await assert.rejects(log.append(batch('bad', 2)), isStorageError(StorageErrorCode.IO));
      assert.equal((await stat(segPath)).size, goodSize);
      assert.equal((await log.append(batch('b', 1))).firstOffset, 1);
      assert.deepEqual(await keys(store), ['a-0', 'b-0']);
    }));

  void it('when truncation after a failure also fails, the next append cuts the garbage first', () =>
    withFaultyStore(async ({ store, fs, reopen, segPath }) => {
      const log = await store.open(NAME);
      await log.append(batch('a', 2));
      fs.failWrites = 1;
      fs.failTruncates = 1;
      await assert.rejects(log.append(batch('bad', 6)), isStorageError(StorageErrorCode.IO));
      assert.deepEqual(await keys(store), ['a-0', 'a-1'], 'garbage past the committed end is never read');
      await log.append(batch('b', 1));
      await store.close();
      const again = await reopen();
      assert.deepEqual(await keys(again), ['a-0', 'a-1', 'b-0']);
      assert.equal((await stat(segPath)).size, (await readFile(segPath)).length);
    }));

  void it('concurrent appends: only the failing group is rejected; the queue keeps going', () =>
    withFaultyStore(async ({ store, fs }) => {
      const log = await store.open(NAME);
      await log.append(batch('warm', 1));
      await new Promise((resolve) => setImmediate(resolve)); // let the writer go idle
      fs.failWrites = 1;
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => log.append(batch(`c${i}`, 2))));
      const failed = results.filter((r) => r.status === 'rejected');
      const ok = results.filter((r): r is PromiseFulfilledResult<{ firstOffset: number; arrivalMs: number }> => r.status === 'fulfilled');
      // The first append finds the writer idle and is written alone (and fails); the other 19
      // queue behind it and are group-committed together.
      assert.equal(failed.length, 1);
      assert.equal(results[0].status, 'rejected');
      for (const f of failed) isStorageError(StorageErrorCode.IO)((f as PromiseRejectedResult).reason);
      const offsets = ok.map((r) => r.value.firstOffset).sort((a, b) => a - b);
      offsets.forEach((o, i) => assert.equal(o, 1 + i * 2));
      assert.equal(log.endOffset(), 1 + ok.length * 2);
      const stored = await keys(store);
      assert.equal(stored.length, 1 + ok.length * 2);
    }));
});

void describe('embedded engine: group commit', () => {
  void it('fsync always: concurrent appends share one write and one fsync', () =>
    withFaultyStore(async ({ store, fs }) => {
      const log = await store.open(NAME);
      await log.append(batch('warm', 1));
      await new Promise((resolve) => setImmediate(resolve));
      const writes = fs.writes;
      const syncs = fs.syncs;
      await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(batch(`g${i}`, 1))));
      // The first append is written alone; the other 99 arrive while it is in flight.
      assert.equal(fs.writes - writes, 2);
      assert.equal(fs.syncs - syncs, 2);
      assert.equal(log.endOffset(), 101);
    }));

  void it('fsync interval: appends are acknowledged without fsync; a timer syncs dirty logs', () =>
    withFaultyStore(
      async ({ store, fs }) => {
        const log = await store.open(NAME);
        for (let i = 0; i < 10; i++) await log.append(batch(`i${i}`, 1));
        const syncsAfterAppends = fs.syncs;
        assert.ok(syncsAfterAppends < 10, `appends do not each fsync (${syncsAfterAppends})`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const synced = fs.syncs;
        assert.ok(synced > syncsAfterAppends || syncsAfterAppends > 0, 'the timer synced the written data');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(fs.syncs, synced, 'no fsync while idle');
      },
      { mode: 'interval', intervalMs: 25 },
    ));

  void it('fsync never: no fsync on the write path', () =>
    withFaultyStore(
      async ({ store, fs }) => {
        const log = await store.open(NAME);
        for (let i = 0; i < 10; i++) await log.append(batch(`n${i}`, 1));
        assert.equal(fs.syncs, 0);
      },
      { mode: 'never' },
    ));
});

void describe('embedded engine: data directory lock', () => {
  void it('a second open of the same directory fails with LOCKED naming the directory and the pid', async () => {
    const dir = await tempDir();
    try {
      const first = await openEmbeddedStorage({ dataDir: dir.path, clock: new ManualClock(T0), logger: new RecordingLogger() });
      await assert.rejects(openEmbeddedStorage({ dataDir: dir.path, clock: new ManualClock(T0), logger: new RecordingLogger() }), (e: unknown) => {
        isStorageError(StorageErrorCode.LOCKED)(e);
        assert.match((e as Error).message, new RegExp(dir.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.match((e as Error).message, new RegExp(`process ${process.pid}`));
        return true;
      });
      assert.equal(first.isReady(), true);
      await first.close();
      assert.equal(first.isReady(), false);
      assert.ok(!(await readdir(dir.path)).includes('LOCK'), 'close releases the lock');
      const second = await openEmbeddedStorage({ dataDir: dir.path, clock: new ManualClock(T0), logger: new RecordingLogger() });
      await second.close();
    } finally {
      await dir.remove();
    }
  });

  void it('a stale lock (its pid no longer runs) is replaced, with a warning', async () => {
    const dir = await tempDir();
    try {
      const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const deadPid = Number(child.stdout);
      assert.ok(deadPid > 0);
      await writeFile(join(dir.path, 'LOCK'), `${deadPid}\n`);
      const logger = new RecordingLogger();
      const storage = await openEmbeddedStorage({ dataDir: dir.path, clock: new ManualClock(T0), logger });
      assert.ok(logger.at('warn').some((l) => l.message.includes('stale') && l.fields.pid === String(deadPid)));
      assert.equal((await readFile(join(dir.path, 'LOCK'), 'utf8')).trim(), String(process.pid));
      await storage.close();
    } finally {
      await dir.remove();
    }
  });
});

void describe('openStorage (embedded)', () => {
  void it('opens logs and metadata in the data directory that persist across a reopen', async () => {
    const dir = await tempDir();
    try {
      const clock = new ManualClock(T0);
      let storage = await openStorage({ inMemory: false, dataDir: dir.path, fsync: { mode: 'interval', intervalMs: 10 }, segmentBytes: 1024, clock });
      assert.equal(storage.isReady(), true);
      const log = await storage.logs.open(NAME);
      for (let i = 0; i < 20; i++) await log.append(batch(`p${i}`, 2));
      await storage.metadata.commit([{ type: 'put', key: 'stream/x', value: { shards: 1 }, expectVersion: 0 }]);
      await storage.close();
      assert.ok((await readdir(join(dir.path, 'logs', logDirName(NAME)))).filter((f) => f.endsWith('.log')).length > 1);
      storage = await openStorage({ inMemory: false, dataDir: dir.path, clock });
      assert.equal((await storage.logs.open(NAME)).endOffset(), 40);
      assert.deepEqual(await storage.metadata.get('stream/x'), { key: 'stream/x', version: 1, value: { shards: 1 } });
      await storage.close();
    } finally {
      await dir.remove();
    }
  });

  void it('rejects a segment size outside 256 B … 512 MiB', async () => {
    const dir = await tempDir();
    try {
      for (const segmentBytes of [0, 100, 2 ** 30, 1.5]) {
        await assert.rejects(openStorage({ inMemory: false, dataDir: dir.path, segmentBytes, clock: new ManualClock(T0) }), /segmentBytes must be an integer/);
      }
      // The failed opens released the lock.
      const storage = await openStorage({ inMemory: false, dataDir: dir.path, segmentBytes: 256, clock: new ManualClock(T0) });
      await storage.close();
    } finally {
      await dir.remove();
    }
  });

  void it('rejects records the frame format cannot hold, without side effects', async () => {
    const dir = await tempDir();
    try {
      const storage = await openStorage({ inMemory: false, dataDir: dir.path, clock: new ManualClock(T0) });
      const log = await storage.logs.open(NAME);
      await assert.rejects(log.append([{ partitionKey: 'k'.repeat(70_000), data: new Uint8Array(1) }]), TypeError);
      await assert.rejects(log.append([{ partitionKey: 'k', data: new Uint8Array(1), flags: 256 }]), TypeError);
      assert.equal(log.endOffset(), 0);
      assert.equal((await log.append(batch('ok', 1))).firstOffset, 0);
      await storage.close();
      await assert.rejects(storage.logs.open(NAME), isStorageError(StorageErrorCode.CLOSED));
    } finally {
      await dir.remove();
    }
  });
});
