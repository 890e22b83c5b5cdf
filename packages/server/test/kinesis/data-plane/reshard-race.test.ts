/**
 * Writers racing the control plane's SplitShard / MergeShards through a real server: every
 * acknowledged record is read back exactly once and in order per partition key by a consumer that
 * follows ChildShards (parents before children).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput, Shard } from '@aws-sdk/client-kinesis';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { seededRandom, waitActive } from './support.js';


async function openShardList(kinesis: KinesisClient, name: string): Promise<Shard[]> {
  const out = await kinesis.send(new ListShardsCommand({ StreamName: name, ShardFilter: { Type: 'AT_LATEST' } }));
  return [...(out.Shards ?? [])].sort((a, b) => (BigInt(a.HashKeyRange?.StartingHashKey ?? 0) < BigInt(b.HashKeyRange?.StartingHashKey ?? 0) ? -1 : 1));
}

void describe('writes racing SplitShard and MergeShards (control plane, real server)', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startTestServer({ persistent: true, createStreamMs: 0, updateStreamMs: 0, limits: false });
    kinesis = server.kinesis({ http1: true });
  });
  after(() => server.stop());

  void it('loses, duplicates and reorders nothing within a partition key', async () => {
    const name = 'race';
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    await waitActive(kinesis, name);
    const random = seededRandom(2024);
    const acked = new Map<string, number[]>();
    let counter = 0;
    let writing = true;

    const writer = async (w: number): Promise<void> => {
      while (writing) {
        const entries = Array.from({ length: 20 }, () => ({ pk: `k${Math.floor(random() * 16)}`, n: counter++ }));
        const out = await kinesis.send(
          new PutRecordsCommand({ StreamName: name, Records: entries.map((e) => ({ PartitionKey: e.pk, Data: Buffer.from(`${e.pk}:${e.n}:${w}`) })) }),
        );
        // Entries of one key from one writer are acknowledged in request order; keep only acknowledged ones.
        entries.forEach((e, i) => {
          if (out.Records?.[i].SequenceNumber === undefined) return;
          const list = acked.get(`${e.pk}/${w}`) ?? [];
          list.push(e.n);
          acked.set(`${e.pk}/${w}`, list);
        });
      }
    };
    const writers = [0, 1, 2].map((w) => writer(w));
    let reshards = 0;
    for (let round = 0; round < 8; round++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const open = await openShardList(kinesis, name);
      if (round % 3 !== 2 || open.length < 2) {
        const s = open[Math.floor(random() * open.length)];
        const lo = BigInt(s.HashKeyRange?.StartingHashKey as string);
        const hi = BigInt(s.HashKeyRange?.EndingHashKey as string);
        await kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: s.ShardId, NewStartingHashKey: ((lo + hi) / 2n + 1n).toString() }));
      } else {
        const i = Math.floor(random() * (open.length - 1));
        await kinesis.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: open[i].ShardId, AdjacentShardToMerge: open[i + 1].ShardId }));
      }
      reshards++;
      await waitActive(kinesis, name);
    }
    writing = false;
    await Promise.all(writers);
    assert.equal(reshards, 8);

    // Consumer: start at the original shards, follow ChildShards once every parent has ended.
    const seen = new Map<string, number[]>();
    const finished = new Set<string>();
    const queue: string[] = ['shardId-000000000000', 'shardId-000000000001'];
    const pending = new Map<string, string[]>();
    while (queue.length > 0) {
      const shardId = queue.shift() as string;
      let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      let last: GetRecordsCommandOutput | undefined;
      for (let i = 0; i < 1000 && it; i++) {
        last = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
        for (const r of last.Records ?? []) {
          const [pk, n, w] = Buffer.from(r.Data as Uint8Array).toString().split(':');
          const list = seen.get(`${pk}/${w}`) ?? [];
          list.push(Number(n));
          seen.set(`${pk}/${w}`, list);
        }
        if ((last.Records ?? []).length === 0 && last.NextShardIterator) break; // caught up on an open shard
        it = last.NextShardIterator;
      }
      if (last && last.NextShardIterator === undefined) {
        finished.add(shardId);
        for (const child of last.ChildShards ?? []) pending.set(child.ShardId as string, child.ParentShards ?? []);
      }
      for (const [child, parents] of [...pending]) {
        if (parents.every((p) => finished.has(p))) {
          pending.delete(child);
          queue.push(child);
        }
      }
    }
    assert.equal(pending.size, 0);
    let total = 0;
    for (const [key, expected] of acked) {
      assert.deepEqual(seen.get(key), expected, key);
      total += expected.length;
    }
    assert.equal([...seen.values()].reduce((n, l) => n + l.length, 0), total);
    assert.ok(total > 100, `wrote ${total}`);
  });
});
