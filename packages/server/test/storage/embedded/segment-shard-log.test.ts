/**
 * The shard-log contract suite against the embedded segment engine, under each fsync policy — with
 * the tail cache (reads of recent records from memory, the default) and without it (every read from
 * the files), so both read paths meet the same contract.
 */
import { silentLogger } from '../../../src/logger.js';
import type { FsyncPolicy } from '../../../src/storage/fsync-policy.js';
import { SegmentShardLogStore } from '../../../src/storage/embedded/segment-shard-log-store.js';
import { shardLogContract } from '../shard-log-contract.js';
import { tempDir } from './temp-dir.js';

const variants: { label: string; fsync: FsyncPolicy; segmentBytes?: number; tailCacheBytes?: number }[] = [
  { label: 'fsync always', fsync: { mode: 'always' } },
  { label: 'fsync interval:20', fsync: { mode: 'interval', intervalMs: 20 } },
  { label: 'fsync never', fsync: { mode: 'never' } },
  { label: 'fsync always, 512-byte segments', fsync: { mode: 'always' }, segmentBytes: 512 },
  { label: 'fsync never, no tail cache', fsync: { mode: 'never' }, tailCacheBytes: 0 },
  { label: 'fsync always, 512-byte segments, no tail cache', fsync: { mode: 'always' }, segmentBytes: 512, tailCacheBytes: 0 },
  { label: 'fsync never, 64-byte tail cache (no group fits)', fsync: { mode: 'never' }, tailCacheBytes: 64 },
  { label: 'fsync never, 600-byte tail cache (constant wrap and eviction)', fsync: { mode: 'never' }, tailCacheBytes: 600 },
];

for (const v of variants) {
  shardLogContract(`embedded (${v.label})`, async () => {
    const dir = await tempDir();
    return {
      persistent: true,
      open: (clock) =>
        SegmentShardLogStore.open({ dir: dir.path, fsync: v.fsync, segmentBytes: v.segmentBytes, tailCacheBytes: v.tailCacheBytes, clock, logger: silentLogger }),
      cleanup: dir.remove,
    };
  });
}
