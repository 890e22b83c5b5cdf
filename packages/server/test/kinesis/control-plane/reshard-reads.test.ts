/**
 * Resharding seen by readers (with the data plane): records stay in the parent, which ends with
 * ChildShards; new records go to the children; sequence numbers grow from parent to child; the
 * parent's EndingSequenceNumber is its last record's.
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
  PutRecordCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { compareSequenceNumbers } from '../../../src/kinesis/sequence-number.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

void describe('resharding seen through the data plane', () => {
  let server: TestServer;
  let kinesis: KinesisClient;
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, updateStreamMs: 0, deleteStreamMs: 0 });
    kinesis = server.kinesis({ http1: true });
  });
  after(async () => {
    await server.stop();
  });

  async function readAll(shardId: string): Promise<{ seqs: string[]; data: string[]; children: string[] }> {
    let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: 'rr', ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    const seqs: string[] = [];
    const data: string[] = [];
    let children: string[] = [];
    for (let i = 0; i < 10 && it; i++) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
      for (const r of out.Records ?? []) {
        seqs.push(r.SequenceNumber ?? '');
        data.push(Buffer.from(r.Data ?? new Uint8Array()).toString());
      }
      if (out.ChildShards && out.ChildShards.length > 0) children = out.ChildShards.map((c) => c.ShardId ?? '');
      if ((out.Records ?? []).length === 0 && out.MillisBehindLatest === 0 && out.NextShardIterator) break;
      it = out.NextShardIterator;
    }
    return { seqs, data, children };
  }

  void it('split then merge: parents keep their records and point at their children', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'rr', ShardCount: 1 }));
    const put = async (v: string): Promise<string> =>
      (await kinesis.send(new PutRecordCommand({ StreamName: 'rr', PartitionKey: v, ExplicitHashKey: '0', Data: Buffer.from(v) }))).SequenceNumber ?? '';
    const s1 = await put('a');
    const s2 = await put('b');
    await kinesis.send(new SplitShardCommand({ StreamName: 'rr', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (1n << 127n).toString() }));
    const s3 = await put('c');
    assert.ok(compareSequenceNumbers(s3, s2) > 0);
    const shards = (await kinesis.send(new ListShardsCommand({ StreamName: 'rr' }))).Shards ?? [];
    assert.equal(shards[0].SequenceNumberRange?.EndingSequenceNumber, s2);
    const parent = await readAll('shardId-000000000000');
    assert.deepEqual(parent.seqs, [s1, s2]);
    assert.deepEqual(parent.data, ['a', 'b']);
    assert.deepEqual(parent.children.sort(), ['shardId-000000000001', 'shardId-000000000002']);
    const lower = await readAll('shardId-000000000001');
    assert.deepEqual(lower.data, ['c']);
    assert.deepEqual((await readAll('shardId-000000000002')).data, []);

    await kinesis.send(new MergeShardsCommand({ StreamName: 'rr', ShardToMerge: 'shardId-000000000001', AdjacentShardToMerge: 'shardId-000000000002' }));
    const s4 = await put('d');
    assert.ok(compareSequenceNumbers(s4, s3) > 0);
    const afterMerge = await readAll('shardId-000000000001');
    assert.deepEqual(afterMerge.data, ['c']);
    assert.deepEqual(afterMerge.children, ['shardId-000000000003']);
    assert.deepEqual((await readAll('shardId-000000000003')).data, ['d']);
  });
});
