/**
 * Older segments' sparse indexes are not all kept in memory: they load from their index files when a
 * read needs them and only the most recently used stay, so memory does not grow with retained data.
 * Reads and time lookups across many segments stay exact, and a damaged index file is rebuilt on read.
 */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/logger.js';
import { ManualClock } from '../../../src/model/context.js';
import type { ShardLog } from '../../../src/storage/contract.js';
import type { SegmentShardLog } from '../../../src/storage/embedded/segment-shard-log.js';
import { SegmentShardLogStore } from '../../../src/storage/embedded/segment-shard-log-store.js';
import { tempDir } from './temp-dir.js';

const T0 = Date.UTC(2026, 0, 1);
const NAME = 'uid/shardId-000000000000';

function stats(log: ShardLog): { loaded: number; segments: number } {
  return (log as SegmentShardLog).indexStats();
}

void describe('embedded engine: lazily loaded segment indexes', () => {
  void it('reads and time lookups across 60+ segments are exact while at most 3 indexes stay in memory, also after a reopen', async () => {
    const dir = await tempDir();
    const clock = new ManualClock(T0);
    const open = () => SegmentShardLogStore.open({ dir: dir.path, fsync: { mode: 'never' }, segmentBytes: 8192, clock, logger: silentLogger, tailCacheBytes: 0 });
    try {
      let store = await open();
      let log = await store.open(NAME);
      const total = 3000;
      for (let i = 0; i < total; i += 10) {
        await log.append(Array.from({ length: 10 }, (_, j) => ({ partitionKey: `k${i + j}`, data: Buffer.alloc(150, (i + j) & 0xff) })));
        clock.advance(10);
      }
      const check = async () => {
        assert.ok(stats(log).segments > 60, `segments: ${stats(log).segments}`);
        // Random reads everywhere, then time lookups (each record batch arrived 10 ms after the previous).
        let seed = 7;
        for (let n = 0; n < 200; n++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const from = seed % total;
          const r = await log.read(from, { maxRecords: 5, maxBytes: 1 << 20 });
          assert.deepEqual(
            r.records.map((x) => [x.offset, x.partitionKey, x.data[0]]),
            Array.from({ length: Math.min(5, total - from) }, (_, j) => [from + j, `k${from + j}`, (from + j) & 0xff]),
          );
          const batch = Math.floor(from / 10);
          assert.equal(await log.offsetAtTime(T0 + batch * 10), batch * 10);
          assert.equal(await log.offsetAtTime(T0 + batch * 10 - 5), batch * 10);
          assert.ok(stats(log).loaded <= 3, `indexes in memory: ${stats(log).loaded}`);
        }
      };
      assert.ok(stats(log).loaded <= 3, `after appends: ${stats(log).loaded} of ${stats(log).segments}`);
      await check();
      await store.close();
      store = await open();
      log = await store.open(NAME);
      assert.equal(stats(log).loaded, 1, 'after recovery only the active segment keeps its index');
      await check();
      await store.close();
    } finally {
      await dir.remove();
    }
  });

  void it('an index file damaged after recovery is rebuilt from the segment when a read needs it', async () => {
    const dir = await tempDir();
    const clock = new ManualClock(T0);
    const open = () => SegmentShardLogStore.open({ dir: dir.path, fsync: { mode: 'never' }, segmentBytes: 8192, clock, logger: silentLogger, tailCacheBytes: 0 });
    try {
      const store = await open();
      const log = await store.open(NAME);
      for (let i = 0; i < 400; i++) await log.append([{ partitionKey: `k${i}`, data: Buffer.alloc(200, i & 0xff) }]);
      // Damage the first segment's index files (its index is not in memory: it was rolled long ago).
      const logDir = (await readdir(dir.path, { recursive: true })).find((p) => p.endsWith('00000000000000000000.index'));
      assert.ok(logDir, 'first segment index file');
      await writeFile(join(dir.path, logDir), 'garbage');
      await writeFile(join(dir.path, logDir.replace(/\.index$/, '.timeindex')), 'garbage');
      const r = await log.read(3, { maxRecords: 3, maxBytes: 1 << 20 });
      assert.deepEqual(
        r.records.map((x) => x.partitionKey),
        ['k3', 'k4', 'k5'],
      );
      assert.equal(await log.offsetAtTime(T0), 0);
      await store.close();
    } finally {
      await dir.remove();
    }
  });
});
