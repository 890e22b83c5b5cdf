/**
 * The tail caches of many logs sharing one budget: pages are charged to the budget, the log appended to
 * least recently gives up its oldest page first, disposed caches return their pages, and after every
 * add the pages in existence fit the budget — while every read a cache answers equals the same read of
 * its own log (never another log's records, never a page reused by another log).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendRecord } from '../../../src/storage/contract.js';
import { frameBytes, writeFrame } from '../../../src/storage/embedded/frame.js';
import { TailCache } from '../../../src/storage/embedded/tail-cache.js';
import { TailCacheBudget, tailCachePageBytes } from '../../../src/storage/embedded/tail-cache-budget.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

function groupFrames(records: readonly AppendRecord[], first: number): Buffer {
  let bytes = 0;
  for (const r of records) bytes += frameBytes(r);
  const buf = Buffer.alloc(bytes);
  let pos = 0;
  records.forEach((r, i) => {
    pos = writeFrame(buf, pos, r, first + i, 1_700_000_000_000 + first, i === records.length - 1);
  });
  return buf;
}

/** A cache and the records its log holds. */
class Log {
  readonly records: AppendRecord[] = [];
  constructor(
    readonly id: number,
    readonly cache: TailCache,
  ) {}

  /** Append one group of `n` records of `dataBytes` each; returns the group's size. */
  add(n: number, dataBytes: number): number {
    const first = this.records.length;
    const group: AppendRecord[] = Array.from({ length: n }, (_, i) => ({
      partitionKey: `log${this.id}-${first + i}`,
      data: Buffer.alloc(dataBytes, (this.id * 31 + first + i) & 0xff),
    }));
    const frames = groupFrames(group, first);
    this.cache.add(frames, first, n);
    frames.fill(0xee); // the cache must have copied
    this.records.push(...group);
    return frames.length;
  }

  /** Whether the cache holds offset `from`; when it answers, the answer must be exactly the log's. */
  check(from: number, maxRecords = 1000): boolean {
    const got = this.cache.read(from, maxRecords, 1 << 30);
    if (got === undefined) return false;
    const want = this.records.slice(from, from + maxRecords);
    assert.equal(got.nextOffset, from + want.length, `log ${this.id} from ${from}`);
    assert.deepEqual(
      got.records.map((r) => [r.offset, r.partitionKey, Buffer.from(r.data).toString('hex')]),
      want.map((r, i) => [from + i, r.partitionKey, Buffer.from(r.data).toString('hex')]),
    );
    return true;
  }
}

