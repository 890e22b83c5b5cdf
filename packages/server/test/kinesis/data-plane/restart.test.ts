/**
 * Restart in the middle (embedded storage in a temp data dir): everything acknowledged before the
 * restart is readable after it, iterators issued before the restart still verify (the HMAC key lives
 * in the metadata store), sequence numbers keep increasing, and a reshard survives with its shard ends.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { GetRecordsCommandOutput, KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { compareSequenceNumbers } from '../../../src/kinesis/sequence-number.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { waitActive } from './support.js';


async function readAll(kinesis: KinesisClient, iterator: string): Promise<{ data: Buffer[]; end: boolean; children: number }> {
  const data: Buffer[] = [];
  let it: string | undefined = iterator;
  for (let i = 0; i < 100 && it; i++) {
    const out: GetRecordsCommandOutput = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of out.Records ?? []) data.push(Buffer.from(r.Data as Uint8Array));
    if (!out.NextShardIterator) return { data, end: true, children: out.ChildShards?.length ?? 0 };
    if ((out.Records ?? []).length === 0) break;
    it = out.NextShardIterator;
  }
  return { data, end: false, children: 0 };
}

void describe('restart in the middle (persistent server)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ persistent: true, fsync: { mode: 'always' }, createStreamMs: 0, updateStreamMs: 0, limits: false });
  });
  after(() => server.stop());

  void it('keeps every acknowledged record, iterator and shard end across a restart', async () => {
    let kinesis = server.kinesis({ http1: true });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'durable', ShardCount: 1 }));
    await waitActive(kinesis, 'durable');
    const payloads = Array.from({ length: 300 }, (_, i) => randomBytes(i % 97));
    const acked: string[] = [];
    for (let i = 0; i < payloads.length; i += 100) {
      const out = await kinesis.send(
        new PutRecordsCommand({ StreamName: 'durable', Records: payloads.slice(i, i + 100).map((d, j) => ({ PartitionKey: `k${i + j}`, Data: d })) }),
      );
      assert.equal(out.FailedRecordCount, 0);
      for (const r of out.Records ?? []) acked.push(r.SequenceNumber as string);
    }
    const single = await kinesis.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'last', Data: Buffer.from('last before restart') }));
    const before1 = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'durable', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));

    await server.restart();
    kinesis = server.kinesis({ http1: true });

    // The iterator issued before the restart still verifies and reads everything.
    const all = await readAll(kinesis, before1.ShardIterator as string);
    assert.equal(all.data.length, 301);
    payloads.forEach((p, i) => assert.ok(all.data[i].equals(p), `record ${i}`));
    assert.equal(all.data[300].toString(), 'last before restart');

    const next = await kinesis.send(new PutRecordCommand({ StreamName: 'durable', PartitionKey: 'after', Data: Buffer.from('after restart') }));
    assert.equal(compareSequenceNumbers(next.SequenceNumber as string, single.SequenceNumber as string), 1);
    assert.equal(compareSequenceNumbers(acked[299], single.SequenceNumber as string), -1);

    // Split, restart again: the parent still ends with its children.
    await kinesis.send(new SplitShardCommand({ StreamName: 'durable', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (1n << 127n).toString() }));
    await waitActive(kinesis, 'durable');
    await server.restart();
    kinesis = server.kinesis({ http1: true });
    const it2 = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'durable', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: acked[0] }));
    const parent = await readAll(kinesis, it2.ShardIterator as string);
    assert.equal(parent.data.length, 302);
    assert.equal(parent.end, true);
    assert.equal(parent.children, 2);
  });
});
