/**
 * fsync always on a file system with O_DSYNC: the active segment is opened with O_DSYNC, so each group
 * commit is one durable write and no separate fdatasync; other policies never use it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/logger.js';
import { ManualClock } from '../../../src/model/context.js';
import type { FsyncPolicy } from '../../../src/storage/fsync-policy.js';
import type { SegmentFs } from '../../../src/storage/embedded/segment-fs.js';
import { nodeSegmentFs } from '../../../src/storage/embedded/segment-fs.js';
import { SegmentShardLogStore } from '../../../src/storage/embedded/segment-shard-log-store.js';
import { tempDir } from './temp-dir.js';

/** nodeSegmentFs, recording the open flags of .log files and the fdatasync calls on them. */
function recordingFs(): SegmentFs & { logFlags: (string | number)[]; logSyncs: number } {
  const logFds = new Set<number>();
  const rec = {
    ...nodeSegmentFs,
    logFlags: [] as (string | number)[],
    logSyncs: 0,
    async open(path: string, flags: string | number): Promise<number> {
      const fd = await nodeSegmentFs.open(path, flags);
      if (path.endsWith('.log')) {
        logFds.add(fd);
        rec.logFlags.push(flags);
      }
      return fd;
    },
    async fdatasync(fd: number): Promise<void> {
      if (logFds.has(fd)) rec.logSyncs++;
      return nodeSegmentFs.fdatasync(fd);
    },
  };
  return rec;
}

const hasDsync = fs.constants.O_DSYNC !== undefined;

void describe('embedded engine: O_DSYNC under fsync always', () => {
  for (const [label, fsync, expectDsync] of [
    ['always', { mode: 'always' }, hasDsync],
    ['never', { mode: 'never' }, false],
    ['interval', { mode: 'interval', intervalMs: 60_000 }, false],
  ] as [string, FsyncPolicy, boolean][]) {
    void it(`fsync ${label}: ${expectDsync ? 'appends are O_DSYNC writes with no fdatasync' : 'no O_DSYNC'}; records survive a reopen`, async () => {
      const dir = await tempDir();
      try {
        const rfs = recordingFs();
        const open = () => SegmentShardLogStore.open({ dir: dir.path, fsync, segmentBytes: 4096, clock: new ManualClock(0), logger: silentLogger, fs: rfs });
        let store = await open();
        let log = await store.open('s/shardId-000000000000');
        // Enough to roll segments (4 KiB each): new active segments get the flag too.
        for (let i = 0; i < 40; i++) await log.append([{ partitionKey: `k${i}`, data: Buffer.alloc(300, i) }]);
        const dsyncOpens = rfs.logFlags.filter((f) => typeof f === 'number' && (f & (fs.constants.O_DSYNC ?? 0)) !== 0).length;
        if (expectDsync) {
          assert.ok(dsyncOpens >= 2, `active segments opened with O_DSYNC (${dsyncOpens})`);
          assert.equal(rfs.logSyncs, 0, 'no fdatasync per group commit');
        } else {
          assert.equal(dsyncOpens, 0);
        }
        await store.close();
        const opensBefore = rfs.logFlags.length;
        store = await open();
        log = await store.open('s/shardId-000000000000');
        assert.equal(log.endOffset(), 40);
        const r = await log.read(0, { maxRecords: 100, maxBytes: 1 << 20 });
        assert.deepEqual(
          r.records.map((x) => [x.partitionKey, x.data[0]]),
          Array.from({ length: 40 }, (_, i) => [`k${i}`, i]),
        );
        // After recovery the active segment is again opened for O_DSYNC appends.
        if (expectDsync) {
          const before = rfs.logSyncs;
          await log.append([{ partitionKey: 'after', data: Buffer.from('x') }]);
          assert.equal(rfs.logSyncs, before);
          assert.ok(rfs.logFlags.slice(opensBefore).some((f) => typeof f === 'number'), 'the recovered active segment is opened with O_DSYNC');
        }
        await store.close();
      } finally {
        await dir.remove();
      }
    });
  }
});
