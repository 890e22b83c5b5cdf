/**
 * Recovery of the embedded engine: torn and corrupt tails, corruption in the middle, missing or
 * damaged indexes, segment rolls, time lookups across segments, retention at exact boundaries.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/model/context.js';
import type { AppendRecord, ShardLog } from '../../../src/storage/contract.js';
import { StorageErrorCode } from '../../../src/storage/contract.js';
import { checkFrame, frameEndsBatch, frameOffset } from '../../../src/storage/embedded/frame.js';
import { logDirName } from '../../../src/storage/embedded/log-dir-name.js';
import { SegmentShardLogStore } from '../../../src/storage/embedded/segment-shard-log-store.js';
import type { FsyncPolicy } from '../../../src/storage/fsync-policy.js';
import { isStorageError } from '../shard-log-contract.js';
import { RecordingLogger } from './recording-logger.js';
import { tempDir } from './temp-dir.js';

const T0 = Date.UTC(2026, 0, 1);
const NAME = 'stream-uid/shardId-000000000000';

interface Harness {
  readonly root: string;
  readonly logDir: string;
  readonly clock: ManualClock;
  readonly logger: RecordingLogger;
  open(segmentBytes?: number, fsync?: FsyncPolicy): Promise<{ store: SegmentShardLogStore; log: ShardLog }>;
}

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const clock = new ManualClock(T0);
  const logger = new RecordingLogger();
  const stores: SegmentShardLogStore[] = [];
  const h: Harness = {
    root: dir.path,
    logDir: join(dir.path, logDirName(NAME)),
    clock,
    logger,
    async open(segmentBytes?: number, fsync: FsyncPolicy = { mode: 'always' }) {
      const store = await SegmentShardLogStore.open({ dir: dir.path, fsync, segmentBytes, clock, logger });
      stores.push(store);
      return { store, log: await store.open(NAME) };
    },
  };
  try {
    await fn(h);
  } finally {
    for (const s of stores) await s.close();
    await dir.remove();
  }
}

function batch(tag: string, n: number, size = 100): AppendRecord[] {
  return Array.from({ length: n }, (_, i) => ({ partitionKey: `${tag}-${i}`, data: Buffer.alloc(size, `${tag}:${i};`) }));
}

async function texts(log: ShardLog, from = 0): Promise<string[]> {
  const out: string[] = [];
  let next = from;
  for (;;) {
    const r = await log.read(next, { maxRecords: 500, maxBytes: 1 << 24 });
    if (r.records.length === 0) return out;
    for (const rec of r.records) out.push(rec.partitionKey);
    next = r.nextOffset;
  }
}

async function segmentFiles(logDir: string, ext = '.log'): Promise<string[]> {
  return (await readdir(logDir)).filter((f) => f.endsWith(ext)).sort();
}

/** Frame boundaries of a segment file. */
async function frames(path: string): Promise<{ pos: number; len: number; offset: number; endsBatch: boolean }[]> {
  const buf = await readFile(path);
  const out: { pos: number; len: number; offset: number; endsBatch: boolean }[] = [];
  let p = 0;
  while (p < buf.length) {
    const len = checkFrame(buf, p, buf.length, true);
    assert.equal(typeof len, 'number', `frame at ${p} should be valid`);
    out.push({ pos: p, len: len as number, offset: frameOffset(buf, p), endsBatch: frameEndsBatch(buf, p) });
    p += len as number;
  }
  return out;
}

async function flipByte(path: string, position: number): Promise<void> {
  const buf = await readFile(path);
  buf[position] ^= 0x5a;
  await writeFile(path, buf);
}