void describe('TailCacheBudget', () => {
  void it('pages are powers of two from 64 B to 16 KiB, about a quarter of the per-log cap', () => {
    assert.equal(tailCachePageBytes(0), 64);
    assert.equal(tailCachePageBytes(300), 64);
    assert.equal(tailCachePageBytes(4096), 1024);
    assert.equal(tailCachePageBytes(1024 * 1024), 16 * 1024);
    assert.throws(() => new TailCacheBudget(1000, 100), RangeError);
    assert.throws(() => new TailCacheBudget(-1), RangeError);
  });

  void it('charges each page a cache holds, and the held pages add up', () => {
    const budget = new TailCacheBudget(64 * 1024, 1024);
    const a = new Log(1, new TailCache(16 * 1024, budget));
    const b = new Log(2, new TailCache(16 * 1024, budget));
    assert.equal(budget.heldBytes, 0);
    a.add(1, 100); // one frame of 32 + 6 + 100 bytes: one page
    assert.equal(a.cache.heldBytes, 1024);
    assert.equal(budget.heldBytes, 1024);
    b.add(4, 700); // 4 × ~738 bytes: spans 3 pages
    assert.equal(b.cache.heldBytes, 3 * 1024);
    assert.equal(budget.heldBytes, 4 * 1024);
    assert.equal(budget.allocatedBytes, 4 * 1024);
    assert.ok(a.check(0) && b.check(0) && b.check(2));
  });

  void it('evicts the oldest pages of the log appended to least recently, then the next', () => {
    const budget = new TailCacheBudget(8 * 1024, 1024); // 8 pages
    const a = new Log(1, new TailCache(4 * 1024, budget));
    const b = new Log(2, new TailCache(4 * 1024, budget));
    const c = new Log(3, new TailCache(4 * 1024, budget));
    // Each group is 32 + 6 + 986 = 1024 bytes: one page exactly.
    for (let i = 0; i < 3; i++) a.add(1, 986);
    for (let i = 0; i < 3; i++) b.add(1, 986);
    a.add(1, 986); // a is now the most recently appended to: b is the least
    assert.equal(budget.heldBytes, 7 * 1024);
    c.add(1, 986); // the 8th page: still free
    assert.equal(budget.allocatedBytes, 8 * 1024);
    c.add(1, 986); // budget full: b (least recent) gives its oldest page
    assert.equal(b.cache.heldBytes, 2 * 1024);
    assert.equal(a.cache.heldBytes, 4 * 1024);
    assert.equal(b.check(0), false);
    assert.ok(b.check(1) && b.check(2));
    c.add(1, 986);
    c.add(1, 986); // b gives its last two pages …
    assert.equal(b.cache.heldBytes, 0);
    assert.equal(b.check(2), false);
    c.add(1, 986); // … but c is at its own cap (4 KiB + 1 page = 5 pages) only after this one
    assert.equal(a.cache.heldBytes, 3 * 1024, 'then a, the next least recent, gives its oldest');
    assert.equal(c.cache.heldBytes, 5 * 1024);
    c.add(1, 986); // at its cap, c recycles its own oldest page rather than take a's
    assert.equal(c.cache.heldBytes, 5 * 1024);
    assert.equal(a.cache.heldBytes, 3 * 1024);
    assert.equal(c.check(0), false);
    assert.ok(c.check(1) && c.check(5) && a.check(1) && a.check(3));
    assert.equal(budget.allocatedBytes, 8 * 1024);
  });

  void it('a disposed or cleared cache returns its pages, which the next cache reuses', () => {
    const budget = new TailCacheBudget(4 * 1024, 1024);
    const a = new Log(1, new TailCache(4 * 1024, budget));
    const b = new Log(2, new TailCache(4 * 1024, budget));
    for (let i = 0; i < 3; i++) a.add(1, 986);
    assert.equal(budget.heldBytes, 3 * 1024);
    a.cache.dispose();
    assert.equal(a.cache.heldBytes, 0);
    assert.equal(budget.heldBytes, 0);
    assert.equal(a.cache.enabled, false);
    a.add(1, 100); // a disposed cache takes nothing
    assert.equal(budget.heldBytes, 0);
    assert.equal(a.check(3), false);
    for (let i = 0; i < 4; i++) b.add(1, 986);
    assert.equal(budget.allocatedBytes, 4 * 1024, 'the freed pages were reused, not new ones allocated');
    b.cache.clear();
    assert.equal(budget.heldBytes, 0);
  });

  void it('a budget of 0 (or below two pages) turns the caches off', () => {
    for (const bytes of [0, 1024]) {
      const budget = new TailCacheBudget(bytes, 1024);
      const a = new Log(1, new TailCache(1024 * 1024, budget));
      assert.equal(a.cache.enabled, false);
      a.add(1, 10);
      assert.equal(a.check(0), false);
      assert.equal(budget.allocatedBytes, 0);
    }
  });

  for (const [budgetBytes, pageBytes, capBytes] of [
    [6 * 1024, 512, 3000],
    [32 * 1024, 1024, 8 * 1024],
    [40 * 1024, 16 * 1024, 1024 * 1024],
  ] as const) {
    void it(`30 logs under a ${budgetBytes} B budget (${pageBytes} B pages, ${capBytes} B cap): never over budget, every answer is its own log's`, () => {
      const random = rng(budgetBytes + pageBytes);
      const budget = new TailCacheBudget(budgetBytes, pageBytes);
      const logs = Array.from({ length: 30 }, (_, i) => new Log(i, new TailCache(capBytes, budget)));
      let answered = 0;
      for (let step = 0; step < 3000; step++) {
        // A few hot logs, many cold ones.
        const log = logs[random() < 0.6 ? Math.floor(random() * 3) : Math.floor(random() * logs.length)];
        const bytes = log.add(1 + Math.floor(random() * 8), Math.floor(random() * 400));
        assert.ok(budget.allocatedBytes <= budgetBytes, `allocated ${budget.allocatedBytes} > ${budgetBytes}`);
        const held = logs.reduce((sum, l) => sum + l.cache.heldBytes, 0);
        assert.equal(held, budget.heldBytes);
        for (const l of logs) assert.ok(l.cache.heldBytes <= (Math.ceil(capBytes / pageBytes) + 1) * pageBytes);
        // The newest group is cached whenever it fits the cap (it may have taken pages from others).
        if (bytes <= Math.min(capBytes, (Math.floor(budgetBytes / pageBytes) - 1) * pageBytes)) assert.ok(log.check(log.records.length - 1), `newest record of log ${log.id}`);
        for (let probe = 0; probe < 3; probe++) {
          const other = logs[random() < 0.5 ? Math.floor(random() * 3) : Math.floor(random() * logs.length)];
          if (other.records.length === 0) continue;
          const from = Math.max(0, other.records.length - 1 - Math.floor(random() * 30));
          if (other.check(from, 1 + Math.floor(random() * 20))) answered++;
        }
        if (step % 500 === 499) logs[Math.floor(random() * logs.length)].cache.clear();
      }
      assert.ok(answered > 300, `only ${answered} reads answered from the caches`);
      for (const l of logs) l.cache.dispose();
      assert.equal(budget.heldBytes, 0);
      assert.ok(budget.allocatedBytes <= budgetBytes);
    });
  }
});
