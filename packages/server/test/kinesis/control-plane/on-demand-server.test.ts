/**
 * On-demand scaling end to end: a real server with an injected ManualClock; a sustained PutRecords
 * load (600 records per clock-second for a minute) on one shard of an ON_DEMAND stream makes the
 * background split that shard at the middle of its hash range. The clock is moved by hand, never slept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateStreamCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ManualClock } from '../../../src/model/context.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

void describe('on-demand scaling through the server', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clock, createStreamMs: 0, updateStreamMs: 0, deleteStreamMs: 0 });
  });
  after(async () => {
    await server.stop();
  });

  void it('splits the hot shard', async () => {
    const kinesis = server.kinesis({ http1: true });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'hot', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    const initial = (await kinesis.send(new ListShardsCommand({ StreamName: 'hot' }))).Shards ?? [];
    assert.equal(initial.length, 4);
    const hot = initial[2];
    const key = hot.HashKeyRange?.StartingHashKey ?? '0';
    const batch = Array.from({ length: 300 }, (_, i) => ({ PartitionKey: `p${i}`, ExplicitHashKey: key, Data: new Uint8Array(16) }));
    for (let second = 0; second < 60; second++) {
      for (let half = 0; half < 2; half++) {
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: 'hot', Records: batch }));
        assert.equal(out.FailedRecordCount, 0);
      }
      clock.advance(1000);
    }
    // The background runs on real time (it reads the injected clock); wait for it, bounded.
    let open: string[] = [];
    for (let i = 0; i < 100 && open.length !== 5; i++) {
      await sleep(50);
      open = ((await kinesis.send(new ListShardsCommand({ StreamName: 'hot', ShardFilter: { Type: 'AT_LATEST' } }))).Shards ?? []).map(
        (s) => `${s.ShardId}<${s.ParentShardId ?? ''}`,
      );
    }
    assert.equal(open.length, 5, open.join());
    assert.ok(open.includes(`shardId-000000000004<${hot.ShardId}`));
    assert.ok(open.includes(`shardId-000000000005<${hot.ShardId}`));
  });
});
