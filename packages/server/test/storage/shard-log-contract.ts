/**
 * The shard-log contract suite (DESIGN.md convention 13): every backend registers these tests with a
 * fixture. See memory-shard-log.test.ts and embedded/*.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/model/context.js';
import type { AppendRecord, ShardLog, ShardLogStore } from '../../src/storage/contract.js';
import { StorageError, StorageErrorCode, unpackAppend } from '../../src/storage/contract.js';

/** A place a backend keeps its data. `open` may be called again after the previous store is closed. */
export interface ShardLogFixture {
  /** True when data survives close + open (enables the reopen tests). */
  readonly persistent: boolean;
  open(clock: ManualClock): Promise<ShardLogStore>;
  /** Remove everything (temp directories). */
  cleanup(): Promise<void>;
}

export type ShardLogFixtureFactory = () => Promise<ShardLogFixture>;

const T0 = Date.UTC(2026, 0, 1);

export function record(partitionKey: string, data: string | Uint8Array, extra?: Partial<AppendRecord>): AppendRecord {
  return { partitionKey, data: typeof data === 'string' ? Buffer.from(data) : data, ...extra };
}

export function isStorageError(code: StorageErrorCode): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof StorageError, `expected StorageError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
    return true;
  };
}

async function readAll(log: ShardLog, from = 0, minArrivalMs?: number): Promise<{ offset: number; text: string; arrivalMs: number }[]> {
  const out: { offset: number; text: string; arrivalMs: number }[] = [];
  let next = from;
  for (;;) {
    const r = await log.read(next, { maxRecords: 1000, maxBytes: 10 * 1024 * 1024, minArrivalMs });
    for (const rec of r.records) out.push({ offset: rec.offset, text: Buffer.from(rec.data).toString(), arrivalMs: rec.arrivalMs });
    if (r.records.length === 0) return out;
    next = r.nextOffset;
  }
}

export function shardLogContract(backend: string, factory: ShardLogFixtureFactory): void {
  /** Runs `fn` with a fresh store on a fresh fixture; always closes and cleans up. */
  async function withStore(fn: (store: ShardLogStore, clock: ManualClock, fixture: ShardLogFixture) => Promise<void>): Promise<void> {
    const fixture = await factory();
    const clock = new ManualClock(T0);
    const store = await fixture.open(clock);
    try {
      await fn(store, clock, fixture);
    } finally {
      await store.close();
      await fixture.cleanup();
    }
  }

  void describe(`ShardLog contract: ${backend}`, () => {
    void it('appends batches at dense offsets from 0 and reads them back in order, byte-exact', () =>
      withStore(async (store) => {
        const log = await store.open('stream-uid-1/shardId-000000000000');
        assert.equal(log.name, 'stream-uid-1/shardId-000000000000');
        assert.equal(log.startOffset(), 0);
        assert.equal(log.endOffset(), 0);
        assert.equal(log.lastArrivalMs(), undefined);
        const a = await log.append([record('pk-a', 'alpha'), record('pk-b', 'beta', { explicitHashKey: '12345678901234567890', flags: 1 })]);
        assert.equal(a.firstOffset, 0);
        const b = await log.append([record('pk-c', new Uint8Array([0, 255, 1, 254]))]);
        assert.equal(b.firstOffset, 2);
        const c = await log.append([record('ключ', ''), record('pk-e', 'epsilon')]);
        assert.equal(c.firstOffset, 3);
        assert.equal(log.endOffset(), 5);
        const r = await log.read(0, { maxRecords: 100, maxBytes: 1 << 20 });
        assert.deepEqual(
          r.records.map((x) => x.offset),
          [0, 1, 2, 3, 4],
        );
        assert.equal(r.nextOffset, 5);
        assert.equal(r.records[0].partitionKey, 'pk-a');
        assert.equal(Buffer.from(r.records[0].data).toString(), 'alpha');
        assert.equal(r.records[0].explicitHashKey, undefined);
        assert.equal(r.records[0].flags, 0);
        assert.equal(r.records[1].explicitHashKey, '12345678901234567890');
        assert.equal(r.records[1].flags, 1);
        assert.deepEqual([...r.records[2].data], [0, 255, 1, 254]);
        assert.equal(r.records[3].partitionKey, 'ключ');
        assert.equal(r.records[3].data.length, 0);
        assert.equal(r.records[0].arrivalMs, a.arrivalMs);
        assert.equal(r.records[4].arrivalMs, c.arrivalMs);
        // Reading from the middle.
        const mid = await log.read(3, { maxRecords: 100, maxBytes: 1 << 20 });
        assert.deepEqual(
          mid.records.map((x) => x.offset),
          [3, 4],
        );
      }));

    void it('packed appends (appendPacked, or append(unpackAppend(…)) where absent) store the same records as plain ones, across a reopen', async () => {
      const fixture = await factory();
      const clock = new ManualClock(T0);
      let store = await fixture.open(clock);
      try {
        const name = 's/packed';
        let log = await store.open(name);
        // One source shared by two appends that take different records of it, as PutRecords does per shard.
        const keys = ['pk-0', 'k', 'pk-two', 'x'.repeat(256)];
        const datas = [Buffer.from('zero'), Buffer.alloc(0), Buffer.from([0, 255, 7]), Buffer.alloc(3000, 0x61)];
        const keyBytes = Buffer.from(`junk${keys.join('')}`, 'latin1');
        const dataBytes = Buffer.concat([Buffer.from('junk'), ...datas]);
        const layout = new Int32Array(16);
        let kp = 4;
        let dp = 4;
        for (let i = 0; i < 4; i++) {
          layout.set([kp, keys[i].length, dp, datas[i].length], 4 * i);
          kp += keys[i].length;
          dp += datas[i].length;
        }
        const source = { keyBytes, dataBytes, layout, explicitHashKeys: [undefined, '0', '340282366920938463463374607431768211455', undefined] };
        const packed = (indexes: number[], keep: boolean, flags: number) => {
          const batch = { source, indexes, flags, keepExplicitHashKeys: keep };
          return log.appendPacked !== undefined ? log.appendPacked(batch) : log.append(unpackAppend(batch));
        };
        await log.append([record('plain-0', 'p0')]);
        const a = await packed([2, 0], true, 1);
        assert.equal(a.firstOffset, 1);
        const [b, c] = await Promise.all([packed([1, 3], false, 0), log.append([record('plain-1', 'p1')])]);
        assert.equal(b.firstOffset, 3);
        assert.equal(c.firstOffset, 5);
        const expected = [
          [0, 'plain-0', Buffer.from('p0').toString('hex'), undefined, 0],
          [1, 'pk-two', '00ff07', '340282366920938463463374607431768211455', 1],
          [2, 'pk-0', Buffer.from('zero').toString('hex'), undefined, 1],
          [3, 'k', '', undefined, 0],
          [4, 'x'.repeat(256), datas[3].toString('hex'), undefined, 0],
          [5, 'plain-1', Buffer.from('p1').toString('hex'), undefined, 0],
        ];
        const check = async () => {
          for (const from of [0, 2, 4]) {
            const r = await log.read(from, { maxRecords: 100, maxBytes: 1 << 20 });
            assert.deepEqual(
              r.records.map((x) => [x.offset, x.partitionKey, Buffer.from(x.data).toString('hex'), x.explicitHashKey, x.flags]),
              expected.slice(from),
            );
          }
        };
        await check();
        if (fixture.persistent) {
          await store.close();
          store = await fixture.open(clock);
          log = await store.open(name);
          assert.equal(log.endOffset(), 6);
          await check();
        }
      } finally {
        await store.close();
        await fixture.cleanup();
      }
    });

    void it('copies appended data (the caller may reuse its buffer)', () =>
      withStore(async (store) => {
        const log = await store.open('s/copy');
        const buf = Buffer.from('original');
        await log.append([record('pk', buf)]);
        buf.fill(0x41);
        const r = await log.read(0, { maxRecords: 1, maxBytes: 100 });
        assert.equal(Buffer.from(r.records[0].data).toString(), 'original');
      }));

    void it('reading at or past the end returns nothing and the start point', () =>
      withStore(async (store) => {
        const log = await store.open('s/end');
        let r = await log.read(0, { maxRecords: 10, maxBytes: 100 });
        assert.deepEqual(r, { records: [], nextOffset: 0 });
        await log.append([record('pk', 'x')]);
        r = await log.read(1, { maxRecords: 10, maxBytes: 100 });
        assert.equal(r.records.length, 0);
        assert.equal(r.nextOffset, 1);
      }));

    void it('honours maxRecords and maxBytes; the first record is returned even when larger than maxBytes', () =>
      withStore(async (store) => {
        const log = await store.open('s/limits');
        await log.append([record('pk', 'a'.repeat(10)), record('pk', 'b'.repeat(10)), record('pk', 'c'.repeat(10)), record('pk', 'd'.repeat(10))]);
        let r = await log.read(0, { maxRecords: 2, maxBytes: 1 << 20 });
        assert.deepEqual(
          r.records.map((x) => x.offset),
          [0, 1],
        );
        assert.equal(r.nextOffset, 2);
        r = await log.read(0, { maxRecords: 100, maxBytes: 25 });
        assert.deepEqual(
          r.records.map((x) => x.offset),
          [0, 1],
        );
        r = await log.read(0, { maxRecords: 100, maxBytes: 30 });
        assert.equal(r.records.length, 3, 'exactly maxBytes fits');
        r = await log.read(1, { maxRecords: 100, maxBytes: 3 });
        assert.deepEqual(
          r.records.map((x) => x.offset),
          [1],
          'first record always returned',
        );
        assert.equal(r.nextOffset, 2);
        r = await log.read(2, { maxRecords: 100, maxBytes: 0 });
        assert.equal(r.records.length, 1);
      }));

    void it('assigns arrival times from the clock, never decreasing', () =>
      withStore(async (store, clock) => {
        const log = await store.open('s/time');
        const a = await log.append([record('pk', '1')]);
        assert.equal(a.arrivalMs, T0);
        clock.advance(500);
        const b = await log.append([record('pk', '2')]);
        assert.equal(b.arrivalMs, T0 + 500);
        clock.set(T0 + 100); // clock steps back
        const c = await log.append([record('pk', '3')]);
        assert.equal(c.arrivalMs, T0 + 500);
        assert.equal(log.lastArrivalMs(), T0 + 500);
        const all = await readAll(log);
        assert.deepEqual(
          all.map((x) => x.arrivalMs),
          [T0, T0 + 500, T0 + 500],
        );
      }));

    void it('minArrivalMs hides older records', () =>
      withStore(async (store, clock) => {
        const log = await store.open('s/hide');
        await log.append([record('pk', 'old1'), record('pk', 'old2')]);
        clock.advance(1000);
        await log.append([record('pk', 'new1')]);
        let r = await log.read(0, { maxRecords: 10, maxBytes: 1000, minArrivalMs: T0 + 1 });
        assert.deepEqual(
          r.records.map((x) => x.offset),
          [2],
        );
        assert.equal(r.nextOffset, 3);
        r = await log.read(0, { maxRecords: 10, maxBytes: 1000, minArrivalMs: T0 + 1000 });
        assert.deepEqual(
          r.records.map((x) => x.offset),
          [2],
          'minArrivalMs is inclusive',
        );
        r = await log.read(0, { maxRecords: 10, maxBytes: 1000, minArrivalMs: T0 + 5000 });
        assert.equal(r.records.length, 0);
        assert.ok(r.nextOffset >= 0 && r.nextOffset <= 3);
        r = await log.read(0, { maxRecords: 10, maxBytes: 1000, minArrivalMs: T0 });
        assert.equal(r.records.length, 3);
      }));

    void it('offsetAtTime: before the first, exact, between, after the last, empty log', () =>
      withStore(async (store, clock) => {
        const log = await store.open('s/at-time');
        assert.equal(await log.offsetAtTime(T0), 0, 'empty log');
        await log.append([record('pk', 'a'), record('pk', 'b')]); // 0,1 @ T0
        clock.advance(100);
        await log.append([record('pk', 'c')]); // 2 @ T0+100
        clock.advance(100);
        await log.append([record('pk', 'd'), record('pk', 'e')]); // 3,4 @ T0+200
        assert.equal(await log.offsetAtTime(0), 0);
        assert.equal(await log.offsetAtTime(T0 - 1), 0);
        assert.equal(await log.offsetAtTime(T0), 0);
        assert.equal(await log.offsetAtTime(T0 + 1), 2);
        assert.equal(await log.offsetAtTime(T0 + 100), 2);
        assert.equal(await log.offsetAtTime(T0 + 150), 3);
        assert.equal(await log.offsetAtTime(T0 + 200), 3);
        assert.equal(await log.offsetAtTime(T0 + 201), 5);
        assert.equal(await log.offsetAtTime(Number.MAX_SAFE_INTEGER), 5);
      }));

    void it('seal: appends reject with SEALED, reads continue, idempotent', () =>
      withStore(async (store) => {
        const log = await store.open('s/seal');
        await log.append([record('pk', 'a')]);
        assert.equal(log.isSealed(), false);
        await log.seal();
        assert.equal(log.isSealed(), true);
        await assert.rejects(log.append([record('pk', 'b')]), isStorageError(StorageErrorCode.SEALED));
        await log.seal();
        const r = await log.read(0, { maxRecords: 10, maxBytes: 100 });
        assert.equal(r.records.length, 1);
        assert.equal(log.endOffset(), 1);
      }));

    void it('trimBefore drops old records exactly at the API; offsets are never reused', () =>
      withStore(async (store, clock) => {
        const log = await store.open('s/trim');
        await log.append([record('pk', 'a'), record('pk', 'b')]); // 0,1 @ T0
        clock.advance(1000);
        await log.append([record('pk', 'c')]); // 2 @ T0+1000
        clock.advance(1000);
        await log.append([record('pk', 'd')]); // 3 @ T0+2000
        await log.trimBefore(T0); // nothing older than T0
        assert.equal(log.startOffset(), 0);
        await log.trimBefore(T0 + 1000);
        assert.equal(log.startOffset(), 2);
        let all = await readAll(log);
        assert.deepEqual(
          all.map((x) => x.text),
          ['c', 'd'],
        );
        assert.equal(all[0].offset, 2);
        const r = await log.read(0, { maxRecords: 10, maxBytes: 100 });
        assert.equal(r.records[0].offset, 2, 'reads clamp to the first retained offset');
        assert.equal(await log.offsetAtTime(T0), 2);
        await log.trimBefore(T0 + 5000); // everything
        assert.equal(log.startOffset(), 4);
        assert.equal(log.endOffset(), 4);
        all = await readAll(log);
        assert.equal(all.length, 0);
        assert.equal(await log.offsetAtTime(0), 4);
        const next = await log.append([record('pk', 'e')]);
        assert.equal(next.firstOffset, 4);
        all = await readAll(log);
        assert.deepEqual(
          all.map((x) => x.text),
          ['e'],
        );
      }));

    void it('onAppend notifies the new end offset; unsubscribe stops it', () =>
      withStore(async (store) => {
        const log = await store.open('s/notify');
        const seen: number[] = [];
        const off = log.onAppend((end) => seen.push(end));
        await log.append([record('pk', 'a'), record('pk', 'b')]);
        await log.append([record('pk', 'c')]);
        off();
        await log.append([record('pk', 'd')]);
        assert.deepEqual(seen, [2, 3]);
      }));

    void it('open twice returns the same instance; list names every log; destroy removes one', () =>
      withStore(async (store) => {
        const a1 = await store.open('uid-a/shardId-000000000000');
        const a2 = await store.open('uid-a/shardId-000000000000');
        assert.equal(a1, a2);
        await store.open('uid-a/shardId-000000000001');
        const b = await store.open('uid-b/shardId-000000000000');
        await a1.append([record('pk', 'x')]);
        await b.append([record('pk', 'y')]);
        assert.deepEqual((await store.list()).sort(), ['uid-a/shardId-000000000000', 'uid-a/shardId-000000000001', 'uid-b/shardId-000000000000']);
        await store.destroy('uid-a/shardId-000000000000');
        assert.deepEqual((await store.list()).sort(), ['uid-a/shardId-000000000001', 'uid-b/shardId-000000000000']);
        await assert.rejects(a1.append([record('pk', 'z')]), isStorageError(StorageErrorCode.CLOSED));
        const fresh = await store.open('uid-a/shardId-000000000000');
        assert.notEqual(fresh, a1);
        assert.equal(fresh.endOffset(), 0);
        assert.equal((await fresh.read(0, { maxRecords: 10, maxBytes: 100 })).records.length, 0);
        await store.destroy('never-existed/x'); // no error
        const rb = await b.read(0, { maxRecords: 10, maxBytes: 100 });
        assert.equal(Buffer.from(rb.records[0].data).toString(), 'y');
      }));

    void it('open right after destroy (not awaited) gets a fresh log', () =>
      withStore(async (store) => {
        const old = await store.open('s/race');
        await old.append([record('pk', 'a'), record('pk', 'b')]);
        const destroyed = store.destroy('s/race');
        const reopened = store.open('s/race');
        await destroyed;
        const fresh = await reopened;
        assert.notEqual(fresh, old);
        assert.equal(fresh.endOffset(), 0);
        assert.equal((await fresh.append([record('pk', 'c')])).firstOffset, 0);
        assert.deepEqual(await store.list(), ['s/race']);
        const r = await fresh.read(0, { maxRecords: 10, maxBytes: 100 });
        assert.deepEqual(
          r.records.map((x) => Buffer.from(x.data).toString()),
          ['c'],
        );
      }));

    void it('a closed store rejects with CLOSED', async () => {
      const fixture = await factory();
      try {
        const store = await fixture.open(new ManualClock(T0));
        const log = await store.open('s/closed');
        await log.append([record('pk', 'a')]);
        await store.close();
        await assert.rejects(log.append([record('pk', 'b')]), isStorageError(StorageErrorCode.CLOSED));
        await assert.rejects(store.open('s/other'), isStorageError(StorageErrorCode.CLOSED));
        await store.close(); // idempotent
      } finally {
        await fixture.cleanup();
      }
    });

    void it('many concurrent appenders on one shard keep one order and unique positions', () =>
      withStore(async (store, clock) => {
        const log = await store.open('s/concurrent');
        const appenders = 40;
        const batchesEach = 5;
        const tasks: Promise<{ id: string; firstOffset: number; n: number; arrivalMs: number }[]>[] = [];
        for (let a = 0; a < appenders; a++) {
          tasks.push(
            (async () => {
              const mine: { id: string; firstOffset: number; n: number; arrivalMs: number }[] = [];
              for (let b = 0; b < batchesEach; b++) {
                const n = 1 + ((a * 7 + b * 3) % 5);
                const recs: AppendRecord[] = [];
                for (let i = 0; i < n; i++) recs.push(record(`pk-${a}`, `a${a}-b${b}-r${i}`));
                clock.advance(1);
                const res = await log.append(recs);
                mine.push({ id: `a${a}-b${b}`, firstOffset: res.firstOffset, n, arrivalMs: res.arrivalMs });
              }
              return mine;
            })(),
          );
        }
        const results = (await Promise.all(tasks)).flat();
        const total = results.reduce((s, r) => s + r.n, 0);
        assert.equal(log.endOffset(), total);
        // Batches occupy disjoint, contiguous ranges covering 0..total-1.
        const sorted = [...results].sort((x, y) => x.firstOffset - y.firstOffset);
        let expect = 0;
        for (const r of sorted) {
          assert.equal(r.firstOffset, expect);
          expect += r.n;
        }
        const all = await readAll(log);
        assert.equal(all.length, total);
        for (const r of results) {
          for (let i = 0; i < r.n; i++) {
            assert.equal(all[r.firstOffset + i].text, `${r.id}-r${i}`);
            assert.equal(all[r.firstOffset + i].arrivalMs, r.arrivalMs);
          }
        }
        for (let i = 1; i < all.length; i++) assert.ok(all[i].arrivalMs >= all[i - 1].arrivalMs);
        // Each appender's own batches are in the order it issued them.
        for (let a = 0; a < appenders; a++) {
          const mine = results.filter((r) => r.id.startsWith(`a${a}-`));
          for (let i = 1; i < mine.length; i++) assert.ok(mine[i].firstOffset > mine[i - 1].firstOffset);
        }
      }));

    void it('larger payloads round-trip byte-exact', () =>
      withStore(async (store) => {
        const log = await store.open('s/large');
        const payloads: Buffer[] = [];
        for (let i = 0; i < 20; i++) {
          const b = Buffer.alloc(1000 + i * 5000);
          for (let j = 0; j < b.length; j++) b[j] = (j * 31 + i) & 0xff;
          payloads.push(b);
        }
        await log.append(payloads.slice(0, 10).map((p) => record('pk', p)));
        await log.append(payloads.slice(10).map((p) => record('pk', p)));
        let next = 0;
        const got: Uint8Array[] = [];
        for (;;) {
          const r = await log.read(next, { maxRecords: 3, maxBytes: 60_000 });
          if (r.records.length === 0) break;
          for (const x of r.records) got.push(x.data);
          next = r.nextOffset;
        }
        assert.equal(got.length, 20);
        const digest = (list: Uint8Array[]): string => {
          const h = createHash('sha256');
          for (const x of list) h.update(x);
          return h.digest('hex');
        };
        assert.equal(digest(got), digest(payloads));
      }));

    void describe('persistence', () => {
      void it('records, offsets, arrival times, seal and trim survive close and reopen', async () => {
        const fixture = await factory();
        if (!fixture.persistent) {
          await fixture.cleanup();
          return;
        }
        const clock = new ManualClock(T0);
        try {
          let store = await fixture.open(clock);
          let log = await store.open('uid/shardId-000000000000');
          await log.append([record('pk', 'a'), record('pk', 'b', { explicitHashKey: '42', flags: 1 })]);
          clock.advance(1000);
          await log.append([record('pk', 'c')]);
          const sealed = await store.open('uid/shardId-000000000001');
          await sealed.append([record('pk', 's')]);
          await sealed.seal();
          const trimmed = await store.open('uid/shardId-000000000002');
          await trimmed.append([record('pk', 't0')]);
          clock.advance(1000);
          await trimmed.append([record('pk', 't1')]);
          await trimmed.trimBefore(T0 + 1500);
          assert.equal(trimmed.startOffset(), 1);
          await store.close();

          clock.set(T0 + 100); // clock went back across the restart
          store = await fixture.open(clock);
          assert.deepEqual((await store.list()).sort(), ['uid/shardId-000000000000', 'uid/shardId-000000000001', 'uid/shardId-000000000002']);
          log = await store.open('uid/shardId-000000000000');
          assert.equal(log.endOffset(), 3);
          assert.equal(log.lastArrivalMs(), T0 + 1000);
          const r = await log.read(0, { maxRecords: 10, maxBytes: 1000 });
          assert.deepEqual(
            r.records.map((x) => [x.offset, Buffer.from(x.data).toString(), x.arrivalMs, x.explicitHashKey, x.flags]),
            [
              [0, 'a', T0, undefined, 0],
              [1, 'b', T0, '42', 1],
              [2, 'c', T0 + 1000, undefined, 0],
            ],
          );
          const d = await log.append([record('pk', 'd')]);
          assert.equal(d.firstOffset, 3);
          assert.equal(d.arrivalMs, T0 + 1000, 'arrival never decreases across a restart');
          const s2 = await store.open('uid/shardId-000000000001');
          assert.equal(s2.isSealed(), true);
          await assert.rejects(s2.append([record('pk', 'x')]), isStorageError(StorageErrorCode.SEALED));
          const t2 = await store.open('uid/shardId-000000000002');
          assert.equal(t2.startOffset(), 1);
          assert.deepEqual(
            (await readAll(t2)).map((x) => x.text),
            ['t1'],
          );
          await store.destroy('uid/shardId-000000000002');
          await store.close();
          store = await fixture.open(clock);
          assert.deepEqual((await store.list()).sort(), ['uid/shardId-000000000000', 'uid/shardId-000000000001']);
          await store.close();
        } finally {
          await fixture.cleanup();
        }
      });
    });
  });
}
