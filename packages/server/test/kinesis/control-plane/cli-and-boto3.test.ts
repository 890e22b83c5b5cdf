/**
 * The control plane through the AWS CLI (a whole scenario) and boto3 (its paginators), against a real
 * in-process server. State delays are 0 so that the CLI's waiters (10 s between polls) succeed on
 * their first poll and each change is ACTIVE again by the next call; the transitions themselves are
 * covered by the unit and SDK tests. (Each CLI call costs about a second of interpreter start-up.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestServer } from '../../support/server.js';
import { runAwsCli, runPython, startTestServer } from '../../support/server.js';

interface CliShard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

void describe('control plane through the AWS CLI and boto3', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, updateStreamMs: 0, deleteStreamMs: 0 });
  });
  after(async () => {
    await server.stop();
  });

  async function aws(...args: string[]): Promise<unknown> {
    const r = await runAwsCli(['kinesis', ...args], server);
    assert.equal(r.exitCode, 0, `aws kinesis ${args.join(' ')}: ${r.stderr}`);
    return r.json;
  }
  async function shardIds(...filter: string[]): Promise<string[]> {
    const out = (await aws('list-shards', '--stream-name', 'cli', ...filter)) as { Shards: CliShard[] };
    return out.Shards.map((s) => s.ShardId);
  }

  void it('create → describe → split → merge → update-shard-count → list-shards filters → tags → retention → delete', async () => {
    await aws('create-stream', '--stream-name', 'cli', '--shard-count', '2');
    await aws('wait', 'stream-exists', '--stream-name', 'cli');
    const d = (await aws('describe-stream', '--stream-name', 'cli')) as { StreamDescription: { StreamStatus: string; Shards: CliShard[]; StreamCreationTimestamp: number } };
    assert.equal(d.StreamDescription.StreamStatus, 'ACTIVE');
    assert.equal(d.StreamDescription.Shards.length, 2);
    const s0 = d.StreamDescription.Shards[0];
    const mid = (BigInt(s0.HashKeyRange.StartingHashKey) + BigInt(s0.HashKeyRange.EndingHashKey)) / 2n;
    await aws('split-shard', '--stream-name', 'cli', '--shard-to-split', s0.ShardId, '--new-starting-hash-key', mid.toString());
    await aws('merge-shards', '--stream-name', 'cli', '--shard-to-merge', 'shardId-000000000002', '--adjacent-shard-to-merge', 'shardId-000000000003');
    // botocore sends timestamps in whole seconds: keep a second on either side of this one.
    await sleep(1100);
    const afterMerge = new Date().toISOString();
    await sleep(1100);
    const usc = (await aws('update-shard-count', '--stream-name', 'cli', '--target-shard-count', '4', '--scaling-type', 'UNIFORM_SCALING')) as Record<string, unknown>;
    assert.equal(usc.CurrentShardCount, 2);
    assert.equal(usc.TargetShardCount, 4);

    // Read-only queries run concurrently (each CLI call costs about a second of start-up).
    const [all, latest, atTrim, fromTrim, afterShard, atTs, fromTs] = await Promise.all([
      shardIds(),
      shardIds('--shard-filter', 'Type=AT_LATEST'),
      shardIds('--shard-filter', 'Type=AT_TRIM_HORIZON'),
      shardIds('--shard-filter', 'Type=FROM_TRIM_HORIZON'),
      shardIds('--shard-filter', 'Type=AFTER_SHARD_ID,ShardId=shardId-000000000003'),
      shardIds('--shard-filter', `Type=AT_TIMESTAMP,Timestamp=${afterMerge}`),
      shardIds('--shard-filter', `Type=FROM_TIMESTAMP,Timestamp=${afterMerge}`),
    ]);
    assert.deepEqual(all.slice(0, 5), ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004']);
    assert.equal(latest.length, 4);
    assert.ok(latest.every((id) => id > 'shardId-000000000004'));
    assert.deepEqual(atTrim, ['shardId-000000000000', 'shardId-000000000001']);
    assert.deepEqual(fromTrim, all);
    assert.deepEqual(afterShard, all.filter((id) => id > 'shardId-000000000003'));
    assert.deepEqual(atTs, ['shardId-000000000001', 'shardId-000000000004']);
    assert.deepEqual(fromTs, all.filter((id) => !['shardId-000000000000', 'shardId-000000000002', 'shardId-000000000003'].includes(id)));
    const paged = (await aws('list-shards', '--stream-name', 'cli', '--max-results', '2')) as { Shards: CliShard[]; NextToken?: string };
    assert.equal(paged.Shards.length, 2);
    assert.ok(paged.NextToken);
    const next = (await aws('list-shards', '--next-token', paged.NextToken)) as { Shards: CliShard[] };
    assert.equal(next.Shards[0].ShardId, 'shardId-000000000002');

    await aws('add-tags-to-stream', '--stream-name', 'cli', '--tags', 'team=data,env=ci');
    assert.deepEqual(((await aws('list-tags-for-stream', '--stream-name', 'cli')) as { Tags: unknown[] }).Tags, [
      { Key: 'env', Value: 'ci' },
      { Key: 'team', Value: 'data' },
    ]);
    await aws('remove-tags-from-stream', '--stream-name', 'cli', '--tag-keys', 'env');
    assert.deepEqual(((await aws('list-tags-for-stream', '--stream-name', 'cli')) as { Tags: unknown[] }).Tags, [{ Key: 'team', Value: 'data' }]);

    await aws('increase-stream-retention-period', '--stream-name', 'cli', '--retention-period-hours', '72');
    const bad = await runAwsCli(['kinesis', 'decrease-stream-retention-period', '--stream-name', 'cli', '--retention-period-hours', '100'], server);
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /InvalidArgumentException/);
    await aws('decrease-stream-retention-period', '--stream-name', 'cli', '--retention-period-hours', '48');
    const summary = (await aws('describe-stream-summary', '--stream-name', 'cli')) as { StreamDescriptionSummary: { RetentionPeriodHours: number; OpenShardCount: number } };
    assert.equal(summary.StreamDescriptionSummary.RetentionPeriodHours, 48);
    assert.equal(summary.StreamDescriptionSummary.OpenShardCount, 4);

    await aws('delete-stream', '--stream-name', 'cli');
    await aws('wait', 'stream-not-exists', '--stream-name', 'cli');
    const gone = await runAwsCli(['kinesis', 'describe-stream', '--stream-name', 'cli'], server);
    assert.match(gone.stderr, /ResourceNotFoundException/);
  });

  void it('boto3 paginators: list_streams, describe_stream, list_shards (single page; multi-page as AWS answers)', async () => {
    const r = await runPython(
      `
for i in range(5):
    kinesis.create_stream(StreamName=f"py{i}", ShardCount=5 if i == 0 else 1)
kinesis.get_waiter("stream_exists").wait(StreamName="py0", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
names = []
pages = 0
for page in kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2}):
    pages += 1
    names += page["StreamNames"]
summaries = [s["StreamName"] for p in kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2}) for s in p["StreamSummaries"]]
described = [s["ShardId"] for p in kinesis.get_paginator("describe_stream").paginate(StreamName="py0", PaginationConfig={"PageSize": 2}) for s in p["StreamDescription"]["Shards"]]
single = [s["ShardId"] for p in kinesis.get_paginator("list_shards").paginate(StreamName="py0") for s in p["Shards"]]
capped = [s["ShardId"] for p in kinesis.get_paginator("list_shards").paginate(StreamName="py0", PaginationConfig={"MaxItems": 3}) for s in p["Shards"]]
try:
    list(kinesis.get_paginator("list_shards").paginate(StreamName="py0", PaginationConfig={"PageSize": 2}))
    multi = "no error"
except kinesis.exceptions.InvalidArgumentException as e:
    multi = str(e)
# Following NextToken by hand, as AWS requires.
manual = []
resp = kinesis.list_shards(StreamName="py0", MaxResults=2)
manual += [s["ShardId"] for s in resp["Shards"]]
while "NextToken" in resp:
    resp = kinesis.list_shards(NextToken=resp["NextToken"], MaxResults=2)
    manual += [s["ShardId"] for s in resp["Shards"]]
print(json.dumps({"names": names, "pages": pages, "summaries": summaries, "described": described, "single": single, "capped": capped, "multi": multi, "manual": manual}))
`,
      server,
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const out = r.json as Record<string, unknown>;
    const py = ['py0', 'py1', 'py2', 'py3', 'py4'];
    assert.deepEqual((out.names as string[]).filter((n) => n.startsWith('py')), py);
    assert.ok((out.pages as number) >= 3);
    assert.deepEqual((out.summaries as string[]).filter((n) => n.startsWith('py')), py);
    const five = [0, 1, 2, 3, 4].map((i) => `shardId-00000000000${i}`);
    assert.deepEqual(out.described, five);
    assert.deepEqual(out.single, five);
    assert.deepEqual(out.capped, five.slice(0, 3));
    assert.match(out.multi as string, /NextToken and StreamName cannot be provided together/);
    assert.deepEqual(out.manual, five);
  });
});