void describe('embedded recovery', () => {
  void it('a file truncated mid-frame loses only the torn batch, logs it, and accepts appends', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open();
      await log.append(batch('a', 3));
      await log.append(batch('b', 2));
      await store.close();
      const seg = join(h.logDir, '00000000000000000000.log');
      const size = (await stat(seg)).size;
      await truncate(seg, size - 10);
      ({ store, log } = await h.open());
      assert.equal(log.endOffset(), 3);
      assert.deepEqual(await texts(log), ['a-0', 'a-1', 'a-2']);
      const warn = h.logger.at('warn').find((l) => l.message.includes('truncated torn tail'));
      assert.ok(warn, 'recovery logs the truncation');
      assert.equal(warn.fields.fromBytes, size - 10);
      assert.equal(warn.fields.endOffset, 3);
      assert.equal(warn.fields.shardLog, NAME);
      assert.equal((await stat(seg)).size, (await frames(seg)).reduce((s, f) => s + f.len, 0));
      const r = await log.append(batch('c', 1));
      assert.equal(r.firstOffset, 3);
      await store.close();
      h.logger.clear();
      ({ store, log } = await h.open());
      assert.deepEqual(await texts(log), ['a-0', 'a-1', 'a-2', 'c-0']);
      assert.equal(h.logger.at('warn').length, 0, 'a clean reopen reports nothing');
    }));

  void it('a batch cut at a frame boundary is dropped whole (batches are atomic)', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open();
      await log.append(batch('a', 2));
      await log.append(batch('b', 3));
      await store.close();
      const seg = join(h.logDir, '00000000000000000000.log');
      const f = await frames(seg);
      assert.equal(f.length, 5);
      await truncate(seg, f[4].pos); // b-0 and b-1 complete, b-2 missing
      ({ store, log } = await h.open());
      assert.deepEqual(await texts(log), ['a-0', 'a-1']);
      assert.equal(log.endOffset(), 2);
    }));

  void it('a flipped byte in the tail frame truncates that batch', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open();
      await log.append(batch('a', 3));
      await log.append(batch('b', 2));
      await store.close();
      const seg = join(h.logDir, '00000000000000000000.log');
      const f = await frames(seg);
      await flipByte(seg, f[4].pos + 50);
      ({ store, log } = await h.open());
      assert.deepEqual(await texts(log), ['a-0', 'a-1', 'a-2']);
      const warn = h.logger.at('warn').find((l) => l.message.includes('truncated torn tail'));
      assert.equal(warn?.fields.reason, 'CRC mismatch');
      assert.equal((await log.append(batch('c', 1))).firstOffset, 3);
    }));

  void it('a flipped byte in the middle: nothing is truncated, reads stop there with CORRUPT, later data stays readable', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open();
      for (let i = 0; i < 60; i++) await log.append(batch(`m${i}`, 10));
      await store.close();
      const seg = join(h.logDir, '00000000000000000000.log');
      const f = await frames(seg);
      const size = (await stat(seg)).size;
      const victim = f.find((x) => x.pos > 20_000) ?? assert.fail('segment too small');
      await flipByte(seg, victim.pos + 40);
      ({ store, log } = await h.open());
      assert.equal(log.endOffset(), 600, 'no acknowledged record after the damage is dropped');
      assert.equal((await stat(seg)).size, size, 'nothing truncated');
      // Reads return every good record before the bad one, then stop.
      const first = await log.read(0, { maxRecords: 10_000, maxBytes: 1 << 24 });
      assert.equal(first.records.length, victim.offset);
      assert.equal(first.nextOffset, victim.offset);
      await assert.rejects(log.read(victim.offset, { maxRecords: 10, maxBytes: 1 << 20 }), (e: unknown) => {
        isStorageError(StorageErrorCode.CORRUPT)(e);
        assert.match((e as Error).message, /CRC mismatch/);
        assert.match((e as Error).message, /00000000000000000000\.log/);
        assert.match((e as Error).message, new RegExp(`expected offset ${victim.offset}`));
        return true;
      });
      // A later index interval is unaffected.
      const later = await log.read(590, { maxRecords: 100, maxBytes: 1 << 20 });
      assert.equal(later.records.length, 10);
      assert.equal(later.records[0].partitionKey, 'm59-0');
      assert.equal((await log.append(batch('z', 1))).firstOffset, 600);
    }));

  void it('a flipped byte inside the last index interval but not at the tail is reported, not truncated', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open();
      for (let i = 0; i < 3; i++) await log.append(batch(`q${i}`, 2, 50));
      await store.close();
      const seg = join(h.logDir, '00000000000000000000.log');
      const f = await frames(seg);
      await flipByte(seg, f[2].pos + 40); // first record of the second batch
      ({ store, log } = await h.open());
      assert.equal(log.endOffset(), 6);
      const err = h.logger.at('error').find((l) => l.message.includes('corrupt record frame'));
      assert.equal(err?.fields.offset, 2);
      assert.equal(err?.fields.problem, 'CRC mismatch');
      const r = await log.read(0, { maxRecords: 10, maxBytes: 1 << 20 });
      assert.deepEqual(
        r.records.map((x) => x.partitionKey),
        ['q0-0', 'q0-1'],
      );
      await assert.rejects(log.read(2, { maxRecords: 10, maxBytes: 1 << 20 }), isStorageError(StorageErrorCode.CORRUPT));
      assert.deepEqual(
        (await log.read(3, { maxRecords: 10, maxBytes: 1 << 20 })).records.map((x) => x.partitionKey),
        ['q1-1', 'q2-0', 'q2-1'],
      );
    }));

  void it('missing or damaged index files are rebuilt byte-identical', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open(16 * 1024);
      for (let i = 0; i < 80; i++) {
        h.clock.advance(7);
        await log.append(batch(`x${i}`, 5, 200));
      }
      await store.close();
      const indexes = [...(await segmentFiles(h.logDir, '.index')), ...(await segmentFiles(h.logDir, '.timeindex'))];
      assert.ok(indexes.length >= 8, 'several segments');
      const original = new Map<string, Buffer>();
      for (const f of indexes) original.set(f, await readFile(join(h.logDir, f)));
      for (const f of indexes) await rm(join(h.logDir, f));
      ({ store, log } = await h.open(16 * 1024));
      assert.ok(h.logger.at('warn').some((l) => l.message.includes('rebuilding segment index')));
      for (const f of indexes) assert.deepEqual(await readFile(join(h.logDir, f)), original.get(f), `${f} rebuilt identically`);
      assert.equal((await texts(log)).length, 400);
      assert.equal(await log.offsetAtTime(T0 + 7 * 40), 39 * 5);
      await store.close();
      // Garbage in an index file (and a torn entry in another) is detected too.
      const [firstIndex, secondIndex] = await segmentFiles(h.logDir, '.index');
      await writeFile(join(h.logDir, firstIndex), Buffer.from('not an index at all'));
      const second = await readFile(join(h.logDir, secondIndex));
      second.writeUInt32LE(0xffffffff, 8 + 8 + 4); // entry 1 points past the end
      await writeFile(join(h.logDir, secondIndex), second);
      h.logger.clear();
      ({ store, log } = await h.open(16 * 1024));
      const reasons = h.logger.at('warn').map((l) => l.fields.reason);
      assert.ok(reasons.includes('offset index header is invalid'));
      assert.ok(reasons.some((r) => typeof r === 'string' && r.includes('index entry 1')));
      for (const f of indexes) assert.deepEqual(await readFile(join(h.logDir, f)), original.get(f));
      assert.equal((await texts(log)).length, 400);
    }));

  void it('segments roll at segmentBytes, are named by base offset, and read back as one log', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open(4096);
      const expected: string[] = [];
      for (let i = 0; i < 40; i++) {
        const b = batch(`r${i}`, 1 + (i % 4), 150);
        const res = await log.append(b);
        expected.push(...b.map((x) => x.partitionKey));
        assert.equal(res.firstOffset, expected.length - b.length);
      }
      const big = batch('big', 3, 3000); // larger than a segment on its own
      await log.append(big);
      expected.push(...big.map((x) => x.partitionKey));
      const files = await segmentFiles(h.logDir);
      assert.ok(files.length >= 5);
      for (const f of files) assert.match(f, /^\d{20}\.log$/);
      let prevBase = -1;
      for (const f of files) {
        const base = Number(f.slice(0, 20));
        assert.ok(base > prevBase);
        prevBase = base;
        const fr = await frames(join(h.logDir, f));
        if (fr.length > 0) assert.equal(fr[0].offset, base, `${f} starts at its base offset`);
        const size = (await stat(join(h.logDir, f))).size;
        const ownBatch = fr.length === 3 && fr[0].len > 3000;
        if (!ownBatch) assert.ok(size <= 4096, `${f} is ${size} bytes`);
      }
      assert.deepEqual(await texts(log), expected);
      // Reads that start in one segment continue into the next.
      const mid = Number(files[1].slice(0, 20));
      const r = await log.read(mid - 1, { maxRecords: 3, maxBytes: 1 << 20 });
      assert.deepEqual(
        r.records.map((x) => x.offset),
        [mid - 1, mid, mid + 1],
      );
      await store.close();
      ({ store, log } = await h.open(4096));
      assert.deepEqual(await texts(log), expected);
      assert.equal((await log.append(batch('after', 1))).firstOffset, expected.length);
    }));

  void it('timestamp lookups are exact across segments and across a reopen', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open(3000);
      const batches: { t: number; first: number }[] = [];
      for (let i = 0; i < 60; i++) {
        h.clock.advance(i % 5 === 0 ? 0 : 10); // some batches share a timestamp
        const res = await log.append(batch(`t${i}`, 2, 120));
        if (batches.length === 0 || batches[batches.length - 1].t !== res.arrivalMs) batches.push({ t: res.arrivalMs, first: res.firstOffset });
      }
      assert.ok((await segmentFiles(h.logDir)).length > 5);
      const check = async (): Promise<void> => {
        assert.equal(await log.offsetAtTime(T0 - 1000), 0);
        for (let i = 0; i < batches.length; i++) {
          const { t, first } = batches[i];
          assert.equal(await log.offsetAtTime(t), first, `exact ${t}`);
          assert.equal(await log.offsetAtTime(t - 1), first, `just before ${t}`);
          const next = i + 1 < batches.length ? batches[i + 1].first : log.endOffset();
          assert.equal(await log.offsetAtTime(t + 1), next, `just after ${t}`);
        }
        assert.equal(await log.offsetAtTime(batches[batches.length - 1].t + 1), log.endOffset());
      };
      await check();
      await store.close();
      ({ store, log } = await h.open(3000));
      await check();
    }));

  void it('retention deletes whole segments and is exact at the API, at and between boundaries, across a reopen', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open(2048);
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        h.clock.advance(100);
        times.push((await log.append(batch(`k${i}`, 3, 150))).arrivalMs); // batch i = offsets 3i..3i+2
      }
      const before = await segmentFiles(h.logDir);
      // Horizon exactly at batch 10's arrival: batch 10 is kept, batch 9 is not.
      await log.trimBefore(times[10]);
      assert.equal(log.startOffset(), 30);
      assert.equal((await texts(log))[0], 'k10-0');
      assert.equal(await log.offsetAtTime(0), 30);
      assert.equal((await log.read(0, { maxRecords: 1, maxBytes: 100 })).records[0].offset, 30);
      const after = await segmentFiles(h.logDir);
      assert.ok(after.length < before.length, 'whole segments deleted');
      for (const f of after) {
        const fr = await frames(join(h.logDir, f));
        const idx = after.indexOf(f);
        const nextBase = idx + 1 < after.length ? Number(after[idx + 1].slice(0, 20)) : Infinity;
        if (idx === 0) assert.ok(fr[0].offset <= 30 && nextBase > 30, 'the segment holding the cut is kept');
      }
      for (const f of before.filter((x) => !after.includes(x))) {
        const nextBase = before[before.indexOf(f) + 1];
        assert.ok(Number(nextBase.slice(0, 20)) <= 30, `${f} was entirely older than the horizon`);
      }
      // One millisecond past batch 12: batch 12 hidden too (mid-segment cut).
      await log.trimBefore(times[12] + 1);
      assert.equal(log.startOffset(), 39);
      await store.close();
      ({ store, log } = await h.open(2048));
      assert.equal(log.startOffset(), 39, 'the retained start survives a reopen');
      assert.equal((await texts(log))[0], 'k13-0');
      // Everything: start meets end, and offsets continue.
      await log.trimBefore(times[29] + 1);
      assert.equal(log.startOffset(), 90);
      assert.deepEqual(await texts(log), []);
      assert.deepEqual(await segmentFiles(h.logDir), ['00000000000000000090.log']);
      assert.equal((await log.append(batch('n', 2))).firstOffset, 90);
      await store.close();
      ({ store, log } = await h.open(2048));
      assert.equal(log.startOffset(), 90);
      assert.deepEqual(await texts(log), ['n-0', 'n-1']);
    }));

  void it('a segment missing in the middle: reads stop at the gap with CORRUPT; the rest stays readable', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open(2048);
      for (let i = 0; i < 30; i++) await log.append(batch(`g${i}`, 3, 150));
      await store.close();
      const files = await segmentFiles(h.logDir);
      assert.ok(files.length >= 4);
      const victim = files[1];
      const gapStart = Number(victim.slice(0, 20));
      const gapEnd = Number(files[2].slice(0, 20));
      await rm(join(h.logDir, victim));
      ({ store, log } = await h.open(2048));
      assert.ok(h.logger.at('error').some((l) => l.message.includes('does not end where the next one begins')));
      const before = await log.read(0, { maxRecords: 1000, maxBytes: 1 << 20 });
      assert.equal(before.nextOffset, gapStart, 'returns the records before the gap');
      await assert.rejects(log.read(gapStart, { maxRecords: 10, maxBytes: 1 << 20 }), (e: unknown) => {
        isStorageError(StorageErrorCode.CORRUPT)(e);
        assert.match((e as Error).message, /missing/);
        return true;
      });
      const after = await log.read(gapEnd, { maxRecords: 1000, maxBytes: 1 << 20 });
      assert.equal(after.records[0].offset, gapEnd);
      assert.equal(after.nextOffset, 90);
      assert.equal((await log.append(batch('z', 1))).firstOffset, 90);
    }));

  void it('seal is durable: a marker file, and appends still fail after a reopen', () =>
    withHarness(async (h) => {
      let { store, log } = await h.open();
      await log.append(batch('s', 1));
      await log.seal();
      assert.ok((await readdir(h.logDir)).includes('SEALED'));
      await store.close();
      ({ store, log } = await h.open());
      assert.equal(log.isSealed(), true);
      await assert.rejects(log.append(batch('t', 1)), isStorageError(StorageErrorCode.SEALED));
      assert.deepEqual(await texts(log), ['s-0']);
    }));

  void it('unusual names map to safe directories and list back exactly', async () => {
    const dir = await tempDir();
    try {
      const names = ['a/b', '../escape', '.hidden/x', 'ünï/cødé', 'x'.repeat(300), 'with space/and%percent'];
      let store = await SegmentShardLogStore.open({ dir: dir.path, fsync: { mode: 'never' }, clock: new ManualClock(T0), logger: new RecordingLogger() });
      for (const n of names) await (await store.open(n)).append(batch(n.slice(0, 5), 1));
      await store.close();
      for (const entry of await readdir(dir.path)) assert.ok(!entry.startsWith('.') && !entry.includes('/') && entry.length <= 200, entry);
      store = await SegmentShardLogStore.open({ dir: dir.path, fsync: { mode: 'never' }, clock: new ManualClock(T0), logger: new RecordingLogger() });
      assert.deepEqual(await store.list(), [...names].sort());
      for (const n of names) assert.equal((await store.open(n)).endOffset(), 1);
      await store.close();
    } finally {
      await dir.remove();
    }
  });
});
