/**
 * The tail cache's ring against a model: random groups of random frames are added, and every read the
 * cache answers must equal the same read from the model (the cache may decline any offset it no
 * longer holds, but must hold the newest group that fits).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendRecord } from '../../../src/storage/contract.js';
import { frameBytes, writeFrame } from '../../../src/storage/embedded/frame.js';
import { TailCache } from '../../../src/storage/embedded/tail-cache.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

interface ModelRecord {
  readonly offset: number;
  readonly record: AppendRecord;
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

void describe('TailCache', () => {
  for (const capacity of [300, 1000, 4096]) {
    void it(`answers reads exactly like the log, or declines (capacity ${capacity} bytes, random groups)`, () => {
      const random = rng(capacity);
      const cache = new TailCache(capacity);
      const model: ModelRecord[] = [];
      let answered = 0;
      for (let step = 0; step < 400; step++) {
        const n = 1 + Math.floor(random() * 6);
        const records: AppendRecord[] = Array.from({ length: n }, (_, i) => ({
          partitionKey: `k${step}.${i}`,
          data: Buffer.alloc(Math.floor(random() * 120), step & 0xff),
          explicitHashKey: random() < 0.2 ? String(step) : undefined,
          flags: step & 1,
        }));
        const first = model.length;
        const frames = groupFrames(records, first);
        cache.add(frames, first, n);
        frames.fill(0); // the cache must have copied
        records.forEach((record, i) => model.push({ offset: first + i, record }));
        // The newest group is held whenever it fits.
        if (frames.length <= capacity) assert.ok(cache.read(first, 100, 1 << 20), `newest group at ${first} should be cached`);
        for (let probe = 0; probe < 4; probe++) {
          const from = Math.max(0, model.length - 1 - Math.floor(random() * 40));
          const maxRecords = 1 + Math.floor(random() * 10);
          const maxBytes = Math.floor(random() * 400);
          const got = cache.read(from, maxRecords, maxBytes);
          if (got === undefined) continue;
          answered++;
          // The model's answer: the first record always, then while within both limits.
          const want: ModelRecord[] = [];
          let bytes = 0;
          for (const m of model.slice(from)) {
            if (want.length > 0 && (want.length >= maxRecords || bytes + m.record.data.length > maxBytes)) break;
            want.push(m);
            bytes += m.record.data.length;
          }
          assert.equal(got.nextOffset, from + want.length);
          assert.deepEqual(
            got.records.map((r) => [r.offset, r.partitionKey, Buffer.from(r.data).toString('hex'), r.explicitHashKey, r.flags]),
            want.map((m) => [m.offset, m.record.partitionKey, Buffer.from(m.record.data).toString('hex'), m.record.explicitHashKey, m.record.flags ?? 0]),
          );
        }
      }
      assert.ok(answered > (capacity < 1000 ? 20 : 100), `only ${answered} reads answered from the cache`);
    });
  }

  void it('records read stay intact after the ring is overwritten', () => {
    const cache = new TailCache(256);
    const first: AppendRecord[] = [{ partitionKey: 'a', data: Buffer.from('first-data') }];
    cache.add(groupFrames(first, 0), 0, 1);
    const got = cache.read(0, 10, 1000);
    assert.ok(got);
    for (let i = 1; i < 50; i++) cache.add(groupFrames([{ partitionKey: 'b', data: Buffer.alloc(60, i) }], i), i, 1);
    assert.equal(cache.read(0, 10, 1000), undefined);
    assert.equal(Buffer.from(got.records[0].data).toString(), 'first-data');
  });

  void it('a gap in offsets or a group larger than the ring empties it', () => {
    const cache = new TailCache(512);
    cache.add(groupFrames([{ partitionKey: 'a', data: Buffer.from('x') }], 0), 0, 1);
    cache.add(groupFrames([{ partitionKey: 'a', data: Buffer.from('y') }], 5), 5, 1);
    assert.equal(cache.read(0, 10, 1000), undefined);
    assert.equal(cache.read(5, 10, 1000)?.records.length, 1);
    cache.add(groupFrames([{ partitionKey: 'a', data: Buffer.alloc(1000) }], 6), 6, 1);
    assert.equal(cache.read(5, 10, 1000), undefined);
    assert.equal(cache.read(6, 10, 1000), undefined);
  });
});
