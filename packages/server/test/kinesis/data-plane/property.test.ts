/**
 * Randomized (seeded) property test: interleavings of puts, splits, merges and reads — some puts
 * racing a reshard — never lose, duplicate or reorder a record within a partition key when a consumer
 * reads parents before children, following ChildShards from the shard ends as KCL does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRecords } from '../../../src/kinesis/operations/get-records.js';
import { getShardIterator } from '../../../src/kinesis/operations/get-shard-iterator.js';
import { putRecords } from '../../../src/kinesis/operations/put-records.js';
import type { ShardRecord } from '../../../src/kinesis/records.js';
import { openShards } from '../../../src/kinesis/stream-store.js';
import type { TestPlane } from './support.js';
import { createTestStream, mergeShards, openTestPlane, seededRandom, splitShard } from './support.js';

const KEYS = 12;

interface Consumer {
  /** Shard id → next iterator (undefined once the shard ended). */
  readonly cursors: Map<string, string | undefined>;
  readonly finished: Set<string>;
  /** Children seen in ChildShards, waiting for all their parents to finish. */
  readonly waiting: Map<string, string[]>;
  readonly seen: Map<string, number[]>;
}

async function startConsumer(plane: TestPlane, name: string, shards: readonly ShardRecord[]): Promise<Consumer> {
  const c: Consumer = { cursors: new Map(), finished: new Set(), waiting: new Map(), seen: new Map() };
  for (const s of shards) {
    const it = await getShardIterator(plane.dp, { StreamName: name, ShardId: s.shardId, ShardIteratorType: 'TRIM_HORIZON' }, plane.ctx);
    c.cursors.set(s.shardId, it.ShardIterator);
  }
  return c;
}

/** One GetRecords on every active shard; returns true when anything moved. */
async function poll(plane: TestPlane, name: string, c: Consumer, limit: number): Promise<boolean> {
  let moved = false;
  for (const [shardId, iterator] of [...c.cursors]) {
    if (iterator === undefined) continue;
    const out = await getRecords(plane.dp, { ShardIterator: iterator, Limit: limit }, plane.ctx);
    for (const r of out.Records) {
      const [pk, n] = Buffer.from(r.Data).toString().split(':');
      assert.equal(r.PartitionKey, pk);
      const list = c.seen.get(pk) ?? [];
      list.push(Number(n));
      c.seen.set(pk, list);
      moved = true;
    }
    if (out.NextShardIterator === undefined) {
      assert.ok(out.ChildShards && out.ChildShards.length > 0, `shard end of ${shardId} without ChildShards`);
      c.cursors.set(shardId, undefined);
      c.finished.add(shardId);
      moved = true;
      for (const child of out.ChildShards) {
        assert.ok(child.ParentShards.includes(shardId));
        c.waiting.set(child.ShardId, child.ParentShards);
      }
    } else {
      assert.equal(out.ChildShards, undefined);
      c.cursors.set(shardId, out.NextShardIterator);
    }
  }
  for (const [child, parents] of [...c.waiting]) {
    if (c.cursors.has(child) || !parents.every((p) => c.finished.has(p))) continue;
    c.waiting.delete(child);
    const it = await getShardIterator(plane.dp, { StreamName: name, ShardId: child, ShardIteratorType: 'TRIM_HORIZON' }, plane.ctx);
    c.cursors.set(child, it.ShardIterator);
    moved = true;
  }
  return moved;
}

async function runScenario(seed: number, steps: number): Promise<void> {
  const random = seededRandom(seed);
  const plane = await openTestPlane();
  const name = `prop-${seed}`;
  try {
    const created = await createTestStream(plane, name, 2);
    const consumer = await startConsumer(plane, name, created.value.shards);
    const acked = new Map<string, number[]>();
    let counter = 0;
    let reshards = 0;

    const put = async (): Promise<void> => {
      const n = 1 + Math.floor(random() * 25);
      const entries = Array.from({ length: n }, () => {
        const pk = `pk${Math.floor(random() * KEYS)}`;
        return { pk, n: counter++ };
      });
      const out = await putRecords(plane.dp, { StreamName: name, Records: entries.map((e) => ({ PartitionKey: e.pk, Data: Buffer.from(`${e.pk}:${e.n}`) })) }, plane.ctx);
      assert.equal(out.FailedRecordCount, 0);
      entries.forEach((e, i) => {
        assert.ok(out.Records[i].SequenceNumber);
        const list = acked.get(e.pk) ?? [];
        list.push(e.n);
        acked.set(e.pk, list);
      });
    };
    const reshard = async (): Promise<void> => {
      const stream = (await plane.env.streams.resolve(plane.ctx, { StreamName: name })).value;
      const open = openShards(stream);
      if ((random() < 0.55 && open.length < 8) || open.length < 2) {
        const candidates = open.filter((s) => BigInt(s.endingHashKey) - BigInt(s.startingHashKey) > 2n);
        const s = candidates[Math.floor(random() * candidates.length)];
        const lo = BigInt(s.startingHashKey);
        const width = BigInt(s.endingHashKey) - lo;
        const at = lo + 1n + (width * BigInt(Math.floor(random() * 1000))) / 1000n;
        await splitShard(plane, name, s.shardId, at > BigInt(s.endingHashKey) ? BigInt(s.endingHashKey) : at);
      } else {
        const i = Math.floor(random() * (open.length - 1));
        await mergeShards(plane, name, open[i].shardId, open[i + 1].shardId);
      }
      reshards++;
    };

    for (let step = 0; step < steps; step++) {
      const r = random();
      if (r < 0.5) await put();
      else if (r < 0.6) await reshard();
      else if (r < 0.7) await Promise.all([put(), reshard(), put()]);
      else await poll(plane, name, consumer, 1 + Math.floor(random() * 30));
      plane.clock.advance(Math.floor(random() * 20));
    }
    for (let i = 0; i < 10_000 && (await poll(plane, name, consumer, 10_000)); i++);

    assert.ok(reshards > 5, 'the scenario resharded');
    let total = 0;
    for (const [pk, expected] of acked) {
      assert.deepEqual(consumer.seen.get(pk) ?? [], expected, `partition key ${pk} (seed ${seed})`);
      total += expected.length;
    }
    assert.equal([...consumer.seen.values()].reduce((n, l) => n + l.length, 0), total, 'no extra records');
    assert.equal(total, counter);
  } finally {
    await plane.close();
  }
}

void describe('property: puts, splits, merges and reads', () => {
  for (const seed of [1, 7, 42, 1234, 99991]) {
    void it(`seed ${seed}: no record lost, duplicated or reordered within a partition key`, async () => {
      await runScenario(seed, 250);
    });
  }
});
