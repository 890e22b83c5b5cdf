/**
 * AWS CLI (v1) and boto3 round trips of the data plane: put-record, put-records, get-shard-iterator,
 * get-records. Both speak JSON 1.1 over HTTP/1.1; boto3 sends timestamps as integer seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import type { TestServer } from '../../support/server.js';
import { runAwsCli, runPython, startTestServer } from '../../support/server.js';
import { waitActive } from './support.js';

interface CliRecord {
  Data: string;
  PartitionKey: string;
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
}

void describe('AWS CLI and boto3 round trips', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ createStreamMs: 0, limits: false });
    const kinesis = server.kinesis({ http1: true });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'cli', ShardCount: 2 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'py', ShardCount: 2 }));
    await waitActive(kinesis, 'cli');
    await waitActive(kinesis, 'py');
  });
  after(() => server.stop());

  void it('aws kinesis put-record, put-records, get-shard-iterator, get-records', async () => {
    const put = await runAwsCli(['kinesis', 'put-record', '--stream-name', 'cli', '--partition-key', 'a', '--explicit-hash-key', '0', '--data', 'hello cli'], server);
    assert.equal(put.exitCode, 0, put.stderr);
    const putJson = put.json as { ShardId: string; SequenceNumber: string };
    assert.equal(putJson.ShardId, 'shardId-000000000000');
    const many = await runAwsCli(
      ['kinesis', 'put-records', '--stream-name', 'cli', '--records', 'Data=one,PartitionKey=a,ExplicitHashKey=1', 'Data=two,PartitionKey=b,ExplicitHashKey=2'],
      server,
    );
    assert.equal(many.exitCode, 0, many.stderr);
    const manyJson = many.json as { FailedRecordCount: number; Records: { ShardId: string }[] };
    assert.equal(manyJson.FailedRecordCount, 0);
    assert.deepEqual(manyJson.Records.map((r) => r.ShardId), ['shardId-000000000000', 'shardId-000000000000']);
    const it1 = await runAwsCli(
      ['kinesis', 'get-shard-iterator', '--stream-name', 'cli', '--shard-id', 'shardId-000000000000', '--shard-iterator-type', 'AT_SEQUENCE_NUMBER', '--starting-sequence-number', putJson.SequenceNumber],
      server,
    );
    assert.equal(it1.exitCode, 0, it1.stderr);
    const iterator = (it1.json as { ShardIterator: string }).ShardIterator;
    const got = await runAwsCli(['kinesis', 'get-records', '--shard-iterator', iterator], server);
    assert.equal(got.exitCode, 0, got.stderr);
    const records = (got.json as { Records: CliRecord[]; NextShardIterator: string; MillisBehindLatest: number }).Records;
    assert.deepEqual(records.map((r) => Buffer.from(r.Data, 'base64').toString()), ['hello cli', 'one', 'two']);
    assert.deepEqual(records.map((r) => r.PartitionKey), ['a', 'a', 'b']);
    assert.equal(records[0].SequenceNumber, putJson.SequenceNumber);
    assert.equal(typeof records[0].ApproximateArrivalTimestamp, 'number');
    const ts = await runAwsCli(
      ['kinesis', 'get-shard-iterator', '--stream-name', 'cli', '--shard-id', 'shardId-000000000000', '--shard-iterator-type', 'AT_TIMESTAMP', '--timestamp', String(Math.floor(Date.now() / 1000) - 60)],
      server,
    );
    assert.equal(ts.exitCode, 0, ts.stderr);
    const bad = await runAwsCli(['kinesis', 'get-records', '--shard-iterator', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=='], server);
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /InvalidArgumentException/);
  });

  void it('boto3 put_record, put_records, get_shard_iterator, get_records (binary data, integer-second timestamps)', async () => {
    const py = await runPython(
      `
import time
start = int(time.time()) - 5
r = kinesis.put_record(StreamName='py', PartitionKey='k', Data=bytes(range(256)))
rs = kinesis.put_records(StreamName='py', Records=[{'PartitionKey': 'k', 'Data': b'\\x00\\xff'}, {'PartitionKey': 'k', 'Data': b''}])
it = kinesis.get_shard_iterator(StreamName='py', ShardId=r['ShardId'], ShardIteratorType='AT_TIMESTAMP', Timestamp=start)['ShardIterator']
out = kinesis.get_records(ShardIterator=it, Limit=10)
after = kinesis.get_shard_iterator(StreamName='py', ShardId=r['ShardId'], ShardIteratorType='AFTER_SEQUENCE_NUMBER', StartingSequenceNumber=r['SequenceNumber'])['ShardIterator']
out2 = kinesis.get_records(ShardIterator=after)
print(json.dumps({
  'put': r, 'failed': rs['FailedRecordCount'], 'shards': [x['ShardId'] for x in rs['Records']],
  'data': [base64.b64encode(x['Data']).decode() for x in out['Records']],
  'seq0': out['Records'][0]['SequenceNumber'],
  'ts': [x['ApproximateArrivalTimestamp'].timestamp() for x in out['Records']],
  'next': 'NextShardIterator' in out, 'behind': out['MillisBehindLatest'],
  'after': len(out2['Records']),
}, default=str))
`,
      server,
    );
    assert.equal(py.exitCode, 0, py.stderr);
    const out = py.json as {
      put: { ShardId: string; SequenceNumber: string; EncryptionType: string };
      failed: number;
      shards: string[];
      data: string[];
      seq0: string;
      ts: number[];
      next: boolean;
      behind: number;
      after: number;
    };
    assert.equal(out.failed, 0);
    assert.deepEqual(out.shards, [out.put.ShardId, out.put.ShardId]);
    assert.equal(out.put.EncryptionType, 'NONE');
    assert.deepEqual(out.data, [Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('base64'), Buffer.from([0, 255]).toString('base64'), '']);
    assert.equal(out.seq0, out.put.SequenceNumber);
    assert.ok(out.ts.every((t) => Math.abs(t * 1000 - Date.now()) < 60_000));
    assert.equal(out.next, true);
    assert.equal(out.behind, 0);
    assert.equal(out.after, 2);
  });
});
