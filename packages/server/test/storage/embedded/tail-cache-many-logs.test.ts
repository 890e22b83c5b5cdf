/**
 * Many logs of one embedded store share one tail-cache budget: however many logs are written, the
 * pages of all their caches together stay within `tailCacheBudgetBytes`, while every log still reads
 * back every record byte-exact (from its cache or from its files). Closing or destroying a log returns
 * its pages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/logger.js';
import { ManualClock } from '../../../src/model/context.js';
import type { AppendRecord, ShardLog } from '../../../src/storage/contract.js';
import { EmbeddedStorage } from '../../../src/storage/embedded/embedded-storage.js';
import { SegmentShardLogStore } from '../../../src/storage/embedded/segment-shard-log-store.js';
import { openStorage } from '../../../src/storage/open-storage.js';
import { tempDir } from './temp-dir.js';

const T0 = Date.UTC(2026, 0, 1);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

async function readAll(log: ShardLog, from: number): Promise<string[]> {
  const out: string[] = [];
  let next = from;
  while (next < log.endOffset()) {
    const got = await log.read(next, { maxRecords: 37, maxBytes: 1 << 20 });
    for (const r of got.records) out.push(`${r.offset}|${r.partitionKey}|${Buffer.from(r.data).toString('hex')}`);
    assert.ok(got.nextOffset > next, 'reads make progress');
    next = got.nextOffset;
  }
  return out;
}

function expected(records: readonly AppendRecord[], from: number): string[] {
  return records.slice(from).map((r, i) => `${from + i}|${r.partitionKey}|${Buffer.from(r.data).toString('hex')}`);
}

void describe('embedded engine: one tail-cache budget for all logs', () => {
  for (const budgetBytes of [128 * 1024, 0]) {
    void it(`50 logs × 40 appends stay within a ${budgetBytes}-byte budget and read back byte-exact`, async () => {
      const dir = await tempDir();
      const clock = new ManualClock(T0);
      const store = await SegmentShardLogStore.open({
        dir: dir.path,
        fsync: { mode: 'never' },
        segmentBytes: 64 * 1024,
        clock,
        logger: silentLogger,
        tailCacheBytes: 16 * 1024,
        tailCacheBudgetBytes: budgetBytes,
      });
      const budget = store.tailCacheBudget;
      try {
        const random = rng(42);
        const names = Array.from({ length: 50 }, (_, i) => `uid/shardId-${String(i).padStart(12, '0')}`);
        const logs = await Promise.all(names.map((n) => store.open(n)));
        const written: AppendRecord[][] = logs.map(() => []);
        let maxHeld = 0;
        for (let round = 0; round < 40; round++) {
          // Every log appends concurrently; the first five are hot (bigger batches).
          await Promise.all(
            logs.map(async (log, i) => {
              const n = (i < 5 ? 5 : 1) + Math.floor(random() * 4);
              const batch: AppendRecord[] = Array.from({ length: n }, (_, j) => ({
                partitionKey: `L${i}-${round}-${j}`,
                data: Buffer.alloc(50 + Math.floor(random() * 300), (i * 7 + round * 13 + j) & 0xff),
              }));
              written[i].push(...batch);
              await log.append(batch);
              assert.ok(budget.allocatedBytes <= budgetBytes, `allocated ${budget.allocatedBytes} > budget ${budgetBytes}`);
            }),
          );
          maxHeld = Math.max(maxHeld, budget.heldBytes);
          clock.advance(5);
          // Recent records of a few logs (the tail: from the cache when it still holds them).
          for (let k = 0; k < 5; k++) {
            const i = Math.floor(random() * logs.length);
            const from = Math.max(0, written[i].length - 1 - Math.floor(random() * 3));
            assert.deepEqual(await readAll(logs[i], from), expected(written[i], from), `log ${i} from ${from}`);
          }
        }
        if (budgetBytes > 0) assert.ok(maxHeld > budgetBytes / 2, `the caches were used (${maxHeld} bytes at most)`);
        else assert.equal(maxHeld, 0);
        const total = written.reduce((sum, w) => sum + w.reduce((s, r) => s + r.data.length, 0), 0);
        assert.ok(total > 4 * budgetBytes, `more data (${total} bytes) than the budget holds`);
        // Every record of every log, byte-exact, from the start and from near the end.
        for (let i = 0; i < logs.length; i++) {
          assert.deepEqual(await readAll(logs[i], 0), expected(written[i], 0), `log ${i}`);
          const from = written[i].length - 3;
          assert.deepEqual(await readAll(logs[i], from), expected(written[i], from), `log ${i} tail`);
        }
        // Destroyed logs return their pages; the last one to close returns the rest.
        for (const name of names.slice(0, 45)) await store.destroy(name);
        assert.ok(budget.heldBytes <= 5 * (16 * 1024 + store.tailCacheBudget.pageBytes));
        await store.close();
        assert.equal(budget.heldBytes, 0);
        assert.ok(budget.allocatedBytes <= budgetBytes);
      } finally {
        await store.close();
        await dir.remove();
      }
    });
  }

  void it('rejects a negative budget', async () => {
    const dir = await tempDir();
    try {
      await assert.rejects(
        SegmentShardLogStore.open({ dir: dir.path, fsync: { mode: 'never' }, clock: new ManualClock(T0), logger: silentLogger, tailCacheBudgetBytes: -1 }),
        TypeError,
      );
    } finally {
      await dir.remove();
    }
  });
});

void describe('embedded engine: the tail-cache budget setting', () => {
  void it('openStorage hands tailCacheBudgetBytes to the store (default 64 MiB)', async () => {
    const dir = await tempDir();
    try {
      for (const [given, want] of [
        [3 * 1024 * 1024, 3 * 1024 * 1024],
        [undefined, 64 * 1024 * 1024],
        [0, 0],
      ] as const) {
        const storage = await openStorage({ inMemory: false, dataDir: dir.path, fsync: { mode: 'never' }, tailCacheBudgetBytes: given, logger: silentLogger });
        try {
          assert.ok(storage instanceof EmbeddedStorage);
          assert.equal(storage.logs.tailCacheBudget.budgetBytes, want);
        } finally {
          await storage.close();
        }
      }
    } finally {
      await dir.remove();
    }
  });
});
