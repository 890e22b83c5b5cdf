/**
 * Encryption at rest on the enhanced fan-out path: records appended after StartStreamEncryption reach
 * a SubscribeToShard consumer decrypted, with EncryptionType KMS; earlier ones with NONE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  StartStreamEncryptionCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, SubscribeToShardEvent } from '@aws-sdk/client-kinesis';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

let server: TestServer;
let kinesis: KinesisClient;
before(async () => {
  server = await startTestServer({ persistent: true, createStreamMs: 0, updateStreamMs: 0, consumerMs: 0 });
  kinesis = server.kinesis();
});
after(() => server.stop());

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

void describe('encryption at rest with SubscribeToShard', () => {
  void it('delivers decrypted records with their EncryptionType', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'efo', ShardCount: 1 }));
    const streamArn = await waitFor('stream', async () => {
      const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'efo' }))).StreamDescriptionSummary;
      return s?.StreamStatus === 'ACTIVE' ? s.StreamARN : undefined;
    });
    await kinesis.send(new PutRecordCommand({ StreamName: 'efo', PartitionKey: 'k', Data: Buffer.from('clear-1') }));
    await kinesis.send(new StartStreamEncryptionCommand({ StreamName: 'efo', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    await waitFor('encryption', async () => {
      const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'efo' }))).StreamDescriptionSummary;
      return s?.StreamStatus === 'ACTIVE' && s.EncryptionType === 'KMS' ? true : undefined;
    });
    await kinesis.send(new PutRecordCommand({ StreamName: 'efo', PartitionKey: 'k', Data: Buffer.from('secret-2') }));
    const consumer = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'c1' }));
    const consumerArn = consumer.Consumer?.ConsumerARN;
    assert.ok(consumerArn);
    await waitFor('consumer', async () => {
      const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
      return d.ConsumerDescription?.ConsumerStatus === 'ACTIVE' ? true : undefined;
    });
    const abort = new AbortController();
    const out = await kinesis.send(
      new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }),
      { abortSignal: abort.signal },
    );
    assert.ok(out.EventStream);
    const seen: Array<[string, string | undefined]> = [];
    try {
      for await (const e of out.EventStream as AsyncIterable<{ SubscribeToShardEvent?: SubscribeToShardEvent }>) {
        for (const r of e.SubscribeToShardEvent?.Records ?? []) seen.push([Buffer.from(r.Data ?? []).toString(), r.EncryptionType]);
        if (seen.length >= 2) break;
      }
    } finally {
      abort.abort();
    }
    assert.deepEqual(seen, [
      ['clear-1', 'NONE'],
      ['secret-2', 'KMS'],
    ]);
  });
});
